package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/storetest"
)

// TestDayBoardCheckInAndMonitoring plays the start of the demo day: the
// patients are expected, missing items show, check-in needs the two
// identifiers, the act ends into monitoring with its time left.
func TestDayBoardCheckInAndMonitoring(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Radiographer)
		appt := h.appointmentID()
		a := h.onTheDay(appt)
		day := a.Start.In(paris).Format(time.DateOnly)
		board := c.get("/staff/day?day=" + day)
		if board.status != http.StatusOK || strings.Count(board.body, `class="board-card`) != 3 || !strings.Contains(board.body, "Consentement non signé") {
			t.Fatalf("day board: %d", board.status)
		}
		if r := c.post("/staff/appointments/"+appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-13"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "ne correspond pas") || !strings.Contains(r.body, `value="1991-04-13"`) {
			t.Fatalf("wrong birth date: %d", r.status)
		}
		if r := c.post("/staff/appointments/"+appt+"/checkin", url.Values{"birth_date": {"1991-04-12"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("name not confirmed: %d", r.status)
		}
		r := c.post("/staff/appointments/"+appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}})
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/consent") {
			t.Fatalf("check-in: %d %q, want the consent next (not signed yet)", r.status, r.header.Get("Location"))
		}
		if r := c.post("/staff/appointments/"+appt+"/day", url.Values{"to": {"monitoring"}}); r.status != http.StatusConflict {
			t.Fatalf("monitoring before the room: %d", r.status)
		}
		// The act does not start with blocking checklist items open.
		if r := c.post("/staff/appointments/"+appt+"/day", url.Values{"to": {"in_room"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "points bloquants") {
			t.Fatalf("start with the checklist open: %d", r.status)
		}
		list2 := c.get("/staff/appointments/" + appt + "/checklist")
		items := regexp.MustCompile(`name="item" value="([a-z_]+)"`).FindAllStringSubmatch(list2.body, -1)
		if len(items) < 8 || !strings.Contains(list2.body, "Dossier :") {
			t.Fatalf("checklist page: %d items", len(items))
		}
		for _, it := range items {
			if r := c.post("/staff/appointments/"+appt+"/checklist", url.Values{"item": {it[1]}, "state": {"ok"}}); r.status != http.StatusSeeOther {
				t.Fatalf("check %s: %d", it[1], r.status)
			}
		}
		if page := c.get("/staff/appointments/" + appt + "/checklist"); !strings.Contains(page.body, "l&#39;acte peut commencer") || !strings.Contains(page.body, "t.radiographer,") {
			t.Fatal("the checklist is not complete after checking every item, or does not name who checked")
		}
		for _, to := range []string{"in_room", "monitoring"} {
			if r := c.post("/staff/appointments/"+appt+"/day", url.Values{"to": {to}}); r.status != http.StatusSeeOther {
				t.Fatalf("to %s: %d", to, r.status)
			}
		}
		list, _ := h.store.ListAppointments(system, storeFilterID(appt))
		if list[0].DayStatus != booking.Monitoring || list[0].Status != booking.Done || list[0].IdentityCheckedBy != "t.radiographer" {
			t.Fatalf("after the act: %+v", list[0])
		}
		board = c.get("/staff/day?day=" + day)
		if !strings.Contains(board.body, "Encore 2 h") {
			t.Errorf("the blood patch's two hours of monitoring are not counted down:\n%s", board.body[strings.Index(board.body, `id="col-monitoring"`):][:800])
		}
	})
}

