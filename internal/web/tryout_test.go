package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/demo"
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

// TestRecordPageLinksOnlyToWhatTheRoleMayOpen: the act record's page, which
// a secretary may read, offers the unattached dose reports (radiologists and
// radiographers only) to those who may open them, never a link to a 403.
func TestRecordPageLinksOnlyToWhatTheRoleMayOpen(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	for _, role := range []auth.Role{auth.Secretary, auth.Radiographer, auth.Radiologist} {
		c := h.signedIn(role)
		page := c.get("/staff/appointments/" + appt + "/record")
		if page.status != http.StatusOK {
			t.Fatalf("%s: record page %d", role, page.status)
		}
		linked := strings.Contains(page.body, `href="/staff/dose/reports"`)
		reports := c.get("/staff/dose/reports")
		if linked && reports.status != http.StatusOK {
			t.Errorf("%s: the record page links to the dose reports, which answer %d", role, reports.status)
		}
		if !linked && reports.status == http.StatusOK {
			t.Errorf("%s: the record page no longer links to the dose reports this role may open", role)
		}
	}
}

// TestChecklistRecordLinesShowTheirVerdict: the record's line under an item
// ("Dossier : Aucun consentement signé au dossier.") is not drawn as good
// news when the record says the item is not met: its class carries the
// suggestion's state (met, not met, to ask), the colour follows.
func TestChecklistRecordLinesShowTheirVerdict(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	h.onTheDay(appt)
	page := h.signedIn(auth.Radiographer).get("/staff/appointments/" + appt + "/checklist")
	line := regexp.MustCompile(`(?s)id="item-consent".*?<p class="(suggested[^"]*)">`).FindStringSubmatch(page.body)
	if line == nil {
		t.Fatalf("no record line under the consent item: %d", page.status)
	}
	if line[1] != "suggested suggested-not_ok" {
		t.Errorf("consent not signed: the record line's class is %q, want suggested suggested-not_ok", line[1])
	}
	css := h.client().get("/static/app.css").body
	for _, rule := range []string{".check-item .suggested-not_ok", ".check-item .suggested-ask"} {
		if !strings.Contains(css, rule) {
			t.Errorf("app.css has no rule %s", rule)
		}
	}
}

