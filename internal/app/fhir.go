package app

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/fhir"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/report"
	"repere/internal/schedule"
	"repere/internal/store"
)

// FHIRSource serves the FHIR API (it is its fhir.Source) through the same
// use cases and audited store reads as the pages; the API handler puts the
// client's audit actor in the context.
type FHIRSource struct{ a *App }

// FHIR returns the FHIR API's source.
func (a *App) FHIR() FHIRSource { return FHIRSource{a} }

var _ fhir.Source = FHIRSource{}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fhir.ErrNotFound
	}
	return err
}

func (f FHIRSource) Patient(ctx context.Context, id int64) (patient.Patient, error) {
	p, err := f.a.store.Patient(ctx, id)
	return p, notFound(err)
}

func (f FHIRSource) SearchPatients(ctx context.Context, q fhir.PatientQuery) ([]patient.Patient, int, error) {
	return f.a.store.FindPatients(ctx, store.PatientSearch{IDs: q.IDs, Identifier: identifierMatch(q.Identifier), Name: q.Name, Family: q.Family, Given: q.Given,
		BirthFrom: q.BirthFrom, BirthTo: q.BirthTo, Changed: store.Changed(q.Changed), Sort: sorts(q.Sort), Limit: q.Count, Offset: q.Offset})
}

func identifierMatch(m *fhir.IdentifierMatch) *store.IdentifierMatch {
	if m == nil {
		return nil
	}
	return &store.IdentifierMatch{IDs: m.IDs, INS: m.INS, External: storeIdentifiers(m.External)}
}

func sorts(list []fhir.Sort) []store.Sort {
	out := make([]store.Sort, len(list))
	for i, s := range list {
		out[i] = store.Sort(s)
	}
	return out
}

func (f FHIRSource) Referral(ctx context.Context, id int64) (referral.Referral, error) {
	r, err := f.a.store.Referral(ctx, id)
	return r, notFound(err)
}

func (f FHIRSource) SearchReferrals(ctx context.Context, q fhir.ReferralQuery) ([]referral.Referral, int, error) {
	return f.a.store.FindReferrals(ctx, store.ReferralSearch{IDs: q.IDs, PatientIDs: q.PatientIDs, Identifier: identifierMatch(q.Identifier), Statuses: q.Statuses,
		AuthoredFrom: q.AuthoredFrom, AuthoredTo: q.AuthoredTo, Changed: store.Changed(q.Changed), Sort: sorts(q.Sort), Limit: q.Count, Offset: q.Offset})
}

func (f FHIRSource) Appointment(ctx context.Context, id int64) (booking.Appointment, error) {
	ap, err := f.a.appointment(ctx, id)
	return ap, notFound(err)
}

func (f FHIRSource) SearchAppointments(ctx context.Context, q fhir.AppointmentQuery) ([]booking.Appointment, int, error) {
	return f.a.store.FindAppointments(ctx, store.AppointmentSearch{IDs: q.IDs, PatientIDs: q.PatientIDs, ReferralIDs: q.ReferralIDs,
		AccessionNumbers: q.AccessionNumbers, Statuses: q.Statuses, From: q.From, To: q.To, Changed: store.Changed(q.Changed), Sort: sorts(q.Sort), Limit: q.Count, Offset: q.Offset})
}

func (f FHIRSource) Radiologists(ctx context.Context) ([]auth.User, error) {
	return f.a.store.Radiologists(ctx)
}

func (f FHIRSource) Physicians(ctx context.Context) ([]practice.Physician, error) {
	return f.a.store.Physicians(ctx)
}

func (f FHIRSource) Rooms(ctx context.Context) ([]practice.Room, error) { return f.a.store.Rooms(ctx) }

func (f FHIRSource) FreeSlots(ctx context.Context, actID string, from, to time.Time, count int) ([]schedule.Slot, error) {
	slots, err := f.a.FreeSlots(ctx, actID, from, to, count)
	return slots, notFound(err)
}

// Screening publishes a referral's questionnaire as the screening reads it.
func (f FHIRSource) Screening(ctx context.Context, referralID int64) (fhir.Screening, error) {
	ref, err := f.a.store.Referral(ctx, referralID)
	if err != nil {
		return fhir.Screening{}, notFound(err)
	}
	st, err := f.a.ScreeningOf(ctx, ref, nil)
	if err != nil {
		return fhir.Screening{}, err
	}
	if !st.Answered {
		return fhir.Screening{}, fhir.ErrNotFound
	}
	out := fhir.Screening{ReferralID: referralID, PatientID: ref.PatientID, Answers: st.Answers.Values, UpdatedAt: st.UpdatedAt, Completed: true}
	for _, t := range st.Answers.Treatments {
		out.Treatments = append(out.Treatments, strings.TrimSpace(t.DrugID+" "+t.OtherName))
	}
	return out, nil
}

