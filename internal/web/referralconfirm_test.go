package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/fhir"
	"repere/internal/referral"
	"repere/internal/storetest"
)

// fieldError is the text of the error shown next to a field (its
// paragraph err-<field>), "" when there is none.
func fieldError(body, field string) string {
	_, after, ok := strings.Cut(body, `<p class="field-error" id="err-`+field+`">`)
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(after, "</p>")
	return text
}

// TestConfirmationFormRoundTrip: the confirmation of a request's record
// asks how the identity was checked; without a check, with "other" and no
// comment, or with a comment longer than the server's limit, the page comes
// back in French or English with the error next to the field and the form
// as typed, and nothing is confirmed; then the confirmation is recorded
// with its check and comment, in the audit detail and in the referral's
// history in both languages, and the ServiceRequest gets a version.
func TestConfirmationFormRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		id := h.sendPasquierRequest("M")
		confirm := "/staff/referrals/" + id + "/identity/confirm"
		sec, secEN := h.signedIn(auth.Secretary), h.signedIn(auth.Secretary) // ?lang= sticks to the session
		page := sec.get("/staff/referrals/" + id)
		for _, want := range []string{`<select id="identity-check" name="identity_check" required>`, `<option value="id_document" >Pièce d&#39;identité vue à l&#39;accueil</option>`,
			`<option value="patient_called" >Appel du patient</option>`, `<option value="referrer_called" >Appel du prescripteur</option>`, `<option value="other" >Autre</option>`,
			`name="identity_comment" maxlength="` + strconv.Itoa(referral.MaxIdentityComment) + `"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the confirmation form lacks %s", want)
			}
		}

		long := strings.Repeat("é", referral.MaxIdentityComment+1)
		for _, c := range []struct {
			name, lang     string
			form           url.Values
			field, message string
			kept           []string
		}{
			{"no check", "fr", url.Values{"identity_comment": {"Vue hier"}}, "identity_check", "Indiquez comment l&#39;identité a été vérifiée.", []string{`value="Vue hier"`}},
			{"other without a comment", "fr", url.Values{"identity_check": {"other"}}, "identity_comment", "Précisez comment l&#39;identité a été vérifiée",
				[]string{`<option value="other" selected>`}},
			{"a comment too long", "fr", url.Values{"identity_check": {"referrer_called"}, "identity_comment": {long}}, "identity_comment", "Trop long : 500 caractères au plus",
				[]string{`<option value="referrer_called" selected>`, `value="` + long + `"`}},
			{"no check, in English", "en", url.Values{}, "identity_check", "Say how the identity was checked.", nil},
			{"other without a comment, in English", "en", url.Values{"identity_check": {"other"}, "identity_comment": {"  "}}, "identity_comment", "Say how the identity was checked (",
				[]string{`<option value="other" selected>Other</option>`}},
		} {
			client := sec
			if c.lang == "en" {
				client = secEN
			}
			r := client.post(confirm+"?lang="+c.lang, c.form)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.body, c.field), c.message) {
				t.Errorf("%s: %d, next to %s: %q, want %q\n%s", c.name, r.status, c.field, fieldError(r.body, c.field), c.message, errorsOf(r.body))
			}
			if !strings.Contains(r.body, `aria-describedby="err-`+c.field) {
				t.Errorf("%s: the field is not tied to its error", c.name)
			}
			for _, want := range c.kept {
				if !strings.Contains(r.body, want) {
					t.Errorf("%s: the form does not keep %.60s", c.name, want)
				}
			}
		}
		if n := h.auditCount(audit.Filter{Action: "identity_confirm"}); n != 0 {
			t.Fatalf("a refused confirmation audited %d times", n)
		}

		token := "confirm-token"
		if _, err := h.store.CreateAPIClient(system, "DPI", fhir.HashToken(token), []string{"system/*.read"}, storetest.Now().AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		version := func() any {
			_, _, sr := fhirGet(t, h, "/fhir/ServiceRequest/"+id, token)
			meta, _ := sr["meta"].(map[string]any)
			return meta["versionId"]
		}
		before := version()
		comment := "Vue en consultation le 2 décembre"
		if r := sec.post(confirm, url.Values{"identity_check": {"other"}, "identity_comment": {comment}}); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.status, errorsOf(r.body))
		}
		if before != "1" || version() != "2" {
			t.Errorf("the ServiceRequest's version went from %v to %v, want 1 to 2", before, version())
		}
		entries, _ := h.store.SearchAudit(system, audit.Filter{Action: "identity_confirm", Limit: 5})
		if len(entries) != 1 || !strings.HasSuffix(entries[0].Detail, " check=other comment="+comment) {
			t.Errorf("the audit of the confirmation: %+v", entries)
		}
		history := func(body string) string {
			_, after, ok := strings.Cut(body, `id="referral-history"`)
			if !ok {
				t.Fatal("the page has no history")
			}
			return after
		}
		if fr := history(sec.get("/staff/referrals/" + id).body); !strings.Contains(fr, ", vérification : Autre (Vue en consultation le 2 décembre)</li>") {
			t.Errorf("the history does not say how the identity was checked:\n%s", fr)
		}
		if en := history(secEN.get("/staff/referrals/" + id + "?lang=en").body); !strings.Contains(en, ", checked by: Other (Vue en consultation le 2 décembre)</li>") {
			t.Errorf("the English history does not say how the identity was checked:\n%s", en)
		}
	})
}
