package web_test

import (
	"html"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/pdftest"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/storetest"
)

// dataNotes collects every `note` of the clinical data (catalogue and
// screening): explanations for the people who maintain the data, never for
// the staff's screens.
func dataNotes(t *testing.T, h *harness) []string {
	t.Helper()
	var notes []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Name == "Note" && f.Type.Kind() == reflect.String {
					if n := v.Field(i).String(); len(n) > 12 {
						notes = append(notes, n)
					}
					continue
				}
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		}
	}
	set := h.app.Screening()
	for _, a := range h.cat.Acts() {
		walk(reflect.ValueOf(a))
	}
	for _, x := range []any{set.Rules(), set.HoldRows(), set.Drugs(), set.Requirements(), set.Thresholds()} {
		walk(reflect.ValueOf(x))
	}
	for _, lab := range []string{screening.LabINR, screening.LabPlatelets, screening.LabEGFR, screening.LabCreatinine} {
		l, _ := set.Lab(lab)
		walk(reflect.ValueOf(l))
	}
	if len(notes) < 100 {
		t.Fatalf("only %d notes found in the data: the walk no longer sees them", len(notes))
	}
	return notes
}

// internals are the data's own words: "allergy_contrast = yes", "takes
// apixaban (doac)", "no result of egfr or creatinine".
var internals = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+ = |\b(?:inr|egfr|creatinine|platelets|weight_kg) = |\btakes [a-z_]+ \(|\((?:doac|vka|nsaid|antiplatelet|heparin)\)|no result of [a-z_]+`)

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]+>`)

// visible is the text a page shows: tags removed, entities decoded. Form
// field names and ids (q.allergy_contrast) are not shown to anyone.
func visible(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
}

// TestDemoDayShowsNoDataInternals renders every page of the demo day, as
// each role that uses it, with questionnaires that produce findings of
// every kind (holds with two sources, renal failure, a cervical facet, an
// unknown medicine, missing answers, the creatinine clearance), the
// convocation PDFs included, and fails on any note of the data or any
// "key = value" of the engine's trace.
func TestDemoDayShowsNoDataInternals(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		notes := dataNotes(t, h)
		sec, doc, manip := h.signedIn(auth.Secretary), h.signedIn(auth.Radiologist), h.signedIn(auth.Radiographer)
		fill := func(name, act string, set map[string]string) {
			form := safeAnswers(t, h.cat, act)
			for k, v := range set {
				form.Set(k, v)
			}
			form.Set("version", "0")
			if r := sec.post("/staff/referrals/"+h.referralID(name)+"/screening", form); r.status != http.StatusSeeOther {
				t.Fatalf("questionnaire of %s: %d\n%s", name, r.status, errorsOf(r.body))
			}
		}
		today := storetest.Now().In(paris).Format(time.DateOnly)
		fill("DUPRÉ", "facet_joint_infiltration", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "clopidogrel", "t.1.drug": "other", "t.1.other": "Tisane inconnue",
			"q.renal_failure": "yes", "lab.creatinine.value": "140", "lab.creatinine.date": today, "lab.inr.value": "2,5", "lab.inr.date": today})
		fill("MERCIER", "facet_joint_infiltration", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "ibuprofen"})
		fill("LEMAÎTRE", "vertebroplasty", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "dabigatran", "q.weight_kg": "64",
			"lab.creatinine.value": "95", "lab.creatinine.date": today, "lab.inr.value": "1", "lab.inr.date": today, "lab.platelets.value": "230", "lab.platelets.date": today})
		fill("PETIT", "lumbar_epidural_infiltration", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "apixaban", "q.diabetes": "yes", "q.pregnancy_possible": ""})
		// Durand's questionnaire stays empty: "not filled in yet".

		var pages []string
		for _, p := range []string{"/staff", "/staff/day", "/staff/planning", "/staff/planning?view=week", "/staff/referrals", "/staff/patients",
			"/staff/waiting", "/staff/reports", "/staff/catalogue"} {
			pages = append(pages, p)
		}
		for _, a := range h.cat.Acts() {
			pages = append(pages, "/staff/catalogue/"+a.ID, "/actes/"+a.Slug)
		}
		refs, err := h.store.ListReferrals(system, store.ReferralFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			pages = append(pages, "/staff/referrals/"+itoa(r.ID), "/staff/referrals/"+itoa(r.ID)+"/screening", "/staff/patients/"+itoa(r.PatientID))
		}
		appts, err := h.store.ListAppointments(system, store.AppointmentFilter{})
		if err != nil || len(appts) == 0 {
			t.Fatalf("demo appointments: %v", err)
		}
		var booked []booking.Appointment
		for _, a := range appts {
			id := "/staff/appointments/" + itoa(a.ID)
			pages = append(pages, id, id+"/checkin", id+"/checklist", id+"/record", id+"/discharge", id+"/report", id+"/consent")
			if a.Status == booking.Booked {
				booked = append(booked, a)
			}
		}
		h.onTheDay(itoa(booked[0].ID)) // the board, the checklist and the check-in as on the day
		check := func(who, where, text string) {
			t.Helper()
			for _, n := range notes {
				if strings.Contains(text, n) {
					t.Errorf("%s %s shows a note of the data: %q", who, where, n)
				}
			}
			for _, dev := range []string{"Repère organisational default", "not found in the retrieved text", "to be adjusted by the practice", "General clinical knowledge of"} {
				if strings.Contains(text, dev) {
					t.Errorf("%s %s shows words meant for the data's authors: %q", who, where, dev)
				}
			}
			if m := internals.FindString(text); m != "" {
				i := strings.Index(text, m)
				t.Errorf("%s %s shows the data's internals: %q in …%s…", who, where, m, text[max(0, i-80):min(len(text), i+80)])
			}
		}
		for _, c := range []struct {
			who    string
			client *client
		}{{"secretary", sec}, {"radiologist", doc}, {"radiographer", manip}} {
			for _, p := range pages {
				r := c.client.get(p)
				if r.status != http.StatusOK {
					continue // a step not open yet, or not for this role: nothing shown
				}
				check(c.who, p, visible(r.body))
			}
		}
		for _, a := range booked {
			r := sec.get("/staff/appointments/" + itoa(a.ID) + "/convocation.pdf")
			if r.status != http.StatusOK {
				continue // a contraindicated act gets no letter
			}
			check("secretary", "convocation.pdf of "+itoa(a.ID), pdftest.Text(t, []byte(r.body)))
		}
		// The findings themselves are there, in words.
		page := visible(doc.get("/staff/referrals/" + h.referralID("DUPRÉ")).body)
		for _, want := range []string{"Traitement : Clopidogrel", "Médicament hors liste : Tisane inconnue", "Insuffisance rénale : oui", "INR : 2,5"} {
			if !strings.Contains(page, want) {
				t.Errorf("Dupré's findings lack %q", want)
			}
		}
		if page := visible(doc.get("/staff/referrals/" + h.referralID("MERCIER")).body); !strings.Contains(page, "au niveau cervical") {
			t.Error("the cervical facet's class finding is not shown")
		}
		if page := visible(doc.get("/staff/referrals/" + h.referralID("LEMAÎTRE")).body); !strings.Contains(page, "Clairance de la créatinine (Cockcroft-Gault) :") {
			t.Error("the creatinine clearance is not shown")
		}
		if page := visible(doc.get("/staff/referrals/" + h.referralID("DURAND")).body); !strings.Contains(page, "Questionnaire pas encore rempli") || strings.Contains(page, "sans réponse") {
			t.Error("an empty questionnaire is not one line")
		}
	})
}
