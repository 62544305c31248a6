package fhir

import (
	"context"
	"errors"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/schedule"
)

// ErrNotFound is what a Source returns for a record that does not exist; the
// API answers 404 (or 422 when a created resource refers to it).
var ErrNotFound = errors.New("fhir: not found")

// Source is what the API reads and writes: the lead's store implements it.
// Every method receives the request's context, which carries the client
// (ClientFrom) and the audit actor (audit.ActorFrom, login "fhir:<client id>"),
// so the store audits API accesses the way it audits the UI's.
//
// Search methods return one page (Page.Count items from Page.Offset, in a
// stable order: ids ascending) and the total number of matches.
type Source interface {
	Patient(ctx context.Context, id int64) (patient.Patient, error)
	SearchPatients(ctx context.Context, q PatientQuery) ([]patient.Patient, int, error)

	Referral(ctx context.Context, id int64) (referral.Referral, error)
	SearchReferrals(ctx context.Context, q ReferralQuery) ([]referral.Referral, int, error)

	// Receive records what another system sent (a create, or a transaction)
	// whole or not at all, through the application's checks: a refusal is
	// an *InvalidError (422), an identifier another record holds an
	// ErrIdentifierTaken.
	Receive(ctx context.Context, in Intake) (IntakeIDs, error)
	// Identifiers returns the identifiers other systems gave patients or
	// referrals ("Patient", "ServiceRequest"), by id.
	Identifiers(ctx context.Context, resourceType string, ids []int64) (map[int64][]Identifier, error)
	// Versions returns the version of patients, referrals or appointments.
	Versions(ctx context.Context, resourceType string, ids []int64) (map[int64]Version, error)
	// PatientVersions and ReferralVersions return every version of a
	// record, oldest first (ErrNotFound for an unknown id).
	PatientVersions(ctx context.Context, id int64) ([]PatientVersion, error)
	ReferralVersions(ctx context.Context, id int64) ([]ReferralVersion, error)
	// AppointmentVersions lists an appointment's versions, oldest first;
	// only those whose state was kept can be given back.
	AppointmentVersions(ctx context.Context, id int64) ([]AppointmentVersion, error)
	// ReportPDF is a signed report's PDF; ConsentDocument a consent's
	// frozen document and its media type.
	ReportPDF(ctx context.Context, id int64) ([]byte, error)
	ConsentDocument(ctx context.Context, id int64) ([]byte, string, error)

	Appointment(ctx context.Context, id int64) (booking.Appointment, error)
	SearchAppointments(ctx context.Context, q AppointmentQuery) ([]booking.Appointment, int, error)

	// Radiologists are the active users with the radiologist role.
	Radiologists(ctx context.Context) ([]auth.User, error)
	// Physicians are the referring physicians the practice knows.
	Physicians(ctx context.Context) ([]practice.Physician, error)
	// Rooms are all rooms; the API publishes a Schedule per active CT room.
	Rooms(ctx context.Context) ([]practice.Room, error)

	// FreeSlots proposes up to count free slots for the act starting in
	// [from, to), earliest first, as the booking page would.
	FreeSlots(ctx context.Context, actID string, from, to time.Time, count int) ([]schedule.Slot, error)

	// Screening returns a referral's safety questionnaire, or ErrNotFound
	// when the patient has not answered it yet.
	Screening(ctx context.Context, referralID int64) (Screening, error)
	// Consent returns one consent record, Consents a patient's, oldest first.
	Consent(ctx context.Context, id int64) (ConsentRecord, error)
	Consents(ctx context.Context, patientID int64) ([]ConsentRecord, error)
	// Procedure returns an act performed (by appointment id), Procedures a
	// patient's; Report a signed report version, Reports a patient's.
	Procedure(ctx context.Context, appointmentID int64) (ProcedureRecord, error)
	Procedures(ctx context.Context, patientID int64) ([]ProcedureRecord, error)
	Report(ctx context.Context, id int64) (ReportRecord, error)
	Reports(ctx context.Context, patientID int64) ([]ReportRecord, error)
}

// ErrIdentifierTaken is what Receive returns when another record of the
// same type already holds one of the identifiers sent (409).
var ErrIdentifierTaken = errors.New("fhir: identifier already held by another record")

// Page selects part of a search's results.
type Page struct {
	Count  int // at most this many results (> 0), or -1 to count only
	Offset int // skipped first
}

// Version is a record's version: 1, then one more at each change.
type Version struct {
	Number      int
	LastUpdated time.Time
}

// PatientVersion and ReferralVersion are a record as it was at a version.
type PatientVersion struct {
	Version
	Patient patient.Patient
}

type ReferralVersion struct {
	Version
	Referral referral.Referral
}

type AppointmentVersion struct {
	Version
	Kept        bool
	Appointment booking.Appointment
}

// Intake is what a create or a transaction records: perhaps a new patient,
// and referrals (for the new patient, or for existing ones), each with the
// identifiers the sender gave it.
type Intake struct {
	Patient            *patient.Patient
	PatientIdentifiers []Identifier
	Referrals          []IntakeReferral
}

type IntakeReferral struct {
	Referral      referral.Referral
	Identifiers   []Identifier
	ForNewPatient bool
}

// IntakeIDs are the ids Receive gave.
type IntakeIDs struct {
	PatientID   int64
	ReferralIDs []int64
}

// IdentifierMatch finds records holding any of the identifiers: their
// ids, an INS, or identifiers other systems gave them (System "" for any).
type IdentifierMatch struct {
	IDs      []int64
	INS      []string
	External []Identifier
}

// Changed bounds a record's last change: From <= last change < To.
type Changed struct{ ChangedFrom, ChangedTo time.Time }

// Sort orders results: Key "updated", "birth_date", "authored" or "start".
type Sort struct {
	Key  string
	Desc bool
}

// PatientQuery selects patients; zero fields match everything, set fields
// must all match; a list matches any of its values (nil: not a criterion).
// Names are compared as patient.SearchKey forms, a query word matching the
// start of a name word ("lef" finds "Lefèvre-Durand").
type PatientQuery struct {
	IDs        []int64
	Identifier *IdentifierMatch
	Name       string // any of birth name, used name, first names
	Family     string // birth name or used name
	Given      string // first names
	// BirthFrom and BirthTo bound the birth date, both included (YYYY-MM-DD).
	BirthFrom, BirthTo string
	Changed
	Sort []Sort
	Page
}

// ReferralQuery selects referrals.
type ReferralQuery struct {
	IDs, PatientIDs []int64
	Identifier      *IdentifierMatch
	Statuses        []referral.Status // any of them; nil matches every status
	// AuthoredFrom and AuthoredTo bound the prescription date, both included (YYYY-MM-DD).
	AuthoredFrom, AuthoredTo string
	Changed
	Sort []Sort
	Page
}

// AppointmentQuery selects appointments.
type AppointmentQuery struct {
	IDs, PatientIDs, ReferralIDs []int64
	AccessionNumbers             []string
	Statuses                     []booking.Status // any of them; nil matches every status
	// From and To bound the start: From <= Start < To (zero: unbounded).
	From, To time.Time
	Changed
	Sort []Sort
	Page
}

// Screening is a referral's safety questionnaire as the API publishes it
// (a QuestionnaireResponse): the answers keyed by question id as the form
// stores them, and the treatments the patient listed.
type Screening struct {
	ReferralID int64
	PatientID  int64
	Answers    map[string]string // question id → answer
	Treatments []string
	Completed  bool // the patient submitted it (else it is in progress)
	UpdatedAt  time.Time
}
