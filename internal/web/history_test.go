package web_test

import (
	"context"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/storetest"
)

// TestDemoHistoryThroughTheApplication plays a past year of the demo
// practice (one referral a day, to stay quick) through the application
// layer; the dashboards then show it: acts done with their doses, pain
// outcomes and a monthly series.
func TestDemoHistoryThroughTheApplication(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a year of acts")
	}
	h := newHarness(t, storetest.OpenSQLite(t))
	now := h.clock.Now()
	stats, err := demo.History(context.Background(), h.app, h.clock, now, 1, 42)
	if err != nil {
		t.Fatalf("%+v: %v", stats, err)
	}
	if stats.Done < 150 || stats.Failed > stats.Referrals/20 {
		t.Fatalf("history: %+v", stats)
	}
	if !h.clock.Now().Equal(now) && h.clock.Now().Sub(now) > 1e9 {
		t.Fatalf("clock left at %v", h.clock.Now())
	}
	doc := h.signedIn(auth.Radiologist)
	dosePage := doc.get("/staff/dose")
	if !strings.Contains(dosePage.body, `id="dose-table"`) || strings.Count(dosePage.body, `<th scope="row">`) < 5 {
		t.Fatal("the dose review does not show the history's acts")
	}
	outcomes := doc.get("/staff/outcomes")
	if !strings.Contains(outcomes.body, "Répondeurs") || !strings.Contains(outcomes.body, "J15") {
		t.Fatal("no outcomes from the history")
	}
	activity := doc.get("/staff/activity")
	if !strings.Contains(activity.body, "<polyline") {
		t.Fatal("no monthly series")
	}
	t.Logf("history: %+v", stats)
}
