package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"repere/internal/auth"
)

// TestSecretaryRecordsPatientAndReferral goes through the intake forms: bad
// input kept with field errors, a duplicate caught, then a referral.
func TestSecretaryRecordsPatientAndReferral(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		if r := c.get("/staff/patients/new"); r.status != http.StatusOK {
			t.Fatalf("new patient form: %d", r.status)
		}
		form := url.Values{"birth_name": {"Lefèvre"}, "first_names": {"Zoé"}, "birth_date": {"2091-04-12"}, "sex": {"F"}, "phone": {"06 1"}, "ins": {"123"}}
		r := c.post("/staff/patients", form)
		for _, want := range []string{"date passée", "au moins 10 chiffres", "15 caractères", `value="Lefèvre"`, `value="06 1"`, `aria-invalid="true"`} {
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) {
				t.Errorf("bad patient: %d, body lacks %q", r.status, want)
			}
		}
		form.Set("birth_date", "1991-04-12")
		form.Set("phone", "06 12 34 56 78")
		form.Del("ins")
		r = c.post("/staff/patients", form)
		if r.status != http.StatusConflict || !strings.Contains(r.body, "existe déjà") || !strings.Contains(r.body, "LEFÈVRE Zoé") {
			t.Fatalf("duplicate not caught: %d", r.status)
		}
		form.Set("first_names", "Chloé")
		r = c.post("/staff/patients", form)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/referrals/new") {
			t.Fatalf("new patient: %d %q", r.status, r.header.Get("Location"))
		}
		next := r.header.Get("Location")
		if page := c.get(next); page.status != http.StatusOK || !strings.Contains(page.body, "LEFÈVRE Chloé") {
			t.Fatalf("referral form: %d", page.status)
		}
		post := strings.TrimSuffix(next, "/new")
		bad := url.Values{"act": {"no_such_act"}, "side": {"up"}, "urgency": {"routine"}, "indication": {"Céphalées"}}
		if r := c.post(post, bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choisissez l&#39;acte") || !strings.Contains(r.body, "Céphalées") {
			t.Fatalf("bad referral: %d", r.status)
		}
		good := url.Values{"act": {"epidural_blood_patch"}, "levels": {"L3-L4"}, "side": {""}, "urgency": {"urgent"},
			"indication": {"Céphalées posturales après rachianesthésie"}, "other_physician": {"Dr Marc Olivier"}, "physician_id": {"0"}}
		r = c.post(post, good)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/staff/referrals/") {
			t.Fatalf("referral: %d %q", r.status, r.header.Get("Location"))
		}
		page := c.get(r.header.Get("Location"))
		for _, want := range []string{"Blood patch épidural sous scanner", "LEFÈVRE Chloé", "Dr Marc Olivier", "Urgente", "Programmer l&#39;acte"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("referral page lacks %q", want)
			}
		}
	})
}
