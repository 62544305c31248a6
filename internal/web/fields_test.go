package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/fhir"
	"repere/internal/patient"
	"repere/internal/storetest"
)

// TestTooLongFieldsRefused: a 200 KB name is refused next to its field, in
// the user's language, with the rest of the form as typed; the referral's
// texts too; any other form refuses a too-long field and saves nothing.
func TestTooLongFieldsRefused(t *testing.T) {
	huge := strings.Repeat("A", 200<<10)
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		patients := h.count(`SELECT COUNT(*) FROM patients`)
		form := url.Values{"birth_name": {huge}, "first_names": {"Zoé"}, "birth_date": {"1991-04-12"}, "sex": {"F"}, "address": {"12 rue des Lilas, Lyon"}}
		r := c.post("/staff/patients", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-birth_name"`) || !strings.Contains(r.body, "Trop long : 100 caractères au plus") {
			t.Fatalf("200 KB birth name: %d\n%s", r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.body, `value="Zoé"`) || !strings.Contains(r.body, `value="12 rue des Lilas, Lyon"`) || !strings.Contains(r.body, huge[:1000]) {
			t.Error("the refused form lost what was typed")
		}
		form.Set("birth_name", "Lefèvre")
		form.Set("address", strings.Repeat("rue ", 100))
		r = c.do("POST", "/staff/patients?lang=en", withToken(c, form), nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-address"`) || !strings.Contains(r.body, "Too long: 300 characters at most") {
			t.Errorf("400-character address, in English: %d\n%s", r.status, errorsOf(r.body))
		}
		if n := h.count(`SELECT COUNT(*) FROM patients`); n != patients {
			t.Errorf("a patient was recorded: %d → %d", patients, n)
		}
		c.get("/staff?lang=fr")

		id := h.firstPatientID()
		ref := url.Values{"act": {"facet_joint_infiltration"}, "levels": {"L4-L5"}, "urgency": {"routine"}, "indication": {strings.Repeat("é", 2001)},
			"other_physician": {strings.Repeat("Dr ", 100)}}
		r = c.post("/staff/patients/"+id+"/referrals", ref)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-indication"`) || !strings.Contains(r.body, `id="err-other_physician"`) ||
			!strings.Contains(r.body, `value="L4-L5"`) {
			t.Errorf("too-long indication and physician: %d\n%s", r.status, errorsOf(r.body))
		}

		// Another form: refused whole, nothing saved.
		appt := h.appointmentID()
		r = c.post("/staff/appointments/"+appt+"/cancel", url.Values{"reason": {huge}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "rien n&#39;a été enregistré") {
			t.Errorf("200 KB cancel reason: %d\n%s", r.status, errorsOf(r.body))
		}
		if list, _ := h.store.ListAppointments(system, storeFilterID(appt)); list[0].Status != booking.Booked {
			t.Errorf("the appointment was cancelled: %s", list[0].Status)
		}
	})
}

func withToken(c *client, form url.Values) url.Values {
	form.Set("csrf_token", c.csrf())
	return form
}

// fhirDo sends one FHIR request with a token.
func fhirDo(t *testing.T, h *harness, method, path, token, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	return resp, v
}

// TestFHIRWildcardsLengthsAndNoStore: name=% finds only the names holding a
// literal %, a 200 KB family name is refused as too long, and no FHIR
// answer may be cached.
func TestFHIRWildcardsLengthsAndNoStore(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		token := "fhir-test-token"
		if _, err := h.store.CreateAPIClient(system, "DPI", fhir.HashToken(token), []string{"system/*.read", "system/*.write"}, storetest.Now().AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Taux %Plein", FirstNames: "Anne", BirthDate: "1980-01-01", Sex: "F"}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			query string
			total float64
		}{{"name=%25", 1}, {"name=_", 0}, {"family=%25", 1}, {"given=%25", 0}, {"name=%25plein", 1}} {
			resp, bundle := fhirDo(t, h, "GET", "/fhir/Patient?"+tt.query, token, "")
			if resp.StatusCode != http.StatusOK || bundle["total"] != tt.total {
				t.Errorf("Patient?%s: %d, total %v, want %v", tt.query, resp.StatusCode, bundle["total"], tt.total)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Patient?%s: Cache-Control %q", tt.query, cc)
			}
		}
		for _, path := range []string{"/fhir/metadata", "/fhir/Patient/1", "/fhir/Appointment"} {
			if resp, _ := fhirDo(t, h, "GET", path, token, ""); resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
			}
		}
		if resp, _ := fhirDo(t, h, "GET", "/fhir/Patient", "wrong", ""); resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("401: Cache-Control %q", resp.Header.Get("Cache-Control"))
		}

		patients := h.count(`SELECT COUNT(*) FROM patients`)
		body := `{"resourceType":"Patient","name":[{"use":"official","family":"` + strings.Repeat("A", 200<<10) + `","given":["Léa"]}],"gender":"female","birthDate":"1985-03-12"}`
		resp, oo := fhirDo(t, h, "POST", "/fhir/Patient", token, body)
		issues, _ := oo["issue"].([]any)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(issues) == 0 || issues[0].(map[string]any)["code"] != "too-long" {
			t.Errorf("FHIR Patient with a 200 KB family name: %d %v", resp.StatusCode, oo)
		}
		ref := `{"resourceType":"ServiceRequest","status":"active","intent":"order","code":{"coding":[{"system":"urn:repere:act","code":"facet_joint_infiltration"}]},
			"subject":{"reference":"Patient/` + h.firstPatientID() + `"},"reasonCode":[{"text":"` + strings.Repeat("x", 3000) + `"}],"bodySite":[{"text":"` + strings.Repeat("L4", 60) + `"}]}`
		resp, oo = fhirDo(t, h, "POST", "/fhir/ServiceRequest", token, ref)
		if got, _ := json.Marshal(oo); resp.StatusCode != http.StatusUnprocessableEntity || strings.Count(string(got), `"too-long"`) != 2 {
			t.Errorf("FHIR ServiceRequest with too-long indication and levels: %d %s", resp.StatusCode, got)
		}
		if n := h.count(`SELECT COUNT(*) FROM patients`); n != patients {
			t.Errorf("a patient was recorded: %d → %d", patients, n)
		}
	})
}

// TestNoStoreOnPatientData: every answer that may hold patient data (staff
// pages, documents, redirects, the portal and the questionnaire link) tells
// browsers and proxies not to keep it.
func TestNoStoreOnPatientData(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		appt := h.appointmentID()
		paths := []string{"/staff", "/staff/patients?q=lef", "/staff/patients/" + h.firstPatientID(), "/staff/day", "/staff/appointments/" + appt,
			"/staff/appointments/" + appt + "/convocation.pdf", "/staff/appointments/" + appt + "/convocation.ics", "/staff/consents/" + h.consentID() + "/document",
			"/staff/reports/" + h.reportID(), "/staff/nowhere"}
		for _, path := range paths {
			if r := c.get(path); r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s (%d): Cache-Control %q", path, r.status, r.header.Get("Cache-Control"))
			}
		}
		p := h.client()
		for _, path := range []string{"/portal/", "/q/" + h.questionnaireToken(), "/portal/reports/" + h.reportID(), "/staff/patients"} {
			if r := p.get(path); r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s (%d): Cache-Control %q", path, r.status, r.header.Get("Cache-Control"))
			}
		}
		if r := p.get("/static/app.css"); strings.Contains(r.header.Get("Cache-Control"), "no-store") {
			t.Errorf("static files: Cache-Control %q, want them cached", r.header.Get("Cache-Control"))
		}
	})
}