// TestChecklistCountsReadAsSentences: the checklist's counts are written
// as words agree with them ("9 points bloquants encore ouverts", "6
// restants"), not "ouverts : (9)" nor "restant·s".
func TestChecklistCountsReadAsSentences(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	h.onTheDay(appt)
	c := h.signedIn(auth.Radiographer)
	page := c.get("/staff/appointments/" + appt + "/checklist")
	if !regexp.MustCompile(`<summary>\d+ points bloquants encore ouverts</summary>`).MatchString(page.body) {
		t.Errorf("the open items' summary: %q", regexp.MustCompile(`<summary>[^<]*</summary>`).FindString(page.body))
	}
	if !regexp.MustCompile(`id="check-all-before_room">Tout cocher « fait » \(\d+ restants\)<`).MatchString(page.body) {
		t.Errorf("the check-all button: %q", regexp.MustCompile(`id="check-all-before_room">[^<]*`).FindString(page.body))
	}
	page = c.get("/staff/appointments/" + appt + "/checklist?lang=en")
	if !regexp.MustCompile(`<summary>\d+ blocking items still open</summary>`).MatchString(page.body) {
		t.Errorf("the open items' summary in English: %q", regexp.MustCompile(`<summary>[^<]*</summary>`).FindString(page.body))
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

// TestRecordTimesNotToCome: the act record is written during or after the
// act: a start or an end still to come (tomorrow's date typed for today's)
// is refused with its field's message and the form kept; a time on another
// day than the appointment's is saved with a warning.
func TestRecordTimesNotToCome(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID() // LEFÈVRE Zoé, blood patch L3-L4
	a := h.performed(appt)
	start := a.Start.In(paris)
	tech := h.signedIn(auth.Radiographer)
	form := func(start, end time.Time) url.Values {
		return url.Values{"levels": {"L3-L4"}, "approach": {"interlaminar"}, "side": {"median"}, "blood_ml": {"18"}, "dlp": {"120"},
			"start": {start.Format("2006-01-02T15:04")}, "end": {end.Format("2006-01-02T15:04")}, "complications": {"none"}, "version": {"0"}}
	}
	tomorrow := start.AddDate(0, 0, 1)
	r := tech.post("/staff/appointments/"+appt+"/record", form(tomorrow, tomorrow.Add(20*time.Minute)))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "pas encore venue") || !strings.Contains(r.body, `value="`+tomorrow.Format("2006-01-02T15:04")+`"`) {
		t.Fatalf("an act recorded tomorrow: %d\n%s", r.status, errorsOf(r.body))
	}
	lastWeek := start.AddDate(0, 0, -7)
	r = tech.post("/staff/appointments/"+appt+"/record", form(lastWeek, lastWeek.Add(20*time.Minute)))
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="record-saved"`) || !strings.Contains(r.body, "le rendez-vous était le "+start.Format("02/01/2006")) {
		t.Fatalf("an act recorded on another day: %d, want it saved with a warning\n%s", r.status, errorsOf(r.body))
	}
	ok := form(start, start.Add(20*time.Minute))
	ok.Set("version", "1")
	if r = tech.post("/staff/appointments/"+appt+"/record", ok); r.status != http.StatusOK || !strings.Contains(r.body, `id="record-saved"`) || strings.Contains(r.body, "le rendez-vous était le") {
		t.Fatalf("the act's own times: %d\n%s", r.status, errorsOf(r.body))
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
	r := sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {"2026-12-20"}, "latest": {"2026-12-10"}, "notes": {"préfère le matin"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a window the wrong way round: %d", r.status)
	}
	for _, want := range []string{`id="wait-errors"`, "La date « Pas après le » tombe avant la date « Pas avant le »", `value="2026-12-20"`, `value="2026-12-10"`, `value="préfère le matin"`, `id="book-h"`} {
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
	if r = sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {"2026-12-10"}, "latest": {"2026-12-20"}}); r.status != http.StatusSeeOther {
		t.Errorf("a right window: %d", r.status)
	}
}

// TestErrorPagesKeepTheSignedInLayout: a signed-in user who meets an error
// (a page that does not exist, a refused action) keeps their navigation,
// their name and a way back to their own home, not the public home and a
// layout that looks signed out; someone signed out is offered the sign-in.
func TestErrorPagesKeepTheSignedInLayout(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	for _, path := range []string{"/staff/appointments/abc", "/staff/appointments/999999", "/staff/nowhere", "/admin/users"} {
		r := sec.get(path)
		if r.status < 400 {
			t.Fatalf("%s: %d, want an error", path, r.status)
		}
		for _, want := range []string{`class="main-nav"`, `<span class="who">Test secretary`, `<a href="/staff">`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s (%d): the error page lacks %q", path, r.status, want)
			}
		}
		if strings.Contains(r.body, `href="/login"`) {
			t.Errorf("%s: a signed-in user is offered to sign in", path)
		}
	}
	anonymous := h.client()
	r := anonymous.post("/staff/referrals/1/wait", url.Values{"earliest": {"2026-12-10"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `href="/login"`) {
		t.Errorf("signed out: %d, want the sign-in offered", r.status)
	}
}

// TestLanguageSwitchStaysOnThePage: the language switch reopens the page
// the user is on, its filters kept (a day, a status), and after a refused
// form (a page drawn by a POST) it leads to a page that exists, never to
// a 404 on the form's address.
func TestLanguageSwitchStaysOnThePage(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	switchLink := regexp.MustCompile(`<a href="([^"]+)" lang="en" hreflang="en">English</a>`)
	follow := func(what string, page response) string {
		t.Helper()
		m := switchLink.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("%s: no language switch", what)
		}
		link := strings.ReplaceAll(m[1], "&amp;", "&")
		if r := sec.get(link); r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="en">`) {
			t.Errorf("%s: the switch %s answers %d", what, link, r.status)
		}
		sec.get(link[:strings.Index(link, "lang=")] + "lang=fr")
		return link
	}
	if link := follow("referrals filtered", sec.get("/staff/referrals?status=booked")); link != "/staff/referrals?status=booked&lang=en" {
		t.Errorf("the switch of a filtered list is %s, want its filter kept", link)
	}
	ref := h.referralID("BERNARD")
	refused := sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {"2026-12-20"}, "latest": {"2026-12-10"}})
	if refused.status != http.StatusUnprocessableEntity {
		t.Fatalf("a refused waiting-list form: %d", refused.status)
	}
	if link := follow("a refused form", refused); !strings.HasPrefix(link, "/staff/referrals/"+ref+"?") {
		t.Errorf("the switch of a refused form's page is %s, want the referral's page", link)
	}
	moveForm := sec.post("/staff/appointments/"+h.appointmentID()+"/move", url.Values{"date": {"2026-12-05"}, "time": {"09:00"}})
	follow("a refused move", moveForm)
}

// TestAdminCannotResetTheirOwnPassword: "new password" on the admin's own
// row would end their session and put a one-time password on the screen,
// without asking the current one: a session left open is enough to take
// the account. Their own row offers the password change instead, which
// asks the current password, as deactivating oneself is refused.
func TestAdminCannotResetTheirOwnPassword(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	admin := h.signedIn(auth.Admin)
	self, err := h.store.UserByLogin(context.Background(), roleLogins[auth.Admin])
	if err != nil {
		t.Fatal(err)
	}
	page := admin.get("/admin/users")
	if strings.Contains(page.body, `action="/admin/users/`+itoa(self.ID)+`/reset"`) {
		t.Error("the admin's own row offers a password reset")
	}
	if !strings.Contains(page.body, `href="/password"`) {
		t.Error("the admin's own row does not offer the password change")
	}
	if r := admin.post("/admin/users/"+itoa(self.ID)+"/reset", nil); r.status != http.StatusConflict || strings.Contains(r.body, `class="secret"`) {
		t.Errorf("resetting one's own password: %d, want it refused", r.status)
	}
	if r := admin.get("/admin/users"); r.status != http.StatusOK {
		t.Errorf("the admin's session after the refused reset: %d", r.status)
	}
	other, _ := h.store.UserByLogin(context.Background(), roleLogins[auth.Secretary])
	if r := admin.post("/admin/users/"+itoa(other.ID)+"/reset", nil); r.status != http.StatusOK {
		t.Errorf("resetting another account's password: %d", r.status)
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

// TestAbsentOnlyWhenThePatientDidNotCome: "patient absent" is refused
// before the appointment's time (a patient who warns is cancelled), and
// once the patient is checked in neither absent nor cancelled nor moved
// may be recorded: the arrived patient stays on the day's board.
func TestAbsentOnlyWhenThePatientDidNotCome(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	appt := h.appointmentID()
	a := h.onTheDay(appt) // half an hour before the act
	r := sec.post("/staff/appointments/"+appt+"/no-show", url.Values{"reason": {"pas venue"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "avant l&#39;heure de son rendez-vous") {
		t.Fatalf("absent before the appointment's time: %d\n%s", r.status, errorsOf(r.body))
	}
	p, _ := h.store.Patient(system, a.PatientID)
	doctor := audit.WithActor(context.Background(), audit.Actor{Login: "t.radiologist", Role: string(auth.Radiologist)})
	if err := h.app.CheckInPatient(doctor, a.ID, app.CheckIn{NameConfirmed: true, BirthDate: p.BirthDate}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(a.Start.Add(10 * time.Minute))
	for _, what := range []string{"no-show", "cancel"} {
		r := sec.post("/staff/appointments/"+appt+"/"+what, url.Values{"reason": {"erreur"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "déjà accueilli") {
			t.Errorf("%s of a checked-in patient: %d\n%s", what, r.status, errorsOf(r.body))
		}
	}
	next := a.Start.AddDate(0, 0, 7).In(paris)
	r = sec.post("/staff/appointments/"+appt+"/move", url.Values{"date": {next.Format(time.DateOnly)}, "time": {next.Format("15:04")}, "reason": {"erreur"},
		"room_id": {itoa(a.RoomID)}, "radiologist_id": {itoa(a.RadiologistID)}, "place_id": {itoa(a.PlaceID)}})
	if r.status == http.StatusSeeOther || !strings.Contains(r.body, "déjà accueilli") {
		t.Errorf("moving a checked-in patient: %d\n%s", r.status, errorsOf(r.body))
	}
	after, _ := h.store.ListAppointments(system, storeFilterID(appt))
	if after[0].Status != "booked" || after[0].DayStatus != "arrived" || !after[0].Start.Equal(a.Start) {
		t.Errorf("the checked-in patient's appointment is now %s/%s at %v", after[0].Status, after[0].DayStatus, after[0].Start)
	}

	// Another appointment, not checked in, past its time: absent is recorded.
	other := h.demoAppointment("PASQUIER")
	o, _ := h.store.ListAppointments(system, storeFilterID(other))
	h.clock.Set(o[0].Start.Add(20 * time.Minute))
	if r := sec.post("/staff/appointments/"+other+"/no-show", url.Values{"reason": {"pas venu"}}); r.status != http.StatusSeeOther {
		t.Errorf("absent past the appointment's time: %d\n%s", r.status, errorsOf(r.body))
	}
}

// TestIndicatorsWriteNumbersInTheUsersLanguage: the activity, outcomes and
// dose pages write decimals with a comma in French (5,3 %, −3,5, 80,6) as
// the tariffs and the act record do, with a point in English, and the
// follow-up day as the language says it (J15, D15).
func TestIndicatorsWriteNumbersInTheUsersLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a year of acts")
	}
	h := newHarness(t, storetest.OpenSQLite(t))
	if _, err := demo.History(context.Background(), h.app, h.clock, h.clock.Now(), 1, 7); err != nil {
		t.Fatal(err)
	}
	doc := h.signedIn(auth.Radiologist)
	cell := regexp.MustCompile(`<td>[^<]*</td>|<th scope="row">[^<]*</th>`)
	pointDecimal := regexp.MustCompile(`\d\.\d`)
	commaDecimal := regexp.MustCompile(`\d,\d`)
	for _, path := range []string{"/staff/activity", "/staff/outcomes", "/staff/dose"} {
		fr := strings.Join(cell.FindAllString(doc.get(path).body, -1), "")
		if m := pointDecimal.FindAllString(fr, 3); m != nil {
			t.Errorf("%s in French writes decimals with a point: %q", path, m)
		}
		if !commaDecimal.MatchString(fr) {
			t.Errorf("%s in French: no decimal written at all", path)
		}
		en := strings.Join(cell.FindAllString(doc.get(path+"?lang=en").body, -1), "")
		if m := commaDecimal.FindAllString(en, 3); m != nil {
			t.Errorf("%s in English writes decimals with a comma: %q", path, m)
		}
		doc.get(path + "?lang=fr")
	}
	if fr := doc.get("/staff/outcomes").body; !strings.Contains(fr, `<th scope="row">J15</th>`) {
		t.Error("the outcomes in French do not say J15")
	}
	if en := doc.get("/staff/outcomes?lang=en").body; !strings.Contains(en, `<th scope="row">D15</th>`) || strings.Contains(en, `<th scope="row">J15</th>`) {
		t.Error("the outcomes in English do not say D15")
	}
}

// TestReportNotSignedWithADraftsPlaceholder: the draft marks what the act
// record lacks ("[Complications à renseigner]"); a report signed with such
// a mark left in it would go to the referring physician and the patient
// as it is: signing is refused until the mark is replaced.
func TestReportNotSignedWithADraftsPlaceholder(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	h.performed(appt) // no act record: the draft cannot say the complications
	doc := h.signedIn(auth.Radiologist)
	page := doc.get("/staff/appointments/" + appt + "/report")
	body := regexp.MustCompile(`(?s)<textarea id="rp-body" name="body" rows="[0-9]+">(.*?)</textarea>`).FindStringSubmatch(page.body)
	if body == nil || !strings.Contains(body[1], "[Complications à renseigner]") {
		t.Fatalf("the draft has no placeholder to fill:\n%v", body)
	}
	text := html.UnescapeString(body[1])
	r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {"Blood patch"}, "body": {text}, "action": {"sign"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "[Complications à renseigner]") || !strings.Contains(r.body, `id="report-errors"`) {
		t.Fatalf("signing with the placeholder left: %d\n%s", r.status, errorsOf(r.body))
	}
	if list, _ := h.store.ReportsOf(system, mustID(appt)); len(list) != 0 {
		t.Fatalf("%d versions signed", len(list))
	}
	text = strings.ReplaceAll(text, "[Complications à renseigner]", "Pas de complication immédiate.")
	if r := doc.post("/staff/appointments/"+appt+"/report", url.Values{"title": {"Blood patch"}, "body": {text}, "action": {"sign"}}); r.status != http.StatusSeeOther {
		t.Fatalf("signing the completed text: %d\n%s", r.status, errorsOf(r.body))
	}
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
// entry is refused, said on the form), the window reads 10/12/2026, and a
// referral cancelled or done leaves the list instead of being offered slots.
func TestWaitingListOnceAndOpenReferralsOnly(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	ref := h.referralID("BERNARD")
	window := url.Values{"earliest": {"2026-12-10"}, "latest": {"2026-12-20"}}
	if r := sec.post("/staff/referrals/"+ref+"/wait", window); r.status != http.StatusSeeOther {
		t.Fatalf("first entry: %d", r.status)
	}
	r := sec.post("/staff/referrals/"+ref+"/wait", window)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "déjà en liste d&#39;attente") {
		t.Errorf("second entry: %d\n%s", r.status, errorsOf(r.body))
	}
	list := sec.get("/staff/waiting")
	if n := strings.Count(list.body, `href="/staff/referrals/`+ref+`"`); n != 1 {
		t.Errorf("the referral is listed %d times", n)
	}
	if !strings.Contains(list.body, "10/12/2026 → 20/12/2026") || strings.Contains(list.body, "2026-12-10") {
		t.Error("the window is not written 10/12/2026 → 20/12/2026")
	}
	if r := sec.post("/staff/referrals/"+ref+"/status", url.Values{"status": {"cancelled"}, "reason": {"annulée par la patiente"}}); r.status != http.StatusSeeOther {
		t.Fatalf("cancelling the referral: %d\n%s", r.status, errorsOf(r.body))
	}
	if list := sec.get("/staff/waiting"); strings.Contains(list.body, `href="/staff/referrals/`+ref+`"`) {
		t.Error("a cancelled referral is still waiting for a slot")
	}
	if r := sec.post("/staff/referrals/"+ref+"/wait", window); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a cancelled referral put on the list: %d", r.status)
	}
}

// TestTariffsPageDates: the tariffs' page says since when an amount
// applies as the rest of the product writes a day (depuis le 01/01/2025),
// not as the extract stores it (2025-01-01).
func TestTariffsPageDates(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	page := h.signedIn(auth.Admin).get("/admin/tariffs")
	if page.status != http.StatusOK {
		t.Fatalf("tariffs: %d", page.status)
	}
	codes := page.body[strings.Index(page.body, `id="tariff-codes"`):]
	codes = codes[:strings.Index(codes, "</table>")]
	if m := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).FindAllString(codes, 3); m != nil {
		t.Errorf("the tariffs' page writes days as stored: %q", m)
	}
	if !strings.Contains(codes, "depuis le 01/01/2025") {
		t.Error("the tariffs' page does not say depuis le 01/01/2025")
	}
}

// TestCatalogueTariffDates: the act's facts in the catalogue say since
// when a tariff applies as 01/01/2025 too.
func TestCatalogueTariffDates(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	page := h.signedIn(auth.Radiologist).get("/staff/catalogue/facet_joint_infiltration")
	if strings.Contains(page.body, "depuis le 2025-") || !strings.Contains(page.body, "depuis le 01/01/2025") {
		t.Errorf("the catalogue's tariff facts: %q", regexp.MustCompile(`[^>]*depuis le [^<]*`).FindAllString(page.body, 2))
	}
}

// TestBillingSummaryAgreesWithItsCount: "1 rendez-vous de ce jour n'est pas
// encore réalisé", not "1 rendez-vous ... ne sont pas encore réalisés".
func TestBillingSummaryAgreesWithItsCount(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	a := h.performed(h.demoAppointment("LEFÈVRE"))
	h.performed(h.demoAppointment("PASQUIER"))
	day := a.Start.In(paris).Format(time.DateOnly)
	sec := h.signedIn(auth.Secretary)
	summary := regexp.MustCompile(`<p id="billing-summary">([^<]*)</p>`)
	page := sec.get("/staff/billing?day=" + day)
	m := summary.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(m[1], "1 rendez-vous de ce jour n&#39;est pas encore réalisé : il n&#39;est pas facturé.") {
		t.Errorf("one appointment not done: %q", m)
	}
	page = sec.get("/staff/billing?day=" + day + "&lang=en")
	if m := summary.FindStringSubmatch(page.body); m == nil || !strings.Contains(m[1], "1 appointment of this day is not done yet: it is not billed.") {
		t.Errorf("one appointment not done, in English: %q", m)
	}
}

// TestBillingDayTimesInTheUsersFormat: the day's billing writes the act's
// time as the other pages do (10 h 00 in French), the act's name in the
// page's language; the export file keeps its own format.
func TestBillingDayTimesInTheUsersFormat(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	a := h.performed(h.demoAppointment("PASQUIER"))
	day := a.Start.In(paris).Format(time.DateOnly)
	sec := h.signedIn(auth.Secretary)
	when := a.Start.In(paris)
	fr := sec.get("/staff/billing?day=" + day)
	if want := fmt.Sprintf("<td>%d h %02d</td>", when.Hour(), when.Minute()); !strings.Contains(fr.body, want) {
		t.Errorf("the billing page in French lacks %s", want)
	}
	en := sec.get("/staff/billing?day=" + day + "&lang=en")
	if !strings.Contains(en.body, "<td>"+when.Format("15:04")+"</td>") || !strings.Contains(en.body, "CT-guided lumbar foraminal") {
		t.Errorf("the billing page in English: time or act name not in English\n%s", regexp.MustCompile(`(?s)<tbody>.*?</tbody>`).FindString(en.body))
	}
}
