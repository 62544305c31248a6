package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/fhir"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/schedule"
	"repere/internal/store"
)

// fhirSource serves the FHIR API from the store; every read is audited by
// the store under the client's name (the handler puts it in the context).
type fhirSource struct{ s *Server }

var _ fhir.Source = fhirSource{}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fhir.ErrNotFound
	}
	return err
}

func (f fhirSource) Patient(ctx context.Context, id int64) (patient.Patient, error) {
	p, err := f.s.store.Patient(ctx, id)
	return p, notFound(err)
}

func (f fhirSource) SearchPatients(ctx context.Context, q fhir.PatientQuery) ([]patient.Patient, int, error) {
	return f.s.store.FindPatients(ctx, store.PatientSearch{ID: q.ID, INS: q.INS, Name: q.Name, Family: q.Family, Given: q.Given,
		BirthFrom: q.BirthFrom, BirthTo: q.BirthTo, Limit: q.Count, Offset: q.Offset})
}

func (f fhirSource) CreatePatient(ctx context.Context, p patient.Patient) (int64, error) {
	return f.s.store.CreatePatient(ctx, p)
}

func (f fhirSource) Referral(ctx context.Context, id int64) (referral.Referral, error) {
	r, err := f.s.store.Referral(ctx, id)
	return r, notFound(err)
}

func (f fhirSource) SearchReferrals(ctx context.Context, q fhir.ReferralQuery) ([]referral.Referral, int, error) {
	return f.s.store.FindReferrals(ctx, store.ReferralSearch{ID: q.ID, PatientID: q.PatientID, Statuses: q.Statuses,
		AuthoredFrom: q.AuthoredFrom, AuthoredTo: q.AuthoredTo, Limit: q.Count, Offset: q.Offset})
}

func (f fhirSource) CreateReferral(ctx context.Context, r referral.Referral) (int64, error) {
	return f.s.store.CreateReferral(ctx, r)
}

func (f fhirSource) Appointment(ctx context.Context, id int64) (booking.Appointment, error) {
	list, err := f.s.store.ListAppointments(ctx, store.AppointmentFilter{ID: id})
	if err != nil {
		return booking.Appointment{}, err
	}
	if len(list) == 0 {
		return booking.Appointment{}, fhir.ErrNotFound
	}
	return list[0], nil
}

func (f fhirSource) SearchAppointments(ctx context.Context, q fhir.AppointmentQuery) ([]booking.Appointment, int, error) {
	return f.s.store.FindAppointments(ctx, store.AppointmentSearch{ID: q.ID, PatientID: q.PatientID, ReferralID: q.ReferralID,
		AccessionNumber: q.AccessionNumber, Statuses: q.Statuses, From: q.From, To: q.To, Limit: q.Count, Offset: q.Offset})
}

func (f fhirSource) Radiologists(ctx context.Context) ([]auth.User, error) {
	return f.s.store.Radiologists(ctx)
}

func (f fhirSource) Physicians(ctx context.Context) ([]practice.Physician, error) {
	return f.s.store.Physicians(ctx)
}

func (f fhirSource) Rooms(ctx context.Context) ([]practice.Room, error) { return f.s.store.Rooms(ctx) }

func (f fhirSource) FreeSlots(ctx context.Context, actID string, from, to time.Time, count int) ([]schedule.Slot, error) {
	act, ok := f.s.catalog.Act(actID)
	if !ok {
		return nil, fhir.ErrNotFound
	}
	earliest := f.s.now().Add(time.Hour)
	if from.After(earliest) {
		earliest = from
	}
	earliest = earliest.Truncate(5 * time.Minute)
	q := schedule.Query{Window: schedule.Window{Earliest: earliest, Latest: to}, Count: count, StepMinutes: 5, ShortestActMinutes: f.s.shortestAct()}
	pl, err := f.s.loadPlan(ctx, actPlan{act: act}, earliest, q.Until())
	if err != nil {
		return nil, err
	}
	slots, err := schedule.NextSlots(pl.practice, pl.need, q)
	if errors.Is(err, schedule.ErrNoResource) {
		return nil, nil
	}
	return slots, err
}

// storedAnswers reads the screening answers' JSON (package screening's
// Answers) as far as the API publishes them.
type storedAnswers struct {
	Values     map[string]string `json:"values"`
	Treatments []struct {
		DrugID    string `json:"drug_id"`
		OtherName string `json:"other_name"`
	} `json:"treatments"`
}

