package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/mpps"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestVertebroplastyWithAnaesthetist books the demo vertebroplasty with the
// anaesthetist, who works on Tuesday and Thursday mornings: the proposed
// slot names the team, and the ward bed is held until the next morning.
func TestVertebroplastyWithAnaesthetist(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		ref := h.referralID("LEMAÎTRE")
		page := c.get("/staff/referrals/" + ref + "?with_anaesthesia=1")
		links := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindAllStringSubmatch(page.body, -1)
		if page.status != http.StatusOK || len(links) == 0 || !strings.Contains(page.body, "Dr Perrin (anesthésie)") {
			t.Fatalf("no slot with the anaesthetist: %d", page.status)
		}
		link := html.UnescapeString(links[0][1])
		q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
		day, err := time.ParseInLocation(time.DateOnly, q.Get("date"), paris)
		if err != nil || (day.Weekday() != time.Tuesday && day.Weekday() != time.Thursday) || q.Get("time") >= "12:30" {
			t.Fatalf("slot %s %s is outside the anaesthetist's Tuesday and Thursday mornings", q.Get("date"), q.Get("time"))
		}
		// Without a team chosen, the form says so and keeps what was typed.
		without := url.Values{}
		for k, v := range q {
			without[k] = v
		}
		without.Set("anaesthesia_id", "0")
		if r := c.post("/staff/referrals/"+ref+"/book", without); r.status != http.StatusConflict || !strings.Contains(r.body, "L&#39;anesthésie : à choisir") {
			t.Fatalf("booking without a team: %d\n%s", r.status, errorsOf(r.body))
		}
		if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
			t.Fatalf("booking the proposed slot: %d\n%s", r.status, errorsOf(r.body))
		}
		refID, _ := parseID(ref)
		list, err := h.store.ListAppointments(system, store.AppointmentFilter{ReferralID: refID, Statuses: []booking.Status{booking.Booked}})
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		a := list[0]
		next := a.Start.In(paris).AddDate(0, 0, 1)
		if a.AnaesthesiaID == 0 || !a.PlaceEnd.Equal(time.Date(next.Year(), next.Month(), next.Day(), 10, 0, 0, 0, paris)) {
			t.Errorf("booked with team %d, ward bed until %v; want a team and the next morning at 10:00", a.AnaesthesiaID, a.PlaceEnd.In(paris))
		}
	})
}

