package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestBrowserBilling looks at the billing pages in Chromium: the tariff
// table with a dry-run import of a newer extract, an appointment's estimate,
// and the day's billing of a recorded act; screenshots tariffs,
// tariffs-import, appointment-estimate and billing-day.
func TestBrowserBilling(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL

	// An act done and recorded, for the day's billing.
	appt := h.demoAppointment("PASQUIER")
	a := h.performed(appt)
	day := a.Start.In(paris).Format(time.DateOnly)
	form := url.Values{"levels": {"L5-S1"}, "side": {"left"}, "approach": {"transforaminal"}, "steroid.drug": {"dexamethasone"}, "steroid.dose": {"7,5"},
		"dlp": {"150"}, "start": {a.Start.In(paris).Format("2006-01-02T15:04")}, "end": {a.Start.In(paris).Add(15 * time.Minute).Format("2006-01-02T15:04")},
		"complications": {"none"}, "version": {"0"}}
	if r := h.signedIn(auth.Radiologist).post("/staff/appointments/"+appt+"/record", form); !strings.Contains(r.body, `id="record-saved"`) {
		t.Fatalf("record: %d\n%s", r.status, errorsOf(r.body))
	}

	run(t, ctx, chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.admin"), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	run(t, ctx, chromedp.Navigate(base+"/admin/tariffs"), chromedp.WaitVisible(chromedp.ID("tariff-codes")))
	if rows := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#tariff-codes tbody tr").length`)); rows != 8 {
		t.Errorf("tariff table lists %d codes, want the catalogue's 8", rows)
	}
	if overflow := text(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1")); overflow {
		t.Error("the tariff page is wider than the window")
	}
	shoot(t, ctx, dir, "tariffs")

	file := filepath.Join(t.TempDir(), "ccam-extrait.csv")
	extract := "code;label;activity;phase;grid;amount_eur;effective_from\n" +
		"AHLH007;Infiltration thérapeutique de nerf spinal à l'émergence rachidienne, avec guidage scanographique;1;0;optam;29,50;2027-01-01\n" +
		"AHLH007;Infiltration thérapeutique de nerf spinal à l'émergence rachidienne, avec guidage scanographique;1;0;non_optam;21,00;2027-01-01\n" +
		"LHLH002;Infiltration thérapeutique d'articulation vertébrale postérieure, par voie transcutanée avec guidage scanographique;1;0;optam;33,00;2025-01-01\n"
	if err := os.WriteFile(file, []byte(extract), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.SetUploadFiles(chromedp.ID("t-file"), []string{file}),
		chromedp.SendKeys(chromedp.ID("t-source"), "CCAM (essai)"),
		chromedp.Click(chromedp.CSS(`input[name="dry_run"]`)),
		chromedp.Click(chromedp.CSS(`form[enctype] .submit button`)))
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#tariff-result, #tariff-errors")))
	result := text(t, ctx, chromedp.Text(chromedp.ID("tariff-result")))
	if !strings.Contains(result, "2 ajoutées, 1 modifiées") || !strings.Contains(result, "33,00") {
		t.Errorf("import report: %q", result)
	}
	shoot(t, ctx, dir, "tariffs-import")

	run(t, ctx, chromedp.Navigate(base+"/staff/billing?day="+day), chromedp.WaitVisible(chromedp.ID("billing-lines")))
	if got := text(t, ctx, chromedp.Text(chromedp.ID("billing-lines"))); !strings.Contains(got, "AHLH007") || !strings.Contains(got, "40,00") {
		t.Errorf("billing lines: %q", got)
	}
	shoot(t, ctx, dir, "billing-day")

	// The appointment page is the secretary's.
	run(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.secretary"), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+h.demoAppointment("ROCHE")),
		chromedp.Click(chromedp.CSS("#convocation-preview summary")), chromedp.WaitVisible(chromedp.CSS(".document-preview")))
	if got := text(t, ctx, chromedp.Text(chromedp.CSS(".document-preview"))); !strings.Contains(got, "LHMH005") || !strings.Contains(got, "56,00") {
		t.Errorf("estimate on the appointment page: %q", got)
	}
	run(t, ctx, chromedp.ScrollIntoView(chromedp.CSS(`table.estimate`)))
	shoot(t, ctx, dir, "appointment-estimate")

	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}
