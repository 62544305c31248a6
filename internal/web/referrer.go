package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
)

// The referring physician's space (/referrer): their requests with where
// each stands, the signed reports of those requests only, and a form to
// send a new request with the prescription attached.

type referrerRow struct {
	store.ReferrerRequest
	ActName string
}

func (s *Server) referrerHome(w http.ResponseWriter, r *http.Request) error {
	data := struct {
		Linked   bool
		Requests []referrerRow
	}{}
	u := currentUser(r)
	if _, err := s.store.PhysicianByUser(r.Context(), u.ID); errors.Is(err, store.ErrNotFound) {
		return s.render(w, r, http.StatusOK, "referrer", "referrer.title", "referrer", data)
	} else if err != nil {
		return err
	}
	data.Linked = true
	list, err := s.store.ReferrerRequests(r.Context(), u.ID, 200)
	if err != nil {
		return err
	}
	lang := localizer(r).Lang
	for _, q := range list {
		row := referrerRow{ReferrerRequest: q, ActName: q.ActID}
		if act, ok := s.catalog.Act(q.ActID); ok {
			row.ActName = act.Name.In(lang)
		}
		data.Requests = append(data.Requests, row)
	}
	return s.render(w, r, http.StatusOK, "referrer", "referrer.title", "referrer", data)
}

// referrerReport downloads a signed report of one of the physician's own
// requests; another's is "not found" (and the attempt is in the audit log).
func (s *Server) referrerReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.store.ReferrerReport(r.Context(), currentUser(r).ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	w.Header().Set("X-Content-SHA256", rep.SHA256)
	return sendFile(w, "application/pdf", "compte-rendu-"+itoa(rep.AppointmentID)+"-v"+itoa(int64(rep.Number))+".pdf", rep.PDF)
}

// referrerRequestForm is the new request's form, kept as typed when refused.
type referrerRequestForm struct {
	Patient   patient.Patient
	Referral  referral.Referral
	Acts      []*catalog.Act
	Sides     []string
	Urgencies []referral.Urgency
	Errors    map[string]string
	FileName  string // the file sent with a refused form: to choose again
}

func (s *Server) newReferrerForm(r *http.Request) referrerRequestForm {
	return referrerRequestForm{Acts: s.catalog.Acts(), Sides: referral.Sides, Urgencies: referral.Urgencies, Errors: map[string]string{},
		Referral: referral.Referral{Urgency: referral.Routine}}
}

func (s *Server) referrerRequestForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "referrer_request", "referrer.new_title", "referrer", s.newReferrerForm(r))
}

// referrerRequestCreate records the request, or shows the form again as
// typed with each problem next to its field.
func (s *Server) referrerRequestCreate(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	f := s.newReferrerForm(r)
	f.Patient = patientFromForm(r)
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f.Referral = referral.Referral{ActID: v("act"), Levels: v("levels"), Side: v("side"), Indication: v("indication"),
		Urgency: referral.Urgency(v("urgency")), PriorImaging: v("prior_imaging"), PrescriptionDate: v("prescription_date")}
	in := app.ReferrerRequest{Patient: f.Patient, Referral: f.Referral}
	if file, header, err := r.FormFile("file"); err == nil {
		// One byte more than allowed tells a file that is too big.
		in.File, err = io.ReadAll(io.LimitReader(file, app.MaxPrescriptionBytes+1))
		file.Close()
		if err != nil {
			return err
		}
		in.FileName, f.FileName = header.Filename, header.Filename
	}
	for field, key := range s.app.ReferrerRequestProblems(in) {
		max := patient.MaxLength[field]
		if m, ok := referral.MaxLength[field]; ok {
			max = m
		}
		f.Errors[field] = l.T(key, "Max", max, "MB", app.MaxPrescriptionBytes>>20)
	}
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "referrer_request", "referrer.new_title", "referrer", f)
	}
	if _, err := s.app.SendReferrerRequest(r.Context(), currentUser(r).ID, in); err != nil {
		return err
	}
	s.flash(r, "referrer.sent")
	http.Redirect(w, r, "/referrer", http.StatusSeeOther)
	return nil
}

// referralDocument downloads a file sent with a referral (staff).
func (s *Server) referralDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := byPathID(r, s.store.ReferralDocumentByID, nil)
	if err != nil {
		return err
	}
	return sendFile(w, d.ContentType, d.Filename, d.Data)
}

// staffOrReferrerReport serves /staff/reports/{id}: the staff read any
// report, a referring physician the reports of their own requests (the
// link they may have received), never a 403 for their own patient.
func (s *Server) staffOrReferrerReport(w http.ResponseWriter, r *http.Request) error {
	if u := currentUser(r); u != nil && u.Role == auth.Referrer {
		return s.referrerReport(w, r)
	}
	return s.reportDocument(w, r)
}
