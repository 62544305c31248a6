package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// staffViewport is the secretary's screen: a common office laptop.
const staffWidth, staffHeight = 1366, 768

// inView fails the test unless the element is wholly inside the window
// without scrolling further: what a click on it needs.
func inView(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	js := `(() => { const r = document.querySelector(` + "`" + sel + "`" + `).getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })()`
	if !text(t, ctx, chromedp.Evaluate[bool](js)) {
		t.Fatalf("%s is not in view at %dx%d", sel, staffWidth, staffHeight)
	}
}

// TestBrowserBooksInThreeClicks opens a blood patch's referral as a
// secretary at 1366×768 and books it: a click on a proposed slot, a click on
// "confirm"; neither needs scrolling.
func TestBrowserBooksInThreeClicks(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	ref := h.referralID("BERNARD") // the demo's blood patch, not booked yet
	run(t, ctx, chromedp.EmulateViewport(staffWidth, staffHeight), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), roleLogins[auth.Secretary]), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")),
		chromedp.Navigate(base+"/staff/referrals/"+ref), chromedp.WaitVisible(chromedp.CSS(".slot-times a.slot")))
	shoot(t, ctx, dir, "referral-booking-1366")
	clicks := 0
	inView(t, ctx, ".slot-times a.slot")
	clickAndWait(t, ctx, ".slot-times a.slot", "a.slot.chosen")
	clicks++
	shoot(t, ctx, dir, "referral-slot-chosen")
	inView(t, ctx, "a.slot.chosen")
	inView(t, ctx, "#book-submit")
	clickAndWait(t, ctx, "#book-submit", ".flash")
	clicks++
	appts, err := h.store.ListAppointments(system, storeFilterReferral(ref))
	if err != nil || len(appts) != 1 {
		t.Fatalf("after %d clicks: %d appointments (%v)", clicks, len(appts), err)
	}
	if clicks > 3 {
		t.Fatalf("%d clicks to book", clicks)
	}
	t.Logf("booked in %d clicks after opening the referral", clicks)
	for _, m := range console.all() {
		t.Errorf("console: %s", m)
	}
}
