package schedule

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// scenario is a random practice, act and query over a few days. The weeks
// drawn include both daylight-saving changes of 2026.
type scenario struct {
	practice Practice
	need     Need
	query    Query
}

var scenarioWeeks = []time.Time{
	time.Date(2026, 3, 26, 0, 0, 0, 0, paris),  // spring forward on Sunday 29
	time.Date(2026, 10, 22, 0, 0, 0, 0, paris), // fall back on Sunday 25
	time.Date(2026, 6, 3, 0, 0, 0, 0, paris),
}

func drawScenario(t *rapid.T) scenario {
	week := rapid.SampledFrom(scenarioWeeks).Draw(t, "week")
	// rapid favours small integers: days and window lengths are sampled
	// from lists so that long windows and the weekends are met as often.
	earliest := week.AddDate(0, 0, rapid.SampledFrom([]int{0, 1, 2, 3}).Draw(t, "earliest day")).
		Add(time.Duration(rapid.IntRange(0, 24*60-1).Draw(t, "earliest minute")) * time.Minute)
	hours := rapid.SampledFrom([]int{1, 4, 12, 24, 48, 72}).Draw(t, "window hours")
	latest := earliest.Add(time.Duration(hours*60+rapid.IntRange(0, 59).Draw(t, "window minutes")) * time.Minute)
	window := Window{Earliest: earliest, Latest: latest}
	resources := func(label string, counts ...int) []Resource {
		out := make([]Resource, rapid.SampledFrom(counts).Draw(t, label))
		for i := range out {
			out[i] = drawResource(t, int64(i+1), window)
		}
		return out
	}
	p := Practice{
		Location:            paris,
		Rooms:               resources("rooms", 1, 2, 3),
		Radiologists:        resources("radiologists", 1, 2, 3),
		Anaesthesia:         resources("anaesthesia", 0, 1, 1, 2),
		WardDischargeMinute: rapid.SampledFrom([]int{0, 6 * 60, 8 * 60, 12 * 60}).Draw(t, "discharge"),
	}
	for _, res := range resources("places", 0, 1, 2, 3, 4) {
		kind := rapid.SampledFrom([]PlaceKind{RecoveryChair, RecoveryBed, WardBed}).Draw(t, "place kind")
		p.Places = append(p.Places, Place{Resource: res, Kind: kind})
	}
	return scenario{practice: p, need: drawNeed(t, p), query: drawQuery(t, window)}
}

// drawResource opens a resource around the clock, on office hours, on daily
// spans or on a few random spans, and books it around the window.
func drawResource(t *rapid.T, id int64, w Window) Resource {
	res := Resource{ID: id}
	switch rapid.SampledFrom([]string{"clock", "office", "office", "daily", "daily", "random"}).Draw(t, "opening style") {
	case "clock":
		res.Hours = EveryDay(0, 24*60)
	case "office":
		res.Hours = weekdays("08:00", "18:00")
	case "daily":
		start := rapid.SampledFrom([]int{0, 7 * 60, 8*60 + 30, 13 * 60, 20 * 60}).Draw(t, "opens daily at")
		length := rapid.SampledFrom([]int{60, 4 * 60, 10 * 60, 24 * 60}).Draw(t, "open daily for")
		res.Hours = EveryDay(start, min(start+length, 24*60))
	default:
		for range rapid.IntRange(1, 8).Draw(t, "openings") {
			start := rapid.IntRange(0, 24*60-1).Draw(t, "opens at")
			res.Hours = append(res.Hours, WeeklyHours{
				Weekday:     time.Weekday(rapid.IntRange(0, 6).Draw(t, "weekday")),
				StartMinute: start,
				EndMinute:   rapid.IntRange(start+1, 24*60).Draw(t, "closes at"),
			})
		}
	}
	around := func(label string, maxMinutes int) Interval {
		span := int(w.Latest.Sub(w.Earliest) / time.Minute)
		start := w.Earliest.Add(time.Duration(rapid.IntRange(-12*60, span+12*60).Draw(t, label)) * time.Minute)
		return Interval{start, start.Add(time.Duration(rapid.IntRange(1, maxMinutes).Draw(t, label+" length")) * time.Minute)}
	}
	if rapid.SampledFrom([]bool{false, false, false, true}).Draw(t, "closed") {
		res.Closures = append(res.Closures, around("closure", 24*60))
	}
	for range rapid.IntRange(0, 12).Draw(t, "bookings") {
		res.Busy = append(res.Busy, around("booking", 180))
	}
	return res
}

