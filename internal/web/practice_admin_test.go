package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

func TestAdminSetsUpRoomsHoursAndAbsences(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	if r := c.get("/admin/practice"); r.status != http.StatusOK || !strings.Contains(r.body, "CT1_INTERV") {
		t.Fatalf("practice page: %d", r.status)
	}
	rooms, _ := h.store.Rooms(system)
	var ct1 string
	for _, r := range rooms {
		if r.StationAETitle == "CT1_INTERV" {
			ct1 = itoa(r.ID)
		}
	}
	// Bad hours are refused and kept as typed.
	r := c.post("/admin/practice/hours", url.Values{"resource": {"room:" + ct1}, "weekday": {"1"}, "start": {"12:30"}, "end": {"08:00"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "la fin après le début") || !strings.Contains(r.body, `value="12:30"`) {
		t.Fatalf("bad hours: %d", r.status)
	}
	if r := c.post("/admin/practice/hours", url.Values{"resource": {"room:999999"}, "weekday": {"1"}, "start": {"08:00"}, "end": {"12:30"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown room accepted: %d", r.status)
	}
	// The demo opens no room on Sunday: add a Sunday morning.
	if r := c.post("/admin/practice/hours", url.Values{"resource": {"room:" + ct1}, "weekday": {"0"}, "start": {"08:00"}, "end": {"12:30"}}); r.status != http.StatusSeeOther {
		t.Fatalf("hours: %d", r.status)
	}
	hours, _ := h.store.OpeningHours(system)
	sunday := 0
	for _, o := range hours {
		if o.Weekday == 0 && o.StartMinute == 480 && o.EndMinute == 750 && itoa(o.ResourceID) == ct1 {
			sunday++
		}
	}
	if sunday != 1 {
		t.Fatalf("Sunday hours stored %d times: %+v", sunday, hours)
	}
	// The hours read as a week per resource: the CT room's Sunday cell,
	// the last of the row, holds the new span and its delete button.
	page := c.get("/admin/practice?tab=hours")
	row := regexp.MustCompile(`(?s)<tr><th scope="row">Scanner 1[^<]*</th>(.*?)</tr>`).FindStringSubmatch(page.body)
	if row == nil {
		t.Fatalf("no week row for the CT room:\n%s", page.body)
	}
	cells := strings.Split(row[1], "<td>")
	if len(cells) != 8 || !strings.Contains(cells[7], "08:00–12:30") || !strings.Contains(cells[7], "dimanche 08:00–12:30") || strings.Contains(cells[1], "dimanche") {
		t.Errorf("the CT room's week does not show Sunday 08:00–12:30 in its last cell: %q", row[1])
	}
	from := storetest.Now().AddDate(0, 0, 7).Format("2006-01-02") + "T08:00"
	to := storetest.Now().AddDate(0, 0, 14).Format("2006-01-02") + "T18:00"
	doctors, _ := h.store.Radiologists(system)
	if r := c.post("/admin/practice/closure", url.Values{"resource": {"radiologist:" + itoa(doctors[0].ID)}, "from": {to}, "to": {from}, "reason": {"congés"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("closure ending before it starts: %d", r.status)
	}
	if r := c.post("/admin/practice/closure", url.Values{"resource": {"radiologist:" + itoa(doctors[0].ID)}, "from": {from}, "to": {to}, "reason": {"congés"}}); r.status != http.StatusSeeOther {
		t.Fatalf("closure: %d", r.status)
	}
	if closures, _ := h.store.Closures(system, storetest.Now()); len(closures) != 1 || closures[0].Reason != "congés" {
		t.Fatalf("closures: %+v", closures)
	}
	if r := c.post("/admin/practice/room", url.Values{"name": {"Scanner 3"}, "kind": {"ct"}, "station_ae_title": {"ct3_interv"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new room: %d", r.status)
	}
	if r := c.post("/admin/practice/acts", url.Values{"id": {itoa(doctors[0].ID)}, "act": {"vertebroplasty", "not_an_act"}}); r.status != http.StatusSeeOther {
		t.Fatalf("acts: %d", r.status)
	}
	acts, _ := h.store.RadiologistActs(system)
	if got := acts[doctors[0].ID]; len(got) != 1 || got[0] != "vertebroplasty" {
		t.Fatalf("acts stored: %v", got)
	}
	rooms, _ = h.store.Rooms(system)
	found := false
	for _, r := range rooms {
		found = found || (r.Name == "Scanner 3" && r.StationAETitle == "CT3_INTERV")
	}
	if !found {
		t.Fatal("new room not stored with its AE title in capitals")
	}
}
