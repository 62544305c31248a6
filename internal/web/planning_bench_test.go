package web_test

import (
	"net/http"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/storetest"
)

// BenchmarkPlanningPage measures the day's planning (the day board of
// bench/load's "board" requests) as a secretary, on the demo practice's
// busiest day, through the whole HTTP stack; with -cpuprofile it shows
// where a page view's CPU goes.
func BenchmarkPlanningPage(b *testing.B) {
	h := newHarness(b, storetest.OpenSQLite(b))
	c := h.signedIn(auth.Secretary)
	day := demo.NextWorkday(demo.FirstDay(storetest.Now(), paris), paris).Format(time.DateOnly)
	path := "/staff/planning?day=" + day
	if r := c.get(path); r.status != http.StatusOK {
		b.Fatalf("%s: %d", path, r.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := c.get(path); r.status != http.StatusOK {
			b.Fatalf("%s: %d", path, r.status)
		}
	}
}
