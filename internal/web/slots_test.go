package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/storetest"
)

// TestProposedSlotBooks opens a referral, takes the first proposed slot and
// books it: the proposal must be bookable as it stands.
func TestProposedSlotBooks(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	for _, who := range []string{"MERCIER", "BERNARD", "LEMAÎTRE"} {
		ref := h.referralID(who)
		page := c.get("/staff/referrals/" + ref)
		links := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindAllStringSubmatch(page.body, -1)
		if page.status != http.StatusOK || len(links) == 0 {
			t.Fatalf("%s: no slot proposed (%d)", who, page.status)
		}
		if !strings.Contains(page.body, "Scanner 1 — interventionnel · Dr") {
			t.Errorf("%s: a proposed slot does not name its room, then its radiologist", who)
		}
		link := html.UnescapeString(links[0][1])
		q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
		if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
			t.Fatalf("%s: the first proposed slot %v could not be booked: %d\n%s", who, q, r.status, errorsOf(r.body))
		}
	}
}

// TestSlotFinder searches slots as the booking page does: in time order,
// grouped by day, narrowed by each filter, paged; a chosen slot is
// highlighted and a refusal sits next to the field it is about.
func TestSlotFinder(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	act, _ := h.cat.Act("facet_joint_infiltration")
	plan := app.ActPlan{Act: act}
	earliest := h.clock.Now().Add(time.Hour)
	search := func(f app.SlotFilter) app.SlotPage {
		t.Helper()
		page, err := h.app.SearchSlots(system, plan, earliest, f)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	all := search(app.SlotFilter{})
	if len(all.Days) != 3 || all.Next.IsZero() {
		t.Fatalf("first page: %d days, next %v", len(all.Days), all.Next)
	}
	var last time.Time
	rooms, doctors := map[int64]bool{}, map[int64]bool{}
	for _, d := range all.Days {
		for _, s := range d.Slots {
			if !s.Start.After(last) || !s.Start.After(earliest) {
				t.Fatalf("slots not in time order: %v after %v", s.Start, last)
			}
			if y, m, dd := s.Start.In(paris).Date(); !time.Date(y, m, dd, 0, 0, 0, 0, paris).Equal(d.Day) {
				t.Fatalf("slot %v listed under %v", s.Start, d.Day)
			}
			last = s.Start
			rooms[s.RoomID], doctors[s.RadiologistID] = true, true
		}
	}
	next := search(app.SlotFilter{From: all.Next})
	if len(next.Days) == 0 || !next.Days[0].Day.After(all.Days[2].Day) {
		t.Fatalf("second page does not follow the first")
	}
	for doctor := range doctors {
		for _, d := range search(app.SlotFilter{RadiologistID: doctor}).Days {
			for _, s := range d.Slots {
				if s.RadiologistID != doctor {
					t.Fatalf("radiologist filter %d gave %d", doctor, s.RadiologistID)
				}
			}
		}
	}
	for room := range rooms {
		for _, d := range search(app.SlotFilter{RoomID: room}).Days {
			for _, s := range d.Slots {
				if s.RoomID != room {
					t.Fatalf("room filter %d gave %d", room, s.RoomID)
				}
			}
		}
	}
	afternoon := search(app.SlotFilter{HalfDay: app.Afternoon})
	morning := search(app.SlotFilter{HalfDay: app.Morning, Day: all.Days[1].Day})
	if len(afternoon.Days) == 0 || len(morning.Days) != 1 || !morning.Days[0].Day.Equal(all.Days[1].Day) {
		t.Fatalf("half-day filters: %d afternoon days, %d morning days", len(afternoon.Days), len(morning.Days))
	}
	for _, d := range afternoon.Days {
		for _, s := range d.Slots {
			if s.Start.In(paris).Hour() < 13 {
				t.Fatalf("afternoon slot at %v", s.Start)
			}
		}
	}
	for _, s := range morning.Days[0].Slots {
		if s.Start.In(paris).Hour() >= 13 {
			t.Fatalf("morning slot at %v", s.Start)
		}
	}

	// The pages: a filter answers a fragment to htmx, "more" the next days.
	c := h.signedIn(auth.Secretary)
	ref := h.referralID("MERCIER")
	var doctor int64
	for d := range doctors {
		doctor = d
	}
	frag := c.do("GET", "/staff/referrals/"+ref+"/slots?half=pm&f_radiologist="+itoa(doctor), nil, map[string]string{"HX-Request": "true"})
	links := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindAllStringSubmatch(frag.body, -1)
	if frag.status != http.StatusOK || strings.Contains(frag.body, "<html") || len(links) == 0 || !strings.Contains(frag.body, `id="slot-results"`) {
		t.Fatalf("filtered fragment: %d, %d slots\n%s", frag.status, len(links), frag.body)
	}
	for _, l := range links {
		q, _ := url.ParseQuery(html.UnescapeString(l[1][strings.Index(l[1], "?")+1:]))
		if q.Get("radiologist_id") != itoa(doctor) || q.Get("time") < "13:00" || q.Get("f_radiologist") != itoa(doctor) {
			t.Fatalf("slot %v outside the filter", q)
		}
	}
	more := regexp.MustCompile(`hx-get="(/staff/referrals/\d+/slots\?[^"]+)"`).FindStringSubmatch(frag.body)
	if more == nil {
		t.Fatal("no more button")
	}
	page2 := c.do("GET", html.UnescapeString(more[1]), nil, map[string]string{"HX-Request": "true"})
	if page2.status != http.StatusOK || strings.Contains(page2.body, `id="slot-results"`) || !strings.Contains(page2.body, `class="slot-day"`) {
		t.Fatalf("more: %d\n%s", page2.status, page2.body)
	}
	if bad := c.get("/staff/referrals/" + ref + "?day=demain"); bad.status != http.StatusOK || !strings.Contains(bad.body, `id="err-day"`) {
		t.Fatalf("bad day: %d", bad.status)
	}
	// The chosen slot is highlighted, and the form holds it.
	chosenLink := html.UnescapeString(links[0][1])
	chosen := c.get(chosenLink)
	if n := strings.Count(chosen.body, `aria-current="true"`); n != 1 || !strings.Contains(chosen.body, `class="slot chosen"`) {
		t.Fatalf("%d slots highlighted", n)
	}
	// Another patient takes that slot's room: the refusal sits under the room.
	q, _ := url.ParseQuery(chosenLink[strings.Index(chosenLink, "?")+1:])
	if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
		t.Fatalf("booking the chosen slot: %d\n%s", r.status, errorsOf(r.body))
	}
	r := c.post("/staff/referrals/"+h.referralID("PETIT")+"/book", q)
	if r.status != http.StatusConflict || !regexp.MustCompile(`id="b-room" name="room_id" aria-invalid="true">.*?</select><p class="field-error">[^<]+</p>`).MatchString(r.body) ||
		!strings.Contains(r.body, `action="/staff/referrals/`+h.referralID("PETIT")+`/book#book-h"`) {
		t.Fatalf("refusal not next to the room: %d\n%s", r.status, errorsOf(r.body))
	}
}