func consentRecord(c documents.Consent) fhir.ConsentRecord {
	r := fhir.ConsentRecord{ID: c.ID, PatientID: c.PatientID, AppointmentID: c.AppointmentID, ActID: c.ActID, Kind: c.Kind, Version: c.Version,
		SignerName: c.SignerName, SignedAt: c.SignedAt, SHA256: c.SHA256, ContentType: c.ContentType, Size: len(c.Document), SHA1: sha1Base64(c.Document)}
	if c.Withdrawn != nil {
		r.WithdrawnAt = c.Withdrawn.At
	}
	return r
}

func (f FHIRSource) Consent(ctx context.Context, id int64) (fhir.ConsentRecord, error) {
	c, err := f.a.store.ConsentDocument(ctx, id)
	if err != nil {
		return fhir.ConsentRecord{}, notFound(err)
	}
	return consentRecord(c), nil
}

// sha1Base64 is an attachment's hash as FHIR gives it (SHA-1, base64).
func sha1Base64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sum := sha1.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (f FHIRSource) Consents(ctx context.Context, patientID int64) ([]fhir.ConsentRecord, error) {
	list, err := f.a.store.ConsentsOfPatient(ctx, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ConsentRecord, 0, len(list))
	for _, c := range list {
		full, err := f.a.store.ConsentDocument(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, consentRecord(full))
	}
	return out, nil
}

// procedureOf maps a done appointment and its act record.
func (f FHIRSource) procedureOf(ctx context.Context, ap booking.Appointment) (fhir.ProcedureRecord, error) {
	p := fhir.ProcedureRecord{AppointmentID: ap.ID, ReferralID: ap.ReferralID, PatientID: ap.PatientID, ActID: ap.ActID, StudyInstanceUID: ap.StudyInstanceUID,
		Performer: ap.RadiologistName, PerformerID: ap.RadiologistID}
	rec, version, err := f.a.storedRecord(ctx, ap.ID)
	if err != nil || version == 0 {
		return p, err
	}
	p.Levels, p.Side, p.Start, p.End, p.Complications, p.DLP, p.CTDIvol = rec.Levels, rec.Side, rec.Start, rec.End, rec.Complications, rec.DLP, rec.CTDIvol
	if rec.StudyInstanceUID != "" {
		p.StudyInstanceUID = rec.StudyInstanceUID
	}
	return p, nil
}

func (f FHIRSource) Procedure(ctx context.Context, id int64) (fhir.ProcedureRecord, error) {
	list, err := f.a.store.ListAppointments(ctx, store.AppointmentFilter{ID: id, Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return fhir.ProcedureRecord{}, err
	}
	if len(list) == 0 {
		return fhir.ProcedureRecord{}, fhir.ErrNotFound
	}
	return f.procedureOf(ctx, list[0])
}

func (f FHIRSource) Procedures(ctx context.Context, patientID int64) ([]fhir.ProcedureRecord, error) {
	list, err := f.a.store.ListAppointments(ctx, store.AppointmentFilter{PatientID: patientID, Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ProcedureRecord, 0, len(list))
	for _, ap := range list {
		p, err := f.procedureOf(ctx, ap)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (f FHIRSource) reportRecord(ctx context.Context, r report.Signed) (fhir.ReportRecord, error) {
	list, err := f.a.store.ListAppointments(ctx, store.AppointmentFilter{ID: r.AppointmentID})
	if err != nil || len(list) == 0 {
		return fhir.ReportRecord{}, cmp.Or(err, fhir.ErrNotFound)
	}
	ap := list[0]
	if len(r.PDF) == 0 {
		full, err := f.a.store.ReportPDF(ctx, r.ID)
		if err != nil {
			return fhir.ReportRecord{}, err
		}
		r.PDF = full.PDF
	}
	out := fhir.ReportRecord{ID: r.ID, AppointmentID: r.AppointmentID, ReferralID: ap.ReferralID, PatientID: r.PatientID, ActID: ap.ActID,
		Number: r.Number, Amends: r.Amends, Title: r.Title, Body: r.Body, SignedAt: r.SignedAt, ActDate: ap.Start, SignedBy: r.SignedBy, SHA256: r.SHA256,
		PDFSize: len(r.PDF), PDFSHA1: sha1Base64(r.PDF)}
	if ap.RadiologistName == r.SignedBy {
		out.SignedByID = ap.RadiologistID
	}
	return out, nil
}

func (f FHIRSource) Report(ctx context.Context, id int64) (fhir.ReportRecord, error) {
	r, err := f.a.store.ReportPDF(ctx, id)
	if err != nil {
		return fhir.ReportRecord{}, notFound(err)
	}
	return f.reportRecord(ctx, r)
}

func (f FHIRSource) Reports(ctx context.Context, patientID int64) ([]fhir.ReportRecord, error) {
	list, err := f.a.store.ReportsOfPatient(ctx, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ReportRecord, 0, len(list))
	for _, r := range list {
		rr, err := f.reportRecord(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}