func (f fhirSource) Screening(ctx context.Context, referralID int64) (fhir.Screening, error) {
	sc, err := f.s.store.Screening(ctx, referralID)
	if err != nil {
		return fhir.Screening{}, notFound(err)
	}
	ref, err := f.s.store.Referral(ctx, referralID)
	if err != nil {
		return fhir.Screening{}, notFound(err)
	}
	var a storedAnswers
	if err := json.Unmarshal(sc.Answers, &a); err != nil {
		return fhir.Screening{}, err
	}
	out := fhir.Screening{ReferralID: referralID, PatientID: ref.PatientID, Answers: a.Values, UpdatedAt: sc.UpdatedAt, Completed: true}
	for _, t := range a.Treatments {
		out.Treatments = append(out.Treatments, strings.TrimSpace(t.DrugID+" "+t.OtherName))
	}
	return out, nil
}

// fhirClients authenticates API clients by the SHA-256 of their token.
type fhirClients struct{ s *Server }

func (c fhirClients) Authenticate(ctx context.Context, token string) (fhir.Client, error) {
	cl, err := c.s.store.APIClientByHash(ctx, fhir.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return fhir.Client{}, fhir.ErrInvalidToken
	}
	if err != nil {
		return fhir.Client{}, err
	}
	now := c.s.now()
	if cl.Expired(now) {
		return fhir.Client{}, fhir.ErrExpiredToken
	}
	// The last use is shown on /admin/api; to the minute is enough, so a busy
	// client does not write on every call.
	if now.Sub(cl.LastUsedAt) >= time.Minute {
		if err := c.s.store.TouchAPIClient(ctx, cl.ID); err != nil {
			return fhir.Client{}, err
		}
	}
	return fhir.Client{ID: itoa(cl.ID), Name: cl.Name, Scopes: cl.Scopes}, nil
}

func (s *Server) fhirHandler() http.Handler {
	return fhir.NewHandler(fhirSource{s}, fhirClients{s}, fhir.Options{BaseURL: s.cfg.BaseURL + fhir.Prefix, Catalog: s.catalog,
		Location: s.cfg.Location, Version: s.cfg.Version, Logger: s.log, Now: s.now})
}

// apiScopes are the scopes an admin can grant a client.
var apiScopes = []string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}

// apiValidities are the lifetimes, in days, an admin can give a token: one
// year by default, two at most (a new token is then issued and the old one
// revoked).
var apiValidities = []int{30, 90, 180, 365, 730}

const defaultAPIValidity = 365

type apiPage struct {
	Clients    []store.APIClient
	Scopes     []string
	Validities []int
	Now        time.Time
	NewToken   string
	Errors     []string
	// The form, kept as typed when it is refused.
	Name     string
	Chosen   []string
	Validity int
}

func (s *Server) apiClients(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.APIClients(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "api", "api.title", "admin", s.newAPIPage(list))
}

func (s *Server) newAPIPage(list []store.APIClient) apiPage {
	return apiPage{Clients: list, Scopes: apiScopes, Validities: apiValidities, Now: s.now(), Validity: defaultAPIValidity}
}

