package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/storetest"
)

// TestBrowserIdentityBanner opens, as a secretary at 1366×768, a request
// Dr Dubois sent for a patient the practice holds twice under the same
// names and birth date (a man and a woman): the banner shows the identity
// sent, the record proposed and the other one, and the button that
// confirms it is in view without scrolling; once confirmed the page
// offers to book.
func TestBrowserIdentityBanner(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	if _, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "F",
		Phone: "06 12 12 12 12"}); err != nil {
		t.Fatal(err)
	}
	id := h.sendPasquierRequest("M")
	base := h.ts.URL
	run(t, ctx, chromedp.EmulateViewport(staffWidth, staffHeight), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), roleLogins[auth.Secretary]), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")),
		chromedp.Navigate(base+"/staff/referrals/"+id), chromedp.WaitVisible(chromedp.ID("identity")))
	shoot(t, ctx, dir, "referral-identity-to-confirm")
	rows := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#identity tbody tr").length`))
	if rows != 3 {
		t.Errorf("the banner shows %d rows, want the identity sent, the record and the other record", rows)
	}
	inView(t, ctx, "#identity-confirm")
	clickAndWait(t, ctx, "#identity-confirm", ".flash")
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("book-submit")))
	for _, m := range console.all() {
		t.Errorf("console: %s", m)
	}
}
