package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestBrowserDashboards opens the dose review, the activity and the
// outcomes in Chromium on a year of demo history, checks the SVG charts
// are drawn beside their tables without overflowing the window, and saves
// screenshots dose-review, activity and outcomes.
func TestBrowserDashboards(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	now := h.clock.Now()
	if _, err := demo.History(context.Background(), h.app, h.clock, now, 1, 7); err != nil {
		t.Fatal(err)
	}
	admin := audit.WithActor(context.Background(), audit.Actor{Login: "t.admin", Role: string(auth.Admin)})
	for _, l := range []store.DoseLevel{
		{ActID: "vertebroplasty", Kind: app.LevelLocalReference, Quantity: app.QuantityDLP, Value: ptr(1000), Source: "P75 du cabinet 2025"},
		{ActID: "lumbar_epidural_infiltration", Kind: app.LevelLocalReference, Quantity: app.QuantityDLP, Value: ptr(380), Source: "P75 du cabinet 2025"},
		{ActID: "epidural_blood_patch", Kind: app.LevelAlert, Quantity: app.QuantityDLP, Value: ptr(450)},
	} {
		if err := h.app.SetDoseLevel(admin, l); err != nil {
			t.Fatal(err)
		}
	}
	base := h.ts.URL
	run(t, ctx, chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), roleLogins[auth.Radiologist]), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	for _, page := range []struct{ path, ready, shot string }{
		{"/staff/dose", "#dose-chart svg", "dose-review"},
		{"/staff/activity", "#activity-months svg", "activity"},
		{"/staff/outcomes", "#outcomes-chart svg", "outcomes"},
	} {
		run(t, ctx, chromedp.Navigate(base+page.path), chromedp.WaitVisible(chromedp.CSS(page.ready)))
		if n := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`)); n == 0 {
			t.Errorf("%s: no chart", page.path)
		}
		if rows := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.list tbody tr").length`)); rows < 3 {
			t.Errorf("%s: %d table rows, want the history's", page.path, rows)
		}
		if overflow := text(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1")); overflow {
			t.Errorf("%s is wider than the window", page.path)
		}
		shoot(t, ctx, dir, page.shot)
	}
	// One act's outcomes, at a readable size.
	png := text(t, ctx, chromedp.Screenshot(chromedp.ID("outcome-epidural_blood_patch")))
	if err := os.WriteFile(filepath.Join(dir, "outcomes-blood-patch.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range console.all() {
		if strings.Contains(strings.ToLower(m), "error") {
			t.Errorf("console: %s", m)
		}
	}
}

func ptr(v float64) *float64 { return &v }
