package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestBrowserClinicalReview: a radiologist reads a screening's findings in
// words, then the review of the facet injection, and confirms a value there
// with the keyboard-reachable form; screenshots of each step.
func TestBrowserClinicalReview(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	sec := h.signedIn(auth.Secretary)
	today := storetest.Now().In(paris).Format(time.DateOnly)
	for _, c := range []struct {
		name, act string
		set       map[string]string
	}{
		{"DUPRÉ", "facet_joint_infiltration", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "clopidogrel", "t.1.drug": "other", "t.1.other": "Tisane inconnue",
			"q.renal_failure": "yes", "lab.creatinine.value": "140", "lab.creatinine.date": today}},
		{"LEMAÎTRE", "vertebroplasty", map[string]string{"q.takes_medicines": "yes", "t.0.drug": "dabigatran", "q.weight_kg": "64",
			"lab.creatinine.value": "95", "lab.creatinine.date": today, "lab.inr.value": "1", "lab.inr.date": today, "lab.platelets.value": "230", "lab.platelets.date": today}},
	} {
		form := safeAnswers(t, h.cat, c.act)
		for k, v := range c.set {
			form.Set(k, v)
		}
		form.Set("version", "0")
		if r := sec.post("/staff/referrals/"+h.referralID(c.name)+"/screening", form); r.status != http.StatusSeeOther {
			t.Fatalf("questionnaire of %s: %d", c.name, r.status)
		}
	}

	run(t, ctx, chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.radiologist"), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))

	run(t, ctx, chromedp.Navigate(base+"/staff/referrals/"+h.referralID("DUPRÉ")+"#screening-h"),
		chromedp.Click(chromedp.CSS("details.findings-detail summary")), chromedp.WaitVisible(chromedp.CSS("table.findings")))
	findings := text(t, ctx, chromedp.Text(chromedp.CSS("table.findings")))
	for _, want := range []string{"Traitement : Clopidogrel", "Insuffisance rénale : oui", "Médicament hors liste : Tisane inconnue", "Narouze et al., ASRA 2018"} {
		if !strings.Contains(findings, want) {
			t.Errorf("findings lack %q", want)
		}
	}
	if strings.Contains(findings, " = ") {
		t.Errorf("findings show the data's internals: %s", findings)
	}
	shoot(t, ctx, dir, "screening-findings")

	run(t, ctx, chromedp.Navigate(base+"/staff/referrals/"+h.referralID("LEMAÎTRE")+"#screening-h"), chromedp.WaitVisible(chromedp.ID("clearance")))
	if c := text(t, ctx, chromedp.Text(chromedp.ID("clearance"))); !strings.Contains(c, "Cockcroft-Gault") || !strings.Contains(c, "mL/min") {
		t.Errorf("clearance line: %q", c)
	}
	shoot(t, ctx, dir, "screening-clearance")

	run(t, ctx, chromedp.Navigate(base+"/staff/review"), chromedp.WaitVisible(chromedp.ID("review-pdf")))
	shoot(t, ctx, dir, "review-index")

	row := "#row-hold-clopidogrel-low"
	run(t, ctx, chromedp.Navigate(base+"/staff/review/facet_joint_infiltration?show=open"), chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" summary")),
		chromedp.SendKeys(chromedp.CSS(row+" input[name=reason]"), "Tableau de Narouze 2018 relu : pas d'arrêt pour un geste à faible risque\r"),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	run(t, ctx, chromedp.Navigate(base+"/staff/review/facet_joint_infiltration#row-hold-clopidogrel-low"), chromedp.WaitVisible(chromedp.CSS(row)))
	shootView(t, ctx, dir, "review-act") // the page is long: the decided row and its neighbours
	if got := text(t, ctx, chromedp.Text(chromedp.CSS(row))); !strings.Contains(got, "Décidée par le cabinet") || !strings.Contains(got, "Narouze 2018 relu") {
		t.Errorf("decided row: %q", got)
	}
	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}

// shootView saves what the window shows (a long page's full screenshot
// would weigh megabytes).
func shootView(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 10_000 {
		t.Fatalf("screenshot %s: %v (%d bytes)", name, err, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