// drawNeed asks for a monitoring place of a kind the practice has, most of
// the time, and for radiologists of the practice.
func drawNeed(t *rapid.T, p Practice) Need {
	monitorings := []Monitoring{NoMonitoring}
	for _, place := range p.Places {
		monitorings = append(monitorings, map[PlaceKind]Monitoring{
			RecoveryChair: InRecoveryChair, RecoveryBed: InRecoveryBed, WardBed: OvernightInWard,
		}[place.Kind])
	}
	need := Need{
		RoomMinutes:     rapid.IntRange(5, 120).Draw(t, "room minutes"),
		TurnoverMinutes: rapid.SampledFrom([]int{0, 0, 5, 15}).Draw(t, "turnover"),
		Monitoring:      rapid.SampledFrom(monitorings).Draw(t, "monitoring"),
		Anaesthesia:     rapid.SampledFrom([]bool{false, false, false, true}).Draw(t, "anaesthesia"),
	}
	switch need.Monitoring {
	case InRecoveryChair, InRecoveryBed:
		need.MonitoringMinutes = rapid.IntRange(1, 180).Draw(t, "monitoring minutes")
	case OvernightInWard:
		need.MonitoringMinutes = rapid.IntRange(0, 30*60).Draw(t, "overnight minutes")
	}
	for _, rad := range p.Radiologists {
		if rapid.SampledFrom([]bool{true, true, true, false}).Draw(t, "performs the act") {
			need.Radiologists = append(need.Radiologists, rad.ID)
		}
	}
	if rapid.SampledFrom([]bool{false, false, false, true}).Draw(t, "an unknown radiologist") {
		need.Radiologists = append(need.Radiologists, 99)
	}
	return need
}

func drawQuery(t *rapid.T, w Window) Query {
	return Query{
		Window:             w,
		Count:              rapid.IntRange(1, 30).Draw(t, "count"),
		StepMinutes:        rapid.SampledFrom([]int{1, 5, 10, 15, 20, 30, 45, 60}).Draw(t, "step"),
		ShortestActMinutes: rapid.IntRange(1, 120).Draw(t, "shortest act"),
	}
}

// TestNextSlotsProperties compares the search with the brute-force
// reference on random calendars.
func TestNextSlotsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := drawScenario(t)
		planner, err := New(sc.practice)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		slots, err := planner.NextSlots(sc.need, sc.query)
		ref := newReference(sc.practice, sc.need, sc.query)
		expected := ref.slots()
		if errors.Is(err, ErrNoResource) {
			if len(expected) > 0 {
				t.Fatalf("ErrNoResource, but the reference finds %d slots", len(expected))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range slots {
			assertFeasible(t, sc, ref, s)
			if err := planner.Check(sc.need, sc.query.Window, s.Booking); err != nil {
				t.Fatalf("Check refuses the returned slot %v: %v", s.Start, err)
			}
		}
		assertRankOrder(t, slots)
		assertNoDayMissed(t, ref, slots, expected, sc.query.Count)
		assertSameAsReference(t, ref, slots, expected[:min(len(expected), sc.query.Count)])
	})
}

// TestCheckProperties proposes bookings, half of them returned slots moved
// by a few minutes or given another resource, and compares Check's verdict
// with the reference's.
func TestCheckProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := drawScenario(t)
		planner, err := New(sc.practice)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		b := drawProposal(t, sc, planner)
		err = planner.Check(sc.need, sc.query.Window, b)
		var conflicts Conflicts
		if err != nil && !errors.As(err, &conflicts) {
			t.Fatalf("Check: %v", err)
		}
		if want := newReference(sc.practice, sc.need, sc.query).feasible(b); want != (err == nil) {
			t.Fatalf("Check of %+v says %v, the reference says feasible=%v", b, err, want)
		}
	})
}

func drawProposal(t *rapid.T, sc scenario, planner *Planner) Booking {
	// An id from 0 (none) to one past the last (unknown).
	pick := func(label string, count int) int64 { return rapid.Int64Range(0, int64(count)+1).Draw(t, label) }
	slots, _ := planner.NextSlots(sc.need, sc.query)
	if len(slots) > 0 && rapid.Bool().Draw(t, "near a slot") {
		b := rapid.SampledFrom(slots).Draw(t, "slot").Booking
		shift := rapid.SampledFrom([]int{0, -1, 1, -5, 5, -30, 30}).Draw(t, "shift")
		b.Start = b.Start.Add(time.Duration(shift) * time.Minute)
		switch rapid.SampledFrom([]string{"same", "room", "radiologist", "place"}).Draw(t, "change") {
		case "room":
			b.RoomID = pick("room", len(sc.practice.Rooms))
		case "radiologist":
			b.RadiologistID = pick("radiologist", len(sc.practice.Radiologists))
		case "place":
			b.PlaceID = pick("place", len(sc.practice.Places))
		}
		return b
	}
	span := int(sc.query.Latest.Sub(sc.query.Earliest) / time.Minute)
	return Booking{
		Start:         sc.query.Earliest.Add(time.Duration(rapid.IntRange(-60, span+60).Draw(t, "start")) * time.Minute),
		RoomID:        pick("room", len(sc.practice.Rooms)),
		RadiologistID: pick("radiologist", len(sc.practice.Radiologists)),
		PlaceID:       pick("place", len(sc.practice.Places)),
		AnaesthesiaID: pick("anaesthesia", len(sc.practice.Anaesthesia)),
	}
}

