package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/storetest"
)

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

// TestAbsentButtonOnlyOnceTheTimeHasCome: the referral's page offers
// "Patient absent" for an appointment whose time has come, not for one
// still to come (which is cancelled instead).
func TestAbsentButtonOnlyOnceTheTimeHasCome(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	appt := h.appointmentID()
	a := h.onTheDay(appt) // half an hour before
	button := `formaction="/staff/appointments/` + appt + `/no-show"`
	if page := sec.get("/staff/referrals/" + itoa(a.ReferralID)); strings.Contains(page.body, button) {
		t.Error("'Patient absent' offered before the appointment's time")
	}
	h.clock.Set(a.Start.Add(15 * time.Minute))
	if page := sec.get("/staff/referrals/" + itoa(a.ReferralID)); !strings.Contains(page.body, button) {
		t.Error("'Patient absent' not offered once the appointment's time has come")
	}
}
