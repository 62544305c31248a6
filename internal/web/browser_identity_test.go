package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/storetest"
)

// TestBrowserIdentityBanner opens, as a secretary at 1366×768, a request
// Dr Dubois sent for a patient the practice holds twice under the same
// names and birth date (a man and a woman): the banner shows the identity
// sent, the record proposed and the other one, and the form that confirms
// it (how the identity was checked, a comment, the button) is in view
// without scrolling; the browser does not send it without a check; "other"
// without a comment comes back with the error under the comment and the
// choice kept; once confirmed the page offers to book and its history says
// how the identity was checked.
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
	for _, sel := range []string{"#identity-check", "#identity-comment", "#identity-confirm"} {
		inView(t, ctx, sel)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS("#identity-confirm")))
	if valid := text(t, ctx, chromedp.Evaluate[bool](`document.querySelector("#identity-check").validity.valid`)); valid {
		t.Error("the check is not required by the browser")
	}
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#identity-check"), "other"))
	clickAndWait(t, ctx, "#identity-confirm", "#err-identity_comment")
	shoot(t, ctx, dir, "referral-identity-confirm-refused")
	if got := text(t, ctx, chromedp.Evaluate[string](`document.querySelector("#identity-check").value`)); got != "other" {
		t.Errorf("the refused form keeps the check %q", got)
	}
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#identity-comment"), "Vue en consultation le 2 décembre"))
	clickAndWait(t, ctx, "#identity-confirm", ".flash")
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("book-submit")))
	if h := text(t, ctx, chromedp.Evaluate[string](`document.querySelector("#referral-history").textContent`)); !strings.Contains(h, "vérification : Autre (Vue en consultation le 2 décembre)") {
		t.Errorf("the history: %s", h)
	}
	refused := 0
	for _, m := range console.all() {
		if strings.Contains(m, "status of 422") && refused == 0 { // the refused form's answer, once
			refused++
			continue
		}
		t.Errorf("console: %s", m)
	}
}
