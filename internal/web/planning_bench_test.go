package web_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/referral"
	"repere/internal/store"
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

// BenchmarkReferralPage measures a referral's page with its slot search
// (bench/load's "referral" requests, and the page a booking opens), as a
// secretary, for a demo referral still to book.
func BenchmarkReferralPage(b *testing.B) {
	h := newHarness(b, storetest.OpenSQLite(b))
	c := h.signedIn(auth.Secretary)
	list, err := h.store.ListReferrals(system, store.ReferralFilter{Status: referral.Received})
	if err != nil {
		b.Fatal(err)
	}
	i := slices.IndexFunc(list, func(r referral.Referral) bool { return !r.IdentityToConfirm })
	if i < 0 {
		b.Fatal("no referral to book in the demo")
	}
	path := "/staff/referrals/" + strconv.FormatInt(list[i].ID, 10)
	if r := c.get(path); r.status != http.StatusOK || !strings.Contains(r.body, "#book-h") {
		b.Fatalf("%s: %d, or no slot proposed", path, r.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := c.get(path); r.status != http.StatusOK {
			b.Fatalf("%s: %d", path, r.status)
		}
	}
}