// TestMonitoringPlaceWithoutHours: a recovery chair without hours of its
// own (the demo's) is open while the CT rooms are, for the slot search as
// for the occupancy figures: no slot's monitoring ends after the CT day,
// and a chair's open minutes of a weekday are the CT day's (08:00-17:30).
func TestMonitoringPlaceWithoutHours(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	act, _ := h.cat.Act("facet_joint_infiltration")
	if act.Monitoring.Place != catalog.PlaceRecoveryChair {
		t.Fatalf("the facet infiltration is monitored in %q", act.Monitoring.Place)
	}
	earliest := h.clock.Now().Add(time.Hour)
	page, err := h.app.SearchSlots(system, app.ActPlan{Act: act}, earliest, app.SlotFilter{Day: nextDay(1, time.Monday), HalfDay: app.Afternoon})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range page.Days {
		for _, s := range d.Slots {
			n++
			end := s.Monitoring.End.In(paris)
			if end.Hour()*60+end.Minute() > 17*60+30 || end.YearDay() != s.Start.In(paris).YearDay() {
				t.Fatalf("the slot at %v keeps the chair until %v, after the CT day", s.Start.In(paris), end)
			}
		}
	}
	if n == 0 {
		t.Fatal("no slot")
	}
	day := nextDay(1, time.Monday)
	report, err := h.app.Activity(system, app.ActivityQuery{From: day, To: day.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	chairs := 0
	for _, r := range report.Rooms {
		if strings.HasPrefix(r.Name, "Fauteuil") {
			chairs++
			if r.OpenMinutes != 570 {
				t.Errorf("%s open %d minutes on a Monday, want the CT day's 570", r.Name, r.OpenMinutes)
			}
		}
	}
	if chairs == 0 {
		t.Fatal("no chair in the occupancy")
	}
}
