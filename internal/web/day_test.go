package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
)

// TestDayBoardCheckInAndMonitoring plays the start of the demo day: the
// patients are expected, missing items show, check-in needs the two
// identifiers, the act ends into monitoring with its time left.
func TestDayBoardCheckInAndMonitoring(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Radiographer)
		appt := h.appointmentID()
		list, _ := h.store.ListAppointments(system, storeFilterID(appt))
		a := list[0]
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
		for _, to := range []string{"in_room", "monitoring"} {
			if r := c.post("/staff/appointments/"+appt+"/day", url.Values{"to": {to}}); r.status != http.StatusSeeOther {
				t.Fatalf("to %s: %d", to, r.status)
			}
		}
		list, _ = h.store.ListAppointments(system, storeFilterID(appt))
		if list[0].DayStatus != booking.Monitoring || list[0].Status != booking.Done || list[0].IdentityCheckedBy != "t.radiographer" {
			t.Fatalf("after the act: %+v", list[0])
		}
		board = c.get("/staff/day?day=" + day)
		if !strings.Contains(board.body, "Encore 2 h") {
			t.Errorf("the blood patch's two hours of monitoring are not counted down:\n%s", board.body[strings.Index(board.body, `id="col-monitoring"`):][:800])
		}
	})
}
