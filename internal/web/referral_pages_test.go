package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestReferralPageDatesInTheUsersFormat: the referral's page shows the
// prescription date and the birth dates of the identity check as the rest of
// the product does (21/07/1976), not as stored (1976-07-21).
func TestReferralPageDatesInTheUsersFormat(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	demoRef, _ := strconv.ParseInt(h.referralID("PASQUIER"), 10, 64)
	known, _ := h.store.Referral(system, demoRef)
	prescribed, err := time.Parse(time.DateOnly, known.PrescriptionDate)
	if err != nil {
		t.Fatalf("the demo referral's prescription date %q: %v", known.PrescriptionDate, err)
	}
	sec := h.signedIn(auth.Secretary)
	page := sec.get("/staff/referrals/" + itoa(demoRef))
	if want := prescribed.Format("02/01/2006"); !strings.Contains(page.body, "<dd>"+want+"</dd>") {
		t.Errorf("the referral's page does not show the prescription date as %s", want)
	}
	if strings.Contains(page.body, ">"+known.PrescriptionDate+"<") {
		t.Errorf("the referral's page shows the prescription date as stored, %s", known.PrescriptionDate)
	}

	_, id, _ := h.pasquierRequest("M")
	page = sec.get("/staff/referrals/" + id)
	if !strings.Contains(page.body, `id="identity"`) {
		t.Fatal("the request's page has no identity check")
	}
	if strings.Contains(page.body, "1976-07-21") {
		t.Error("the identity check shows a birth date as stored (1976-07-21)")
	}
	if n := strings.Count(page.body, "21/07/1976"); n < 2 { // the identity sent and the record it is filed on
		t.Errorf("the identity check shows 21/07/1976 %d times, want the identity sent and the record", n)
	}
}

