package schedule

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// yearFixture is the year of bookings and its planner, built once per test
// binary.
var yearFixture = sync.OnceValues(func() (Practice, int) { return yearOfBookings(1) })

// searchCase is one search of the benchmark: an act of the catalogue from a
// random instant of the year.
type searchCase struct {
	act   string
	need  Need
	query Query
}

// fixtureSearches draws n searches, with acts in their booking proportions
// and earliest instants anywhere from 1 January to 17 December.
func fixtureSearches(n int) []searchCase {
	rng := rand.New(rand.NewPCG(7, 7))
	acts := fixtureActs()
	cases := make([]searchCase, n)
	for i := range cases {
		roll, act := rng.IntN(100), acts[0]
		for _, a := range acts {
			if roll < a.weight {
				act = a
				break
			}
			roll -= a.weight
		}
		earliest := fixtureYear.Add(time.Duration(rng.IntN(350*24*60)) * time.Minute)
		cases[i] = searchCase{act: act.name, need: act.need, query: Query{
			Window: Window{Earliest: earliest}, Count: 10, StepMinutes: 5, ShortestActMinutes: 20,
		}}
	}
	return cases
}

func BenchmarkNextSlots(b *testing.B) {
	practice, _ := yearFixture()
	planner := mustPlanner(b, practice)
	cases := fixtureSearches(2000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if _, err := planner.NextSlots(c.need, c.query); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextSlotsFromLoadedWindow measures what one request pays when
// the store loads only the bookings of the query's window (see Query.Until)
// and calls the package-level NextSlots: preparing that snapshot, then
// searching it.
func BenchmarkNextSlotsFromLoadedWindow(b *testing.B) {
	practice, _ := yearFixture()
	cases := fixtureSearches(20)
	loaded := make([]Practice, len(cases))
	for i, c := range cases {
		loaded[i] = loadedWindow(practice, c.query.Earliest.AddDate(0, 0, -1), c.query.Until().AddDate(0, 0, 3))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if _, err := NextSlots(loaded[i%len(cases)], c.need, c.query); err != nil {
			b.Fatal(err)
		}
	}
}

// loadedWindow keeps the busy intervals overlapping [from, to), as the
// store's query would.
func loadedWindow(p Practice, from, to time.Time) Practice {
	window := Interval{from, to}
	keep := func(resources []Resource) []Resource {
		out := slices.Clone(resources)
		for i := range out {
			out[i].Busy = slices.DeleteFunc(slices.Clone(out[i].Busy), func(iv Interval) bool { return !iv.Overlaps(window) })
		}
		return out
	}
	loaded := p
	loaded.Rooms, loaded.Radiologists = keep(p.Rooms), keep(p.Radiologists)
	loaded.Places = slices.Clone(p.Places)
	for i := range loaded.Places {
		loaded.Places[i].Resource = keep([]Resource{p.Places[i].Resource})[0]
	}
	return loaded
}

// BenchmarkNew measures preparing the year's calendars (sorting and merging
// about 150,000 busy intervals), which a caller pays once per snapshot.
func BenchmarkNew(b *testing.B) {
	practice, _ := yearFixture()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(practice); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSlotSearchLatencyReport prints the latency percentiles of 2,000
// searches on the year fixture. It measures and reports; it asserts nothing
// about time, since that depends on the machine. Run it with
//
//	go test ./internal/schedule/ -run TestSlotSearchLatencyReport -v
func TestSlotSearchLatencyReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a year of bookings")
	}
	practice, booked := yearFixture()
	t.Log(describeFixture(practice, booked))
	planner := mustPlanner(t, practice)
	cases := fixtureSearches(2000)
	for _, c := range cases[:200] { // warm the caches and the allocator
		planner.NextSlots(c.need, c.query)
	}
	durations := map[string][]time.Duration{}
	var all []time.Duration
	var daysToFirst []float64
	short := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, c := range cases {
		started := time.Now()
		slots, err := planner.NextSlots(c.need, c.query)
		elapsed := time.Since(started)
		if err != nil {
			t.Fatalf("%s from %v: %v", c.act, c.query.Earliest, err)
		}
		durations[c.act] = append(durations[c.act], elapsed)
		all = append(all, elapsed)
		if len(slots) < c.query.Count {
			short++ // the whole horizon was searched
		}
		if len(slots) > 0 {
			daysToFirst = append(daysToFirst, slots[0].Start.Sub(c.query.Earliest).Hours()/24)
		}
	}
	runtime.ReadMemStats(&after)
	t.Logf("%d searches of the next 10 slots (step 5 min): %s", len(all), percentiles(all))
	for _, act := range fixtureActs() {
		t.Logf("  %-15s %4d searches: %s", act.name, len(durations[act.name]), percentiles(durations[act.name]))
	}
	t.Logf("searches finding fewer than 10 slots within %d days: %d", DefaultHorizonDays, short)
	slices.Sort(daysToFirst)
	t.Logf("first slot after the earliest instant: median %.1f days, p99 %.1f days",
		daysToFirst[len(daysToFirst)/2], daysToFirst[len(daysToFirst)*99/100])
	t.Logf("allocations: %.1f per search, %.1f KiB per search",
		float64(after.Mallocs-before.Mallocs)/float64(len(cases)),
		float64(after.TotalAlloc-before.TotalAlloc)/float64(len(cases))/1024)
}

func percentiles(durations []time.Duration) string {
	sorted := slices.Clone(durations)
	slices.Sort(sorted)
	at := func(p int) time.Duration { return sorted[min(len(sorted)-1, len(sorted)*p/100)] }
	return fmt.Sprintf("median %v, p90 %v, p99 %v, max %v", at(50), at(90), at(99), sorted[len(sorted)-1])
}

func describeFixture(p Practice, booked int) string {
	count := func(resources []Resource) int {
		n := 0
		for _, r := range resources {
			n += len(r.Busy)
		}
		return n
	}
	places := 0
	for _, pl := range p.Places {
		places += len(pl.Busy)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fixture: %d acts booked in 2026 on %d rooms, %d radiologists, %d places; ",
		booked, len(p.Rooms), len(p.Radiologists), len(p.Places))
	fmt.Fprintf(&b, "busy intervals: %d room, %d radiologist, %d place", count(p.Rooms), count(p.Radiologists), places)
	return b.String()
}