// assertFeasible checks a slot directly against the raw input: inside the
// window, every hold free in the reference's minutes, and no overlap with
// any busy interval or closure of the resources it names.
func assertFeasible(t *rapid.T, sc scenario, ref *reference, s Slot) {
	if s.Start.Before(sc.query.Earliest) || !s.Start.Before(sc.query.Latest) {
		t.Fatalf("slot %v outside the window %v", s.Start, sc.query.Window)
	}
	if !ref.feasible(s.Booking) {
		t.Fatalf("slot %+v is not feasible minute by minute", s.Booking)
	}
	holds := []struct {
		res  Resource
		hold Interval
	}{{find(sc.practice.Rooms, s.RoomID), s.Room}, {find(sc.practice.Radiologists, s.RadiologistID), s.Act}}
	if s.PlaceID != 0 {
		for _, p := range sc.practice.Places {
			if p.ID == s.PlaceID {
				holds = append(holds, struct {
					res  Resource
					hold Interval
				}{p.Resource, s.Monitoring})
			}
		}
	}
	for _, h := range holds {
		for _, iv := range slices.Concat(h.res.Busy, h.res.Closures) {
			if iv.Overlaps(h.hold) {
				t.Fatalf("slot %v: hold %v of resource %d overlaps %v", s.Start, h.hold, h.res.ID, iv)
			}
		}
	}
}

func find(resources []Resource, id int64) Resource {
	for _, r := range resources {
		if r.ID == id {
			return r
		}
	}
	return Resource{}
}

// assertRankOrder checks that days never go back, that within a day the
// fits never get better, and that no start is offered twice.
func assertRankOrder(t *rapid.T, slots []Slot) {
	seen := map[time.Time]bool{}
	for i, s := range slots {
		if seen[s.Start] {
			t.Fatalf("start %v offered twice", s.Start)
		}
		seen[s.Start] = true
		if i == 0 {
			continue
		}
		prev := slots[i-1]
		order := cmp.Or(
			cmp.Compare(dateKey(prev.Start), dateKey(s.Start)),
			cmp.Compare(prev.Fit.WastedMinutes, s.Fit.WastedMinutes),
			cmp.Compare(s.Fit.SnugEnds, prev.Fit.SnugEnds),
			prev.Start.Compare(s.Start),
		)
		if order > 0 {
			t.Fatalf("slot %d (%v %+v) ranks before slot %d (%v %+v)", i, s.Start, s.Fit, i-1, prev.Start, prev.Fit)
		}
	}
}

func dateKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// assertNoDayMissed checks that a day on which the reference finds a start
// gets at least one slot, unless the count was reached before that day.
func assertNoDayMissed(t *rapid.T, ref *reference, slots []Slot, expected []referenceSlot, count int) {
	days := map[int]bool{}
	for _, s := range slots {
		days[dateKey(s.Start)] = true
	}
	for _, e := range expected {
		if len(slots) == count && e.day > dateKey(slots[len(slots)-1].Start) {
			return
		}
		if !days[e.day] {
			t.Fatalf("the reference finds %v feasible but the search offers nothing on that day", ref.local[e.start])
		}
	}
}

// assertSameAsReference checks the slots, their holds, resources and fits
// one by one against the reference's best ones.
func assertSameAsReference(t *rapid.T, ref *reference, slots []Slot, expected []referenceSlot) {
	if len(slots) != len(expected) {
		t.Fatalf("%d slots, the reference finds %d", len(slots), len(expected))
	}
	for i, e := range expected {
		s := slots[i]
		got := [maxPools]int64{s.RoomID, s.RadiologistID}
		holds := [maxPools][2]int{{ref.index(s.Room.Start), ref.index(s.Room.End)}, {ref.index(s.Act.Start), ref.index(s.Act.End)}}
		k := 2
		if s.PlaceID != 0 {
			got[k], holds[k] = s.PlaceID, [2]int{ref.index(s.Monitoring.Start), ref.index(s.Monitoring.End)}
			k++
		}
		if s.AnaesthesiaID != 0 {
			got[k], holds[k] = s.AnaesthesiaID, [2]int{ref.index(s.Act.Start), ref.index(s.Act.End)}
		}
		if ref.index(s.Start) != e.start || got != e.ids || holds != e.holds ||
			s.Fit != (Fit{WastedMinutes: e.wasted, SnugEnds: e.snug}) {
			t.Fatalf("slot %d: got %v %v holds %v fit %+v\nwant %v %v holds %v fit {%d %d}", i,
				s.Start, got, holds, s.Fit, ref.local[e.start], e.ids, e.holds, e.wasted, e.snug)
		}
	}
}
