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
	CreatePatient(ctx context.Context, p patient.Patient) (int64, error)

	Referral(ctx context.Context, id int64) (referral.Referral, error)
	SearchReferrals(ctx context.Context, q ReferralQuery) ([]referral.Referral, int, error)
	// CreateReferral stores a referral received from another system; its
	// patient and physician exist (the API checked them).
	CreateReferral(ctx context.Context, r referral.Referral) (int64, error)

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

// Page selects part of a search's results.
type Page struct {
	Count  int // at most this many results (always > 0)
	Offset int // skipped first
}

// PatientQuery selects patients; zero fields match everything, set fields
// must all match. Names are compared as patient.SearchKey forms, a query
// word matching the start of a name word ("lef" finds "Lefèvre-Durand").
type PatientQuery struct {
	ID     int64
	INS    string // exact, without spaces
	Name   string // any of birth name, used name, first names
	Family string // birth name or used name
	Given  string // first names
	// BirthFrom and BirthTo bound the birth date, both included (YYYY-MM-DD).
	BirthFrom, BirthTo string
	Page
}

// ReferralQuery selects referrals.
type ReferralQuery struct {
	ID        int64
	PatientID int64
	Statuses  []referral.Status // any of them; nil matches every status
	// AuthoredFrom and AuthoredTo bound the prescription date, both included (YYYY-MM-DD).
	AuthoredFrom, AuthoredTo string
	Page
}

// AppointmentQuery selects appointments.
type AppointmentQuery struct {
	ID              int64
	PatientID       int64
	ReferralID      int64
	AccessionNumber string
	Statuses        []booking.Status // any of them; nil matches every status
	// From and To bound the start: From <= Start < To (zero: unbounded).
	From, To time.Time
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
