package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/storetest"
)

// TestBrowserListsFitATablet opens the staff's and the admin's lists on a
// tablet held upright (768 px wide): a wide table scrolls inside its own
// box, a chart shrinks to the screen, and the page itself never grows wider
// than the screen (its header and the table's last columns cut off, as the
// referrals' status column and the audit log's object were, and the day
// board's last column).
func TestBrowserListsFitATablet(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	if _, err := demo.History(context.Background(), h.app, h.clock, h.clock.Now(), 1, 7); err != nil {
		t.Fatal(err)
	}
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	run(t, ctx, chromedp.EmulateViewport(768, 1024), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")))
	signIn := func(role auth.Role) {
		run(t, ctx, chromedp.SendKeys(chromedp.ID("login"), roleLogins[role]), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
			chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	}
	for _, group := range []struct {
		role  auth.Role
		paths []string
	}{
		{auth.Radiologist, []string{"/staff/referrals", "/staff/catalogue", "/staff/dose", "/staff/activity", "/staff/outcomes", "/staff/day"}},
		{auth.Admin, []string{"/admin/users", "/admin/audit"}},
	} {
		signIn(group.role)
		for _, path := range group.paths {
			run(t, ctx, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS("footer")))
			if path == "/staff/day" { // five columns of cards, no table
				if cards := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".day-board .board-card").length`)); cards == 0 {
					t.Errorf("%s: no card to measure", path)
				}
				shoot(t, ctx, dir, "tablet-day-board")
			} else if rows := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table tbody tr").length`)); rows == 0 {
				t.Errorf("%s: no table row to measure", path)
			}
			if over := text(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); over > 1 {
				t.Errorf("%s is %d px wider than a 768 px tablet", path, over)
				shoot(t, ctx, dir, "tablet"+strings.ReplaceAll(path, "/", "-"))
			}
		}
		run(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login")))
	}
	for _, m := range console.all() {
		t.Errorf("console: %s", m)
	}
}
