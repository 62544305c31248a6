package web

import (
	"net/http"
	"strings"
	"time"

	"repere/internal/catalog"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
)

// patientForm is the new-patient form, kept as typed when refused.
type patientForm struct {
	Patient    patient.Patient
	Errors     map[string]string // field -> translated message
	Duplicates []patient.Patient // same identity already recorded
}

func (s *Server) newPatientForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "patient_new", "patient_new.title", "patients", patientForm{Patient: patient.Patient{}}) // no sex chosen for the secretary
}

func patientFromForm(r *http.Request) patient.Patient {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return patient.Patient{BirthName: v("birth_name"), UsedName: v("used_name"), FirstNames: v("first_names"), BirthDate: v("birth_date"),
		Sex: v("sex"), INS: v("ins"), Phone: v("phone"), Email: v("email"), Address: v("address")}
}

// createPatient records a patient after checking the identity and looking for
// a record of the same person; a possible duplicate must be confirmed.
func (s *Server) createPatient(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	f := patientForm{Patient: patientFromForm(r), Errors: map[string]string{}}
	for field, key := range f.Patient.Validate(s.now()) {
		f.Errors[field] = l.T(key, "Max", patient.MaxLength[field])
	}
	if len(f.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "patient_new", "patient_new.title", "patients", f)
	}
	id, dups, err := s.app.CreatePatient(r.Context(), f.Patient, r.PostFormValue("not_a_duplicate") == "yes")
	if err != nil {
		return err
	}
	if len(dups) > 0 {
		f.Duplicates = dups
		return s.render(w, r, http.StatusConflict, "patient_new", "patient_new.title", "patients", f)
	}
	s.flash(r, "patient_new.done")
	http.Redirect(w, r, "/staff/patients/"+itoa(id)+"/referrals/new", http.StatusSeeOther)
	return nil
}

// referralForm is the new-referral form, kept as typed when refused.
type referralForm struct {
	Patient    patient.Patient
	Referral   referral.Referral
	OtherDoc   string
	Acts       []*catalog.Act
	Physicians []practice.Physician
	Sides      []string
	Urgencies  []referral.Urgency
	Errors     map[string]string
}

func (s *Server) referralFormPage(r *http.Request, f *referralForm) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if f.Patient, err = s.store.Patient(r.Context(), id); err != nil {
		return err
	}
	if f.Physicians, err = s.store.Physicians(r.Context()); err != nil {
		return err
	}
	f.Acts, f.Sides, f.Urgencies = s.catalog.Acts(), referral.Sides, referral.Urgencies
	return nil
}

func (s *Server) newReferralForm(w http.ResponseWriter, r *http.Request) error {
	f := referralForm{Referral: referral.Referral{Urgency: referral.Routine, PrescriptionDate: s.now().In(s.loc()).Format(time.DateOnly)}}
	if err := s.referralFormPage(r, &f); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "referral_new", "referral_new.title", "referrals", f)
}

// createReferral records a physician's request for an act for the patient.
func (s *Server) createReferral(w http.ResponseWriter, r *http.Request) error {
	patientID, err := pathID(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := referralForm{OtherDoc: v("other_physician"), Errors: map[string]string{}, Referral: referral.Referral{PatientID: patientID,
		ActID: v("act"), Levels: v("levels"), Side: v("side"), Indication: v("indication"), Urgency: referral.Urgency(v("urgency")),
		PriorImaging: v("prior_imaging"), PrescriptionDate: v("prescription_date"), PhysicianID: formID(r, "physician_id")}}
	lengthErrors(r, f.Errors) // other_physician; the referral's own texts below
	for field, key := range f.Referral.Validate(s.now().In(s.loc())) {
		f.Errors[field] = l.T(key, "Max", referral.MaxLength[field])
	}
	if _, ok := s.catalog.Act(f.Referral.ActID); !ok {
		f.Errors["act"] = l.T("referral.err.act")
	}
	if len(f.Errors) == 0 {
		// The use case's one unit of work; the form is read again only
		// to show a refusal, in a read unit of its own.
		id, err := s.app.CreateReferral(r.Context(), f.Referral, f.OtherDoc)
		if isRefusal(err, "referral.err.physician") {
			f.Errors["physician"] = l.T("referral.err.physician")
		} else if err != nil {
			return err
		} else {
			s.flash(r, "referral_new.done")
			http.Redirect(w, r, "/staff/referrals/"+itoa(id), http.StatusSeeOther)
			return nil
		}
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		if err := s.referralFormPage(r, &f); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "referral_new", "referral_new.title", "referrals", f)
	}}, w, r)
}