// TestChecklistOverride: only the radiologist starts the act with an item
// open, and only with a reason, which the checklist shows.
func TestChecklistOverride(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	h.onTheDay(appt)
	tech, doc := h.signedIn(auth.Radiographer), h.signedIn(auth.Radiologist)
	if r := tech.post("/staff/appointments/"+appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
		t.Fatalf("check-in: %d", r.status)
	}
	if r := tech.post("/staff/appointments/"+appt+"/checklist", url.Values{"action": {"override"}, "reason": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("radiographer override: %d", r.status)
	}
	if r := doc.post("/staff/appointments/"+appt+"/checklist", url.Values{"action": {"override"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("override without reason: %d", r.status)
	}
	if r := doc.post("/staff/appointments/"+appt+"/checklist", url.Values{"action": {"override"}, "reason": {"consentement papier signé, à numériser"}}); r.status != http.StatusSeeOther {
		t.Fatalf("override: %d", r.status)
	} else if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/checklist#checklist-status") {
		t.Errorf("after the override the page opens at %q, want the checklist's state (it was an empty #item-)", loc)
	}
	if page := tech.get("/staff/appointments/" + appt + "/checklist"); !strings.Contains(page.body, "consentement papier signé, à numériser") {
		t.Error("the override's reason is not shown")
	}
	if r := tech.post("/staff/appointments/"+appt+"/day", url.Values{"to": {"in_room"}}); r.status != http.StatusSeeOther {
		t.Errorf("start after the override: %d", r.status)
	}
}

// TestDischargeAndFollowUp: the patient leaves only with every discharge
// criterion checked, the advice is shown; a failed blood patch on the
// follow-up offers a new act as a prefilled referral.
func TestDischargeAndFollowUp(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	appt := h.appointmentID()
	a := h.onTheDay(appt)
	tech, doc, sec := h.signedIn(auth.Radiographer), h.signedIn(auth.Radiologist), h.signedIn(auth.Secretary)
	tech.post("/staff/appointments/"+appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}})
	doc.post("/staff/appointments/"+appt+"/checklist", url.Values{"action": {"override"}, "reason": {"test de sortie"}})
	for _, to := range []string{"in_room", "monitoring"} {
		if r := tech.post("/staff/appointments/"+appt+"/day", url.Values{"to": {to}}); r.status != http.StatusSeeOther {
			t.Fatalf("to %s: %d", to, r.status)
		}
	}
	page := tech.get("/staff/appointments/" + appt + "/discharge")
	criteria := regexp.MustCompile(`name="criterion" value="([a-z_]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(criteria) < 4 || !strings.Contains(page.body, "Appelez-nous si vous avez") {
		t.Fatalf("discharge page: %d criteria", len(criteria))
	}
	if r := tech.post("/staff/appointments/"+appt+"/discharge", url.Values{"criterion": {criteria[0][1]}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `value="`+criteria[0][1]+`" checked`) {
		t.Fatalf("discharge with criteria unchecked: %d", r.status)
	}
	all := url.Values{}
	for _, c := range criteria {
		all.Add("criterion", c[1])
	}
	// Every criterion checked, but the blood patch's two hours of lying
	// down are not over: the radiographer cannot let the patient go, the
	// radiologist can, with a reason (recorded).
	if r := tech.post("/staff/appointments/"+appt+"/discharge", all); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "La surveillance n&#39;est pas terminée") {
		t.Fatalf("discharge seconds after monitoring started: %d\n%s", r.status, errorsOf(r.body))
	}
	early := url.Values{"early_reason": {"sortie contre avis, signée"}}
	for k, v := range all {
		early[k] = v
	}
	if r := tech.post("/staff/appointments/"+appt+"/discharge", early); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Seul un radiologue") {
		t.Fatalf("early discharge by the radiographer: %d", r.status)
	}
	h.clock.Set(a.Start.Add(4 * time.Hour)) // the monitoring is over
	if r := tech.post("/staff/appointments/"+appt+"/discharge", all); r.status != http.StatusSeeOther {
		t.Fatalf("discharge: %d\n%s", r.status, errorsOf(r.body))
	}
	list, _ := h.store.ListAppointments(system, storeFilterID(appt))
	if list[0].DayStatus != booking.Discharged || list[0].DischargedAt.IsZero() {
		t.Fatalf("after discharge: %s", list[0].DayStatus)
	}
	// The headache is no better on day 2: the patch failed, a new one is offered.
	for _, sc := range []url.Values{{"day": {"0"}, "value": {"8"}}, {"day": {"2"}, "value": {"8"}}} {
		if r := sec.post("/staff/appointments/"+appt+"/score", sc); r.status != http.StatusSeeOther {
			t.Fatalf("score: %d", r.status)
		}
	}
	if r := sec.post("/staff/appointments/"+appt+"/score", url.Values{"day": {"15"}, "value": {"11"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a score of 11: %d", r.status)
	}
	page = sec.get("/staff/appointments/" + appt)
	if !strings.Contains(page.body, "Échec") || !strings.Contains(page.body, `id="offer-new-act"`) {
		t.Fatalf("no failure nor offer on the follow-up:\n%s", page.body[strings.Index(page.body, `id="followup-h"`):][:1200])
	}
	r := sec.post("/staff/appointments/"+appt+"/new-act", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/staff/referrals/") {
		t.Fatalf("offer a new act: %d %q", r.status, r.header.Get("Location"))
	}
	if ref := sec.get(r.header.Get("Location")); !strings.Contains(ref.body, "Nouvel acte proposé") || !strings.Contains(ref.body, "Blood patch") {
		t.Error("the new referral is not prefilled")
	}
}