// createAPIClient makes a client and shows its token once.
func (s *Server) createAPIClient(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	var scopes []string
	for _, sc := range r.PostForm["scope"] {
		if slices.Contains(apiScopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	p := s.newAPIPage(nil)
	p.Name, p.Chosen = name, scopes
	if name == "" || len(name) > 80 {
		p.Errors = append(p.Errors, l.T("api.err.name"))
	}
	if len(scopes) == 0 {
		p.Errors = append(p.Errors, l.T("api.err.scopes"))
	}
	days, err := strconv.Atoi(r.PostFormValue("validity"))
	if err != nil || !slices.Contains(apiValidities, days) {
		p.Errors = append(p.Errors, l.T("api.err.validity", "Max", slices.Max(apiValidities)))
	} else {
		p.Validity = days
	}
	if len(p.Errors) == 0 {
		b := make([]byte, 32)
		rand.Read(b)
		token := base64.RawURLEncoding.EncodeToString(b)
		if _, err := s.store.CreateAPIClient(r.Context(), name, fhir.HashToken(token), scopes, p.Now.AddDate(0, 0, days)); err != nil {
			return err
		}
		p.NewToken = token
		p.Name, p.Chosen, p.Validity = "", nil, defaultAPIValidity
	}
	if p.Clients, err = s.store.APIClients(r.Context()); err != nil {
		return err
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "api", "api.title", "admin", p)
}

func (s *Server) revokeAPIClient(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIClient(r.Context(), id); err != nil {
		return err
	}
	s.flash(r, "api.revoked")
	http.Redirect(w, r, "/admin/api", http.StatusSeeOther)
	return nil
}

func consentRecord(c store.Consent) fhir.ConsentRecord {
	r := fhir.ConsentRecord{ID: c.ID, PatientID: c.PatientID, AppointmentID: c.AppointmentID, ActID: c.ActID, Kind: c.Kind, Version: c.Version,
		SignerName: c.SignerName, SignedAt: c.SignedAt, SHA256: c.SHA256, ContentType: c.ContentType}
	if c.Withdrawn != nil {
		r.WithdrawnAt = c.Withdrawn.At
	}
	return r
}

func (f fhirSource) Consent(ctx context.Context, id int64) (fhir.ConsentRecord, error) {
	c, err := f.s.store.ConsentDocument(ctx, id)
	if err != nil {
		return fhir.ConsentRecord{}, notFound(err)
	}
	return consentRecord(c), nil
}

func (f fhirSource) Consents(ctx context.Context, patientID int64) ([]fhir.ConsentRecord, error) {
	list, err := f.s.store.ConsentsOfPatient(ctx, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ConsentRecord, 0, len(list))
	for _, c := range list {
		out = append(out, consentRecord(c))
	}
	return out, nil
}

// procedureOf maps a done appointment and its act record.
func (f fhirSource) procedureOf(ctx context.Context, a booking.Appointment) (fhir.ProcedureRecord, error) {
	p := fhir.ProcedureRecord{AppointmentID: a.ID, ReferralID: a.ReferralID, PatientID: a.PatientID, ActID: a.ActID, StudyInstanceUID: a.StudyInstanceUID,
		Performer: a.RadiologistName, PerformerID: a.RadiologistID}
	stored, err := f.s.store.ActRecordOf(ctx, a.ID)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	var rec actrecord.Record
	if err := json.Unmarshal(stored.Record, &rec); err != nil {
		return p, err
	}
	p.Levels, p.Side, p.Start, p.End, p.Complications, p.DLP, p.CTDIvol = rec.Levels, rec.Side, rec.Start, rec.End, rec.Complications, rec.DLP, rec.CTDIvol
	if rec.StudyInstanceUID != "" {
		p.StudyInstanceUID = rec.StudyInstanceUID
	}
	return p, nil
}

func (f fhirSource) Procedure(ctx context.Context, id int64) (fhir.ProcedureRecord, error) {
	list, err := f.s.store.ListAppointments(ctx, store.AppointmentFilter{ID: id, Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return fhir.ProcedureRecord{}, err
	}
	if len(list) == 0 {
		return fhir.ProcedureRecord{}, fhir.ErrNotFound
	}
	return f.procedureOf(ctx, list[0])
}

func (f fhirSource) Procedures(ctx context.Context, patientID int64) ([]fhir.ProcedureRecord, error) {
	list, err := f.s.store.ListAppointments(ctx, store.AppointmentFilter{PatientID: patientID, Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return nil, err
	}
	out := make([]fhir.ProcedureRecord, 0, len(list))
	for _, a := range list {
		p, err := f.procedureOf(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (f fhirSource) reportRecord(ctx context.Context, r store.SignedReport) (fhir.ReportRecord, error) {
	list, err := f.s.store.ListAppointments(ctx, store.AppointmentFilter{ID: r.AppointmentID})
	if err != nil || len(list) == 0 {
		return fhir.ReportRecord{}, cmp.Or(err, fhir.ErrNotFound)
	}
	a := list[0]
	return fhir.ReportRecord{ID: r.ID, AppointmentID: r.AppointmentID, ReferralID: a.ReferralID, PatientID: r.PatientID, ActID: a.ActID,
		Number: r.Number, Amends: r.Amends, Title: r.Title, Body: r.Body, SignedAt: r.SignedAt, ActDate: a.Start, SignedBy: r.SignedBy, SHA256: r.SHA256}, nil
}

func (f fhirSource) Report(ctx context.Context, id int64) (fhir.ReportRecord, error) {
	r, err := f.s.store.ReportPDF(ctx, id)
	if err != nil {
		return fhir.ReportRecord{}, notFound(err)
	}
	return f.reportRecord(ctx, r)
}

func (f fhirSource) Reports(ctx context.Context, patientID int64) ([]fhir.ReportRecord, error) {
	list, err := f.s.store.ReportsOfPatient(ctx, patientID)
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