func TestReferralStatusRevertedWithReason(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	ref := h.referralID("LEMAÎTRE")
	if r := c.post("/staff/referrals/"+ref+"/status", url.Values{"status": {"cancelled"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Indiquez un motif") || !strings.Contains(r.body, `<option value="cancelled" selected>`) {
		t.Fatalf("status change without a reason: %d\n%s", r.status, errorsOf(r.body))
	}
	for _, step := range []struct{ status, reason string }{{"cancelled", "patiente hospitalisée ailleurs"}, {"received", "annulation par erreur"}} {
		if r := c.post("/staff/referrals/"+ref+"/status", url.Values{"status": {step.status}, "reason": {step.reason}}); r.status != http.StatusSeeOther {
			t.Fatalf("status %s: %d\n%s", step.status, r.status, errorsOf(r.body))
		}
	}
	page := c.get("/staff/referrals/" + ref)
	if !strings.Contains(page.body, "(annulation par erreur)") || !strings.Contains(page.body, "(patiente hospitalisée ailleurs)") {
		t.Error("the history does not show both changes with their reasons")
	}
	// A booked referral's status follows its appointment.
	booked := h.referralID("LEFÈVRE")
	if r := c.post("/staff/referrals/"+booked+"/status", url.Values{"status": {"cancelled"}, "reason": {"x"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Un rendez-vous confirmé s&#39;annule") {
		t.Fatalf("cancelling a booked referral by status: %d", r.status)
	}
	// Radiographers do not change referral statuses.
	if r := h.signedIn(auth.Radiographer).post("/staff/referrals/"+ref+"/status", url.Values{"status": {"cancelled"}, "reason": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("radiographer: %d", r.status)
	}
}

func TestAdminSettingsAnaesthesiaAndPhysicians(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	if r := c.post("/admin/practice/settings", url.Values{"turnover": {"beaucoup"}, "ward_discharge": {"09:30"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `value="beaucoup"`) {
		t.Fatalf("bad turnover: %d", r.status)
	}
	if r := c.post("/admin/practice/settings", url.Values{"turnover": {"10"}, "ward_discharge": {"09:30"}}); r.status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", r.status, errorsOf(r.body))
	}
	if got, _ := h.store.Settings(system); got.TurnoverMinutes != 10 || got.WardDischargeMinute != 570 {
		t.Errorf("settings stored %+v", got)
	}
	if r := c.post("/admin/practice/anaesthesia", url.Values{"name": {"Équipe B"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new team: %d", r.status)
	}
	page := c.get("/admin/practice?tab=anaesthesia").body + c.get("/admin/practice?tab=hours").body
	if !strings.Contains(page, `value="Équipe B"`) || !strings.Contains(page, "Équipe B (anesthésie)") {
		t.Error("the new team is not listed nor offered for opening hours")
	}
	if r := c.post("/admin/practice/physician", url.Values{"name": {"Dr Anne Roux"}, "rpps": {"1234"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "11 chiffres") || !strings.Contains(r.body, `value="Dr Anne Roux"`) {
		t.Fatalf("bad RPPS: %d", r.status)
	}
	if r := c.post("/admin/practice/physician", url.Values{"name": {"Dr Anne Roux"}, "rpps": {"10101010101"}, "email": {"roux@example.org"}}); r.status != http.StatusSeeOther {
		t.Fatalf("physician: %d\n%s", r.status, errorsOf(r.body))
	}
	list, _ := h.store.Physicians(system)
	found := false
	for _, p := range list {
		found = found || (p.Name == "Dr Anne Roux" && p.RPPS == "10101010101" && p.Email == "roux@example.org")
	}
	if !found {
		t.Errorf("physician not stored: %+v", list)
	}
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

func parseID(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// TestBoardShowsTheScannerProgress: an MPPS IN PROGRESS from the console
// shows on the day's board.
func TestBoardShowsTheScannerProgress(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	list, err := h.store.ListAppointments(system, store.AppointmentFilter{})
	if err != nil || len(list) == 0 {
		t.Fatal(list, err)
	}
	a := list[0]
	if err := h.app.Steps().CreateStep(system, mpps.PerformedStep{SOPInstanceUID: "2.25.9", Status: mpps.StatusInProgress, AccessionNumber: a.AccessionNumber, Start: a.Start}); err != nil {
		t.Fatal(err)
	}
	board := h.signedIn(auth.Radiographer).get("/staff/planning?day=" + a.Start.In(paris).Format(time.DateOnly))
	if !strings.Contains(board.body, "En cours au scanner") {
		t.Errorf("the board does not show the act in progress (%d)", board.status)
	}
}

// TestRadiologistFeeReachesTheEstimate: the admin sets a radiologist's extra
// fee; the estimate on the appointment's convocation adds it.
func TestRadiologistFeeReachesTheEstimate(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	admin := h.signedIn(auth.Admin)
	list, _ := h.store.ListAppointments(system, store.AppointmentFilter{})
	a := list[0]
	if r := admin.post("/admin/practice/fee", url.Values{"id": {itoa(a.RadiologistID)}, "fee": {"beaucoup"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="beaucoup"`) {
		t.Fatalf("bad fee: %d", r.status)
	}
	if r := admin.post("/admin/practice/fee", url.Values{"id": {itoa(a.RadiologistID)}, "fee": {"35,50"}}); r.status != http.StatusSeeOther {
		t.Fatalf("fee: %d", r.status)
	}
	if fees, _ := h.store.RadiologistFees(system); fees[a.RadiologistID] != 3550 {
		t.Errorf("stored fee %v", fees)
	}
	if page := h.signedIn(auth.Secretary).get("/staff/appointments/" + itoa(a.ID)); !strings.Contains(page.body, "35,50") {
		t.Error("the estimate does not show the extra fee")
	}
}
