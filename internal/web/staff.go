package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusNotFound, "error.not_found")
	}
	return id, nil
}

// byPathID reads the record the path's {id} names: a missing one, or one
// allowed refuses (another patient's), is "not found" alike, so that a
// guessed number tells nothing. allowed may be nil.
func byPathID[T any](r *http.Request, read func(context.Context, int64) (T, error), allowed func(T) bool) (T, error) {
	var zero T
	id, err := pathID(r)
	if err != nil {
		return zero, err
	}
	v, err := read(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && allowed != nil && !allowed(v)) {
		return zero, errStatus(http.StatusNotFound, "error.not_found")
	}
	return v, err
}

type statusCount struct {
	Status referral.Status
	Count  int
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	data := struct {
		Today    string
		Counts   []statusCount
		Acts     int
		Clinical bool
		Work     []workList // the user's work lists, counted
	}{Today: localizer(r).Date(s.now()), Acts: len(s.catalog.Acts())}
	u := currentUser(r)
	if u.Role.In(auth.Secretary, auth.Radiologist) {
		lists, err := s.app.WorkFor(r.Context(), u.Role)
		if err != nil {
			return err
		}
		data.Work = s.workLists(localizer(r), u.Role, lists)
	}
	if u.Role.In(clinical...) {
		data.Clinical = true
		counts, err := s.store.CountReferralsByStatus(r.Context())
		if err != nil {
			return err
		}
		for _, st := range referral.Statuses {
			data.Counts = append(data.Counts, statusCount{st, counts[st]})
		}
	}
	return s.render(w, r, http.StatusOK, "dashboard", "dashboard.title", "dashboard", data)
}

type patientList struct {
	Query    string
	Patients []patient.Patient
}

// patients lists or searches patients; an htmx request gets the results table only.
func (s *Server) patients(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	found, err := s.store.SearchPatients(r.Context(), q, 50)
	if err != nil {
		return err
	}
	data := patientList{Query: q, Patients: found}
	if r.Header.Get("HX-Request") == "true" {
		return s.renderBlock(w, r, http.StatusOK, "patients", "results", "", "patients", data)
	}
	return s.render(w, r, http.StatusOK, "patients", "patients.title", "patients", data)
}

func (s *Server) patientPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.store.Patient(r.Context(), id)
	if err != nil {
		return err
	}
	refs, err := s.store.ListReferrals(r.Context(), store.ReferralFilter{PatientID: id})
	if err != nil {
		return err
	}
	var sent []mail.Outgoing
	if u := currentUser(r); u != nil && (u.Role == auth.Secretary || u.Role == auth.Radiologist) {
		if sent, err = s.store.MessagesForPatient(r.Context(), id, 20); err != nil {
			return err
		}
	}
	files, err := s.store.ReferralDocumentsByPatientID(r.Context(), id)
	if err != nil {
		return err
	}
	data := struct {
		Patient   patient.Patient
		Age       int
		Referrals []referralRow
		Sent      []mail.Outgoing
		Files     []store.ReferralDocument
	}{p, p.Age(s.now()), s.referralRows(r, refs), sent, files}
	return s.render(w, r, http.StatusOK, "patient", "patient.title", "patients", data)
}

// referralRow holds, flat, what a list of referrals shows (see gridCard:
// html/template looks promoted fields up at a cost).
type referralRow struct {
	ID, PatientID                                     int64
	CreatedAt                                         time.Time
	PatientName, ActName, Levels, Side, PhysicianName string
	Urgency                                           referral.Urgency
	Status                                            referral.Status
	IdentityToConfirm                                 bool
}

func (s *Server) referralRows(r *http.Request, refs []referral.Referral) []referralRow {
	lang := localizer(r).Lang
	rows := make([]referralRow, len(refs))
	for i, ref := range refs {
		rows[i] = referralRow{ID: ref.ID, PatientID: ref.PatientID, CreatedAt: ref.CreatedAt, PatientName: ref.PatientName, ActName: ref.ActID,
			Levels: ref.Levels, Side: ref.Side, PhysicianName: ref.PhysicianName, Urgency: ref.Urgency, Status: ref.Status,
			IdentityToConfirm: ref.IdentityToConfirm}
		if a, ok := s.catalog.Act(ref.ActID); ok {
			rows[i].ActName = a.Name.In(lang)
		}
	}
	return rows
}

// referralsPage is how many referrals a page of the list shows.
const referralsPage = 100

func (s *Server) referrals(w http.ResponseWriter, r *http.Request) error {
	status := referral.Status(r.URL.Query().Get("status"))
	valid := status == ""
	for _, st := range referral.Statuses {
		valid = valid || st == status
	}
	if !valid {
		return errStatus(http.StatusBadRequest, "error.bad_filter")
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	// One more than a page says whether older referrals follow.
	refs, err := s.store.ListReferrals(r.Context(), store.ReferralFilter{Status: status, Limit: referralsPage + 1, Offset: (page - 1) * referralsPage})
	if err != nil {
		return err
	}
	more := len(refs) > referralsPage
	if more {
		refs = refs[:referralsPage]
	}
	data := struct {
		Status       referral.Status
		Statuses     []referral.Status
		Referrals    []referralRow
		Page         int
		Newer, Older int // the neighbouring pages, 0 when none
	}{Status: status, Statuses: referral.Statuses, Referrals: s.referralRows(r, refs), Page: page}
	if page > 1 {
		data.Newer = page - 1
	}
	if more {
		data.Older = page + 1
	}
	return s.render(w, r, http.StatusOK, "referrals", "referrals.title", "referrals", data)
}

func (s *Server) catalogue(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "catalogue", "catalogue.title", "catalogue", s.catalog.Acts())
}

// factRow is one fact of an act with its provenance, for the staff view.
type factRow struct {
	Label, Value string
	Fact         catalog.Fact
	Source       cite // a short citation, linked
}

func (s *Server) catalogueAct(w http.ResponseWriter, r *http.Request) error {
	act, ok := s.catalog.Act(r.PathValue("id"))
	if !ok {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	l := localizer(r)
	facts := factRows(l, act)
	for i := range facts {
		facts[i].Source = s.cite(facts[i].Fact.Source, l.Lang)
	}
	billed, err := s.billingFacts(r, act)
	if err != nil {
		return err
	}
	facts = append(facts, billed...)
	data := struct {
		Act   *catalog.Act
		Name  string
		Facts []factRow
		User  *auth.User
	}{act, act.Name.In(l.Lang), facts, currentUser(r)}
	return s.render(w, r, http.StatusOK, "catalogue_act", "catalogue.title", "catalogue", data)
}
