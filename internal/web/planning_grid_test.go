package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestPlanningGrid lays the demo day out as a time grid (rows of 5 minutes
// from 7 h), the monitoring places alongside, per room or per radiologist;
// a card's move link (the keyboard's way, and where a drop leads) opens its
// move form, which moves through the same checks as a booking.
func TestPlanningGrid(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	appt := h.appointmentID() // the blood patch at 9 h, 45 min, then 2 h lying in Lit de repos 1
	h.before(appt, 3*time.Hour)
	list, _ := h.store.ListAppointments(system, storeFilterID(appt))
	a := list[0]
	day := a.Start.In(paris).Format(time.DateOnly)
	page := c.get("/staff/planning?day=" + day)
	if page.status != http.StatusOK {
		t.Fatalf("planning: %d", page.status)
	}
	// 9:00 is row (9:00 - 7:00) / 5 min + 1 = 25, 45 minutes span 9 rows;
	// the bed from 9:45 (row 34) for 2 hours (24 rows).
	room := regexp.MustCompile(`(?s)<article class="board-card grid-card gs-25 gl-9 act-epidural_blood_patch" draggable="true" data-move="/staff/appointments/` + appt + `/move">.*?LEFÈVRE`)
	bed := regexp.MustCompile(`(?s)aria-labelledby="place-\d+">\s*<h2 class="tgrid-head" id="place-\d+">Lit de repos 1</h2>.*?gs-34 gl-24 act-epidural_blood_patch place-use`)
	if !room.MatchString(page.body) || !bed.MatchString(page.body) {
		t.Fatalf("the blood patch is not on its rows\n%s", page.body)
	}
	if n := strings.Count(page.body, `class="drop gs-`); n == 0 || !strings.Contains(page.body, `data-time="09:15" data-field="room_id"`) {
		t.Errorf("%d drop cells", n)
	}
	byDoc := c.get("/staff/planning?day=" + day + "&by=radiologist")
	if !strings.Contains(byDoc.body, `id="doc-`) || !strings.Contains(byDoc.body, `data-field="radiologist_id"`) || strings.Contains(byDoc.body, `<h2 class="tgrid-head" id="room-`) {
		t.Error("the grid per radiologist has no radiologist columns")
	}
	if r := h.signedIn(auth.Radiographer).get("/staff/planning?day=" + day); strings.Contains(r.body, "data-move=") || strings.Contains(r.body, `class="drop`) {
		t.Error("a radiographer, who cannot move, is offered to")
	}

	// The week: one column per day, one lane per CT room.
	week := c.get("/staff/planning?view=week&day=" + day)
	dayCol := regexp.MustCompile(`(?s)<h2 class="tgrid-head" id="day-` + day + `">.*?</section>`).FindString(week.body)
	if !strings.Contains(dayCol, `gs-25 gl-9 lane-1 act-epidural_blood_patch`) || !regexp.MustCompile(`gs-\d+ gl-\d+ lane-2 act-cervical_foraminal_infiltration`).MatchString(dayCol) {
		t.Errorf("week grid: the demo day's column is not laid out by time and room\n%s", dayCol)
	}
	if n := strings.Count(week.body, `<h2 class="tgrid-head" id="day-`); n != 7 {
		t.Errorf("week grid has %d day columns", n)
	}

	// A drop on 11:15 leads to the move form with that time.
	form := c.get("/staff/appointments/" + appt + "/move?date=" + day + "&time=11:15")
	if form.status != http.StatusOK || !strings.Contains(form.body, `id="mv-time" name="time" type="time" step="300" required value="11:15"`) {
		t.Fatalf("move form: %d", form.status)
	}
	q := url.Values{"date": {day}, "time": {"11:15"}, "room_id": {itoa(a.RoomID)}, "radiologist_id": {itoa(a.RadiologistID)}, "place_id": {itoa(a.PlaceID)}, "from": {"planning"}}
	if r := c.post("/staff/appointments/"+appt+"/move", q); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="move-form"`) {
		t.Fatalf("move without a reason: %d", r.status)
	}
	// Onto another act's time in the same room: refused next to the room.
	other := regexp.MustCompile(`data-move="/staff/appointments/(\d+)/move">\s*<p class="when">10 h 00`).FindStringSubmatch(page.body)
	if other == nil {
		t.Fatal("no 10 h act on the grid")
	}
	q.Set("reason", "patiente retardée")
	q.Set("time", "10:00")
	if r := c.post("/staff/appointments/"+appt+"/move", q); r.status != http.StatusConflict || !strings.Contains(r.body, `id="move-form"`) || !strings.Contains(r.body, `class="field-error"`) {
		t.Fatalf("move onto a taken slot: %d\n%s", r.status, errorsOf(r.body))
	}
	q.Set("time", "11:15")
	if r := c.post("/staff/appointments/"+appt+"/move", q); r.status != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", r.status, errorsOf(r.body))
	}
	if page := c.get("/staff/planning?day=" + day); !strings.Contains(page.body, `gs-52 gl-9 act-epidural_blood_patch`) {
		t.Error("the moved act is not on its new rows") // 11:15 is row 52
	}
}