// TestReferralPageNamesThePatientNotTheLinksLogin: when the patient
// answered through their link, the referral's page says so in words ("le
// patient, lien n° 3"), not with the audit log's login ("patient-link:3"),
// in the answers' line and in the request's history.
func TestReferralPageNamesThePatientNotTheLinksLogin(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	staff := h.signedIn(auth.Secretary)
	ref := newReferral(t, h, "Lien", "facet_joint_infiltration")
	page := staff.post("/staff/referrals/"+ref+"/screening/link", nil)
	m := regexp.MustCompile(`<code id="patient-link">https?://[^/]+(/q/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no link shown: %d", page.status)
	}
	patient := h.client()
	if r := patient.post(m[1], url.Values{"birth_date": {"1975-03-03"}}); r.status != http.StatusSeeOther {
		t.Fatalf("birth date: %d", r.status)
	}
	answers := safeAnswers(t, h.cat, "facet_joint_infiltration")
	answers.Set("version", "0")
	if r := patient.post(m[1], answers); r.status != http.StatusOK || !strings.Contains(r.body, `id="q-done"`) {
		t.Fatalf("sending: %d\n%s", r.status, errorsOf(r.body))
	}
	page = staff.get("/staff/referrals/" + ref)
	if strings.Contains(page.body, "patient-link") {
		t.Errorf("the referral's page shows the link's login: %q", regexp.MustCompile(`[^>]*patient-link[^<]*`).FindAllString(page.body, -1))
	}
	if !regexp.MustCompile(`Réponses du [^(<]+\(le patient, lien n° \d+\)`).MatchString(page.body) {
		t.Error("the answers' line does not say the patient answered through their link")
	}
	if !regexp.MustCompile(`(?s)id="referral-history">.*— le patient, lien n° \d+ :`).MatchString(page.body) {
		t.Error("the history does not say the patient's answers moved the request")
	}
	page = staff.get("/staff/referrals/" + ref + "?lang=en")
	if !regexp.MustCompile(`Answers of [^(<]+\(the patient, link no\. \d+\)`).MatchString(page.body) {
		t.Error("the answers' line in English does not name the patient")
	}
}

// TestWaitingListFormKeepsWhatWasTyped: a waiting-list window the wrong
// way round or with an unreadable date shows the referral's page again
// with the form open, what was typed kept and what is wrong said, not a
// bare error page leading to the public home.
func TestWaitingListFormKeepsWhatWasTyped(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	ref := h.referralID("BERNARD")
	from, to := nextDay(7, time.Monday).Format(time.DateOnly), nextDay(17, time.Monday).Format(time.DateOnly)
	r := sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {to}, "latest": {from}, "notes": {"préfère le matin"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a window the wrong way round: %d", r.status)
	}
	for _, want := range []string{`id="wait-errors"`, "La date « Pas après le » tombe avant la date « Pas avant le »", `value="` + to + `"`, `value="` + from + `"`, `value="préfère le matin"`, `id="book-h"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page shown again lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<details class="wait" id="wait" open>`).MatchString(r.body) {
		t.Error("the waiting-list form is not open")
	}
	r = sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {"20/12/2026"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "n&#39;est pas une date valide") || !strings.Contains(r.body, `value="20/12/2026"`) {
		t.Errorf("an unreadable date: %d\n%s", r.status, errorsOf(r.body))
	}
	past := storetest.Now().In(paris).AddDate(0, 0, -1).Format(time.DateOnly)
	r = sec.post("/staff/referrals/"+ref+"/wait", url.Values{"latest": {past}, "notes": {"préfère le matin"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "est déjà passée") || !strings.Contains(r.body, `value="`+past+`"`) {
		t.Errorf("a window already over: %d\n%s", r.status, errorsOf(r.body))
	}
	if r = sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {from}, "latest": {to}}); r.status != http.StatusSeeOther {
		t.Errorf("a right window: %d", r.status)
	}
}

// TestReferralListReachesEveryReferral: the referrals' list shows a page of
// the newest and links to the older ones, its status filter kept, instead
// of silently leaving out every referral past the hundredth.
func TestReferralListReachesEveryReferral(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		for i := range 120 {
			newReferral(t, h, fmt.Sprintf("Ancien%03d", i), "facet_joint_infiltration")
		}
		all, err := h.store.ListReferrals(system, store.ReferralFilter{Limit: 200})
		if err != nil || len(all) < 125 {
			t.Fatalf("%d referrals: %v", len(all), err)
		}
		sec := h.signedIn(auth.Secretary)
		rowID := regexp.MustCompile(`<td><a href="/staff/referrals/(\d+)">`)
		seen := map[string]bool{}
		next := "/staff/referrals?status=received"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("the pages do not end")
			}
			page := sec.get(next)
			if page.status != http.StatusOK {
				t.Fatalf("%s: %d", next, page.status)
			}
			for _, m := range rowID.FindAllStringSubmatch(page.body, -1) {
				if seen[m[1]] {
					t.Errorf("referral %s listed twice", m[1])
				}
				seen[m[1]] = true
			}
			next = ""
			if m := regexp.MustCompile(`<a href="(/staff/referrals\?[^"]*page=\d+[^"]*)" rel="next"`).FindStringSubmatch(page.body); m != nil {
				next = strings.ReplaceAll(m[1], "&amp;", "&")
				if !strings.Contains(next, "status=received") {
					t.Errorf("the next page %s drops the status filter", next)
				}
			}
		}
		received, _ := h.store.ListReferrals(system, store.ReferralFilter{Status: "received", Limit: 200})
		if len(seen) != len(received) {
			t.Errorf("the pages list %d received referrals, the practice has %d", len(seen), len(received))
		}
	})
}

// TestReferralFormDoubleSubmit: a double click on "Enregistrer la demande"
// (two identical forms at once, or one after the other) records one
// referral and leads both answers to it, instead of two requests for the
// same act that could each be booked.
func TestReferralFormDoubleSubmit(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		sec := h.signedIn(auth.Secretary)
		pid, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Doublon", FirstNames: "Clic", BirthDate: "1970-01-02", Sex: "F"})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"act": {"facet_joint_infiltration"}, "levels": {"L4-L5"}, "side": {"bilateral"}, "urgency": {"routine"},
			"prescription_date": {h.clock.Now().In(paris).Format(time.DateOnly)}, "physician_id": {"0"}, "indication": {"Lombalgie facettaire"}}
		form.Set("csrf_token", sec.csrf())
		var wg sync.WaitGroup
		answers := make([]response, 2)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = sec.do("POST", "/staff/patients/"+itoa(pid)+"/referrals", form, nil)
			}()
		}
		wg.Wait()
		again := sec.post("/staff/patients/"+itoa(pid)+"/referrals", form)
		for i, r := range append(answers, again) {
			if r.status != http.StatusSeeOther || r.header.Get("Location") != answers[0].header.Get("Location") {
				t.Errorf("answer %d: %d %s, want the same referral as the first (%s)", i, r.status, r.header.Get("Location"), answers[0].header.Get("Location"))
			}
		}
		if refs, _ := h.store.ListReferrals(system, store.ReferralFilter{PatientID: pid}); len(refs) != 1 {
			t.Errorf("%d referrals recorded, want one", len(refs))
		}
		form.Set("side", "left") // another request: recorded
		if r := sec.post("/staff/patients/"+itoa(pid)+"/referrals", form); r.status != http.StatusSeeOther || r.header.Get("Location") == answers[0].header.Get("Location") {
			t.Errorf("a different request: %d %s", r.status, r.header.Get("Location"))
		}
	})
}

// TestWaitingListOnceAndOpenReferralsOnly: a referral waits once (a second
// entry is refused, said on the form), the window reads as 10/12/2026, and a
// referral cancelled or done leaves the list instead of being offered slots.
func TestWaitingListOnceAndOpenReferralsOnly(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	ref := h.referralID("BERNARD")
	from, to := nextDay(7, time.Monday), nextDay(17, time.Monday)
	window := url.Values{"earliest": {from.Format(time.DateOnly)}, "latest": {to.Format(time.DateOnly)}}
	if r := sec.post("/staff/referrals/"+ref+"/wait", window); r.status != http.StatusSeeOther {
		t.Fatalf("first entry: %d", r.status)
	}
	r := sec.post("/staff/referrals/"+ref+"/wait", window)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "déjà en liste d&#39;attente") {
		t.Errorf("second entry: %d\n%s", r.status, errorsOf(r.body))
	}
	list := sec.get("/staff/waiting")
	if n := strings.Count(list.body, `href="/staff/referrals/`+ref+`"`); n != 1 {
		t.Errorf("the referral is listed %d times", n)
	}
	if shown := from.Format("02/01/2006") + " → " + to.Format("02/01/2006"); !strings.Contains(list.body, shown) || strings.Contains(list.body, from.Format(time.DateOnly)) {
		t.Errorf("the window is not written %s", shown)
	}
	if r := sec.post("/staff/referrals/"+ref+"/status", url.Values{"status": {"cancelled"}, "reason": {"annulée par la patiente"}}); r.status != http.StatusSeeOther {
		t.Fatalf("cancelling the referral: %d\n%s", r.status, errorsOf(r.body))
	}
	if list := sec.get("/staff/waiting"); strings.Contains(list.body, `href="/staff/referrals/`+ref+`"`) {
		t.Error("a cancelled referral is still waiting for a slot")
	}
	if r := sec.post("/staff/referrals/"+ref+"/wait", window); r.status != http.StatusConflict || !strings.Contains(r.body, "réalisée ou annulée") {
		t.Errorf("a cancelled referral put on the list: %d\n%s", r.status, errorsOf(r.body))
	}
}
