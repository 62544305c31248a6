package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/pdftest"
	"repere/internal/screening"
	"repere/internal/storetest"
)

// bookFirstSlot books a referral on its first proposed slot and returns the
// appointment's id.
func bookFirstSlot(t *testing.T, h *harness, c *client, ref string) string {
	t.Helper()
	page := c.get("/staff/referrals/" + ref)
	m := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no slot proposed")
	}
	link := html.UnescapeString(m[1])
	q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
	if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
		t.Fatalf("book: %d\n%s", r.status, errorsOf(r.body))
	}
	list, _ := h.store.ListAppointments(system, storeFilterReferral(ref))
	return itoa(list[len(list)-1].ID)
}

// TestPracticeDecisionAppliesOnEveryPath: a lumbar facet injection for a
// patient on clopidogrel asks the radiologist while the ASRA row ("no
// stop", not confirmed) awaits the practice's decision: the referral page,
// the board and the letter all say so. Once a radiologist confirms the row
// on the review page, with a reason, every path reads it confirmed; a
// withdrawal brings the review back. Reading the review is for every staff
// member, deciding for the radiologists, always with a reason.
func TestPracticeDecisionAppliesOnEveryPath(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		sec, doc := h.signedIn(auth.Secretary), h.signedIn(auth.Radiologist)
		ref := h.referralID("DUPRÉ") // facet joint injection at L4-L5, L5-S1: low bleeding risk
		form := safeAnswers(t, h.cat, "facet_joint_infiltration")
		form.Set("q.takes_medicines", "yes")
		form.Set("t.0.drug", "clopidogrel")
		form.Set("version", "0")
		if r := sec.post("/staff/referrals/"+ref+"/screening", form); r.status != http.StatusSeeOther {
			t.Fatalf("questionnaire: %d", r.status)
		}
		appt := bookFirstSlot(t, h, sec, ref)
		key, rowID := screening.HoldKey("clopidogrel", "low"), "row-hold-clopidogrel-low"
		paths := func(wantClear bool) {
			t.Helper()
			page := sec.get("/staff/referrals/" + ref)
			clear := strings.Contains(page.body, `id="verdict">Rien ne s&#39;oppose`)
			if clear != wantClear {
				t.Errorf("referral page: clear %v, want %v", clear, wantClear)
			}
			if wantClear != strings.Contains(page.body, "confirmé par le cabinet") {
				t.Errorf("referral page: the practice's confirmation shown %v, want %v", !wantClear, wantClear)
			}
			list, _ := h.store.ListAppointments(system, storeFilterID(appt))
			safety, err := h.app.SafetyOf(audit.WithActor(context.Background(), audit.System("test")), list)
			if err != nil {
				t.Fatal(err)
			}
			if got := safety[list[0].ID].Status; (got == screening.Clear) != wantClear {
				t.Errorf("board: %s, want clear %v", got, wantClear)
			}
			letter := visible(sec.get("/staff/appointments/" + appt).body)
			calls := strings.Contains(letter, "Clopidogrel : ne modifiez pas ce traitement de vous-même")
			keeps := strings.Contains(letter, "Clopidogrel : continuez ce traitement")
			if calls == wantClear || keeps != wantClear {
				t.Errorf("letter: calls %v, continue %v; want continue %v", calls, keeps, wantClear)
			}
		}
		paths(false)

		review := "/staff/review/facet_joint_infiltration"
		page := sec.get(review)
		if page.status != http.StatusOK || !strings.Contains(page.body, `id="`+rowID+`"`) || strings.Contains(page.body, `name="key"`) {
			t.Fatalf("the secretary reads the review without deciding: %d", page.status)
		}
		if r := sec.post(review+"/decide", url.Values{"key": {key}, "choice": {"confirm"}, "reason": {"x"}}); r.status != http.StatusForbidden {
			t.Errorf("secretary's decision: %d, want 403", r.status)
		}
		r := doc.post(review+"/decide", url.Values{"key": {key}, "choice": {"confirm"}, "reason": {"  "}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Donnez la raison") || !strings.Contains(r.body, `value="confirm" checked`) {
			t.Fatalf("decision without a reason: %d", r.status)
		}
		if r := doc.post(review+"/decide", url.Values{"key": {"hold:nothing:low"}, "choice": {"confirm"}, "reason": {"x"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("decision on an unknown row: %d", r.status)
		}
		reason := "Narouze 2018, tableau relu : pas d'arrêt pour un geste à faible risque"
		if r := doc.post(review+"/decide", url.Values{"key": {key}, "choice": {"confirm"}, "reason": {reason}}); r.status != http.StatusSeeOther {
			t.Fatalf("confirming: %d\n%s", r.status, errorsOf(r.body))
		}
		page = doc.get(review)
		row := page.body[strings.Index(page.body, `id="`+rowID+`"`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "Décidée par le cabinet") || !strings.Contains(html.UnescapeString(row), reason) || !strings.Contains(row, "Test radiologist") {
			t.Errorf("the decision is not on its row:\n%s", row)
		}
		paths(true)

		pdf := doc.get(review + "/pdf")
		if pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
			t.Fatalf("review PDF: %d", pdf.status)
		}
		if text := pdftest.Text(t, []byte(pdf.body)); !strings.Contains(text, "Test radiologist") || !strings.Contains(text, "médecin directeur") {
			t.Error("the PDF lacks the decision or the signature block")
		}

		if r := doc.post(review+"/decide", url.Values{"key": {key}, "choice": {"revoke"}, "reason": {"relecture en staff"}}); r.status != http.StatusSeeOther {
			t.Fatalf("withdrawing: %d", r.status)
		}
		paths(false)
	})
}

// TestQuestionnaireFitsThePatient: no pregnancy question for a man (his
// questionnaire is complete without it), the drug list in French order.
func TestQuestionnaireFitsThePatient(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	man := h.referralID("PETIT") // Thierry Petit, lumbar epidural injection
	form := sec.get("/staff/referrals/" + man + "/screening")
	if strings.Contains(form.body, `name="q.pregnancy_possible"`) || strings.Contains(form.body, `name="q.breastfeeding"`) {
		t.Error("a man is asked about pregnancy or breastfeeding")
	}
	woman := sec.get("/staff/referrals/" + h.referralID("DURAND") + "/screening")
	if !strings.Contains(woman.body, `name="q.pregnancy_possible"`) {
		t.Error("a woman is not asked about pregnancy")
	}
	names := regexp.MustCompile(`<option value="[a-z_]+" >([^<(]+)`).FindAllStringSubmatch(form.body, -1)
	var order []string
	for _, n := range names {
		order = append(order, strings.TrimSpace(html.UnescapeString(n[1])))
	}
	at := func(prefix string) int {
		return slices.IndexFunc(order, func(s string) bool { return strings.HasPrefix(s, prefix) })
	}
	if e, f, w := at("Édoxaban"), at("Fluindione"), at("Warfarine"); e < 0 || !(e < f && f < w) {
		t.Errorf("drug list not in French order: Édoxaban %d, Fluindione %d, Warfarine %d in %v", e, f, w, order)
	}
	answers := safeAnswers(t, h.cat, "lumbar_epidural_infiltration")
	answers.Del("q.pregnancy_possible")
	answers.Del("q.breastfeeding")
	answers.Set("version", "0")
	if r := sec.post("/staff/referrals/"+man+"/screening", answers); r.status != http.StatusSeeOther {
		t.Fatalf("saving: %d", r.status)
	}
	if page := sec.get("/staff/referrals/" + man); !strings.Contains(page.body, `id="verdict">Rien ne s&#39;oppose`) {
		t.Errorf("a man's questionnaire without pregnancy answers is not complete\n%s", visible(page.body[strings.Index(page.body, `id="screening-h"`):])[:600])
	}
}
