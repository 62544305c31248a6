package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/pdftest"
	"repere/internal/storetest"
)

// patientPageCheck is what a patient page must be on a 390×844 phone: no
// staff navigation, nothing wider than the screen, every control at least
// 44 px high (the CSS aims at 48). It returns the page's height in CSS px.
func patientPageCheck(t *testing.T, ctx context.Context, name string) float64 {
	t.Helper()
	type layout struct {
		StaffNav bool
		Overflow bool
		Small    []string
		Height   float64
	}
	got := text(t, ctx, chromedp.Evaluate[layout](`(() => {
		const small = [...document.querySelectorAll("main button, main .button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select, main label.choice, header a, footer a")]
			.filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
			.map(e => e.outerHTML.slice(0, 90));
		return {StaffNav: !!document.querySelector(".main-nav, .top-tools"), Overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
			Small: small, Height: document.documentElement.scrollHeight};
	})()`))
	if got.StaffNav {
		t.Errorf("%s shows the staff navigation", name)
	}
	if got.Overflow {
		t.Errorf("%s is wider than the phone", name)
	}
	for _, s := range got.Small {
		t.Errorf("%s: a control under 44 px: %s", name, s)
	}
	t.Logf("%s: %.0f CSS px high at 390×844", name, got.Height)
	return got.Height
}

// TestBrowserPatientPages plays the patient's side on a 390×844 phone,
// without SMTP: the letter the secretary printed gives the questionnaire
// link and a one-time code; the patient opens the portal with the code,
// fills the questionnaire and reads the consent; every page is in the
// patient layout. Screenshots: docs/screenshots/patient-*.png with
// REPERE_SCREENSHOTS=docs/screenshots.
func TestBrowserPatientPages(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	h.zoe()
	staff := h.signedIn(auth.Secretary)
	r := staff.post("/staff/referrals/"+h.referralID("LEFÈVRE")+"/screening/send", url.Values{"channel": {"letter"}})
	if r.status != http.StatusOK {
		t.Fatalf("letter: %d", r.status)
	}
	letter := pdftest.Text(t, []byte(r.body))
	link, code := linkInText.FindString(letter), codeInText.FindStringSubmatch(letter)
	if link == "" || code == nil {
		t.Fatalf("letter:\n%s", letter)
	}
	u, _ := url.Parse(link)
	base := h.ts.URL
	run(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/portal/?lang=fr"), chromedp.WaitVisible(chromedp.ID("pt-letter-code")))
	patientPageCheck(t, ctx, "portal sign-in")
	shoot(t, ctx, dir, "patient-portal-signin")
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pt-letter-code"), code[1]),
		chromedp.SetValue(chromedp.ID("pt-letter-born"), "1991-04-12"),
		chromedp.Submit(chromedp.ID("pt-letter-code")), chromedp.WaitVisible(chromedp.CSS(".portal-appt")))
	patientPageCheck(t, ctx, "portal home")
	shoot(t, ctx, dir, "patient-portal-home")

	run(t, ctx, chromedp.Navigate(base+u.Path+"?lang=fr"), chromedp.WaitVisible(chromedp.ID("birth_date")))
	patientPageCheck(t, ctx, "questionnaire birth date")
	run(t, ctx, chromedp.SetValue(chromedp.ID("birth_date"), "1991-04-12"), chromedp.Submit(chromedp.ID("birth_date")),
		chromedp.WaitVisible(chromedp.CSS("form.questionnaire")))
	patientPageCheck(t, ctx, "questionnaire")
	shootView(t, ctx, dir, "patient-questionnaire")

	run(t, ctx, chromedp.Navigate(base+u.Path+"/consent?lang=fr"), chromedp.WaitVisible(chromedp.ID("signature-pad")))
	patientPageCheck(t, ctx, "consent")
	if back := text(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector(".staff-back")`)); back {
		t.Error("the patient's own consent page links to the staff pages")
	}
	shootView(t, ctx, dir, "patient-consent")
	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}
