package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"repere/internal/app"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/pdftest"
	"repere/internal/storetest"
)

// drawSignature draws a stroke on the consent page's canvas.
func drawSignature(t *testing.T, ctx context.Context) {
	t.Helper()
	type rect struct{ X, Y, W, H float64 }
	r := text(t, ctx, chromedp.Evaluate[rect](`(() => { const c = document.getElementById("signature-pad"); c.scrollIntoView(); const b = c.getBoundingClientRect(); return {X: b.left, Y: b.top, W: b.width, H: b.height}; })()`))
	stroke := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, r.X+20, r.Y+r.H/2, chromedp.ButtonLeft)}
	for i := 1; i <= 12; i++ {
		stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseMoved, r.X+20+float64(i)*(r.W-40)/12, r.Y+r.H/2+float64((i%3)-1)*r.H/6,
			chromedp.ButtonType(input.MouseButtonLeft), func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseReleased, r.X+r.W-20, r.Y+r.H/2, chromedp.ButtonLeft))
	run(t, ctx, stroke...)
}

// clickAndWait clicks and waits for the next page to show sel.
func clickAndWait(t *testing.T, ctx context.Context, click, sel string) {
	t.Helper()
	// The next page may show the same element as this one: let the
	// navigation begin before waiting for it.
	run(t, ctx, chromedp.Click(chromedp.CSS(click)), chromedp.Sleep(400*time.Millisecond), chromedp.WaitReady(chromedp.CSS("body")), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// TestBrowserDemoDay plays the demo blood patch end to end in Chromium at
// 1366×768 (each page held to two screens but the checklist, a list):
// check-in on two identifiers, consent on the tablet, the safety checklist,
// the act and its record, monitoring, the signed report (whose PDF reads
// correctly), discharge, then the patient's portal with the emailed code.
func TestBrowserDemoDay(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org") })
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	appt := h.appointmentID()
	a := h.onTheDay(appt) // the server's clock: half an hour before the act
	day := a.Start.In(paris).Format("2006-01-02")
	// Each step is looked at on a 1366×768 screen: no page but a list is
	// taller than two screens.
	step := func(name string, list bool) {
		t.Helper()
		if height := text(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`)); !list && height > 2*staffHeight {
			t.Errorf("%s: %d px tall, more than two screens (%d)", name, height, 2*staffHeight)
		}
		shoot(t, ctx, dir, name)
	}

	run(t, ctx, chromedp.EmulateViewport(staffWidth, staffHeight), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.radiologist"), chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")),
		chromedp.Navigate(base+"/staff/day?day="+day), chromedp.WaitVisible(chromedp.ID("day-"+appt)))
	step("day-board", false)

	// Check-in: the patient gives name and birth date.
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/checkin"), chromedp.WaitVisible(chromedp.ID("ci-born")),
		chromedp.Click(chromedp.CSS(`input[name="name_confirmed"]`)), chromedp.SetValue(chromedp.ID("ci-born"), "1991-04-12"))
	clickAndWait(t, ctx, `form[action$="/checkin"] button[type="submit"]`, "#signature-pad")
	step("consent-on-tablet", false)
	// No consent yet: the tablet page comes next.
	run(t, ctx, chromedp.SendKeys(chromedp.ID("signer"), "Zoé Lefèvre"))
	drawSignature(t, ctx)
	clickAndWait(t, ctx, "#consent-form button[type=submit]", "code.hash")

	// The checklist, item by item, then the act starts.
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/checklist"), chromedp.WaitVisible(chromedp.ID("checklist-status")))
	for range 20 {
		left := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("li.check-item:not(.state-ok) button[value=ok]").length`))
		if left == 0 {
			break
		}
		run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("li.check-item:not(.state-ok) button[value=ok]").click()`),
			chromedp.Sleep(150*time.Millisecond), chromedp.WaitVisible(chromedp.ID("checklist-status")))
	}
	step("checklist", true)
	clickAndWait(t, ctx, "#start-act", "#dayboard")
	// The act is over: monitoring.
	clickAndWait(t, ctx, "#day-"+appt+" button[type=submit]", "#dayboard")
	if !text(t, ctx, chromedp.Poll[bool](`document.querySelector("#day-`+appt+`") !== null && document.querySelector("#day-`+appt+`").closest("section").querySelector("h2").id === "col-monitoring"`,
		chromedp.WithPollingTimeout(10*time.Second))) {
		t.Fatal("the patient is not in monitoring on the board")
	}
	step("day-board-monitoring", false)

	// The record of the act, with the times it took on the server's clock
	// (a time still to come is refused).
	startedAt := h.clock.Now().In(paris)
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/record"), chromedp.WaitVisible(chromedp.ID("r-blood_ml")),
		chromedp.SetValue(chromedp.ID("r-approach"), "interlaminar"), chromedp.SetValue(chromedp.ID("r-blood_ml"), "18"),
		chromedp.SetValue(chromedp.ID("r-dlp"), "98,4"), chromedp.SetValue(chromedp.ID("r-start"), startedAt.Format("2006-01-02T15:04")), chromedp.SetValue(chromedp.ID("r-end"), startedAt.Add(10*time.Minute).Format("2006-01-02T15:04")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=complications][value=none]').click()`))
	clickAndWait(t, ctx, ".record-form button[type=submit]", "#record-saved")
	step("act-record", false)

	// The report, drafted from the record, signed.
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/report"), chromedp.WaitVisible(chromedp.ID("rp-body")))
	if draft := text(t, ctx, chromedp.Value(chromedp.ID("rp-body"))); !strings.Contains(draft, "18 mL") {
		t.Errorf("the draft lacks the blood volume: %q", draft)
	}
	clickAndWait(t, ctx, `button[value="sign"]`, "code.hash")
	step("report-signed", false)

	// Discharge: not before the two hours lying down are over.
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/discharge"), chromedp.WaitVisible(chromedp.ID("discharge-early")))
	h.clock.Set(a.Start.Add(4 * time.Hour))
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/discharge"), chromedp.WaitVisible(chromedp.ID("advice-h")),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=criterion]').forEach(c => c.checked = true)`))
	step("discharge", false)
	clickAndWait(t, ctx, `form[action$="/discharge"] button[type=submit]`, "#dayboard")
	if n := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#col-discharged ~ article").length`)); n != 1 {
		t.Errorf("%d patients discharged on the board, want 1", n)
	}
	step("day-board-after", false)

	// The report PDF reads correctly.
	reports, _ := h.store.ReportsOf(system, mustID(appt))
	if len(reports) != 1 {
		t.Fatalf("%d signed reports", len(reports))
	}
	rep, _ := h.store.ReportPDF(system, reports[0].ID)
	words := pdftest.Text(t, rep.PDF)
	for _, want := range []string{"Blood patch épidural", "LEFÈVRE Zoé", "18 mL", "signé électroniquement", "Pas de complication immédiate"} {
		if !strings.Contains(words, want) {
			t.Errorf("the report PDF lacks %q:\n%s", want, words)
		}
	}

	// The patient's portal, with the code sent by email.
	run(t, ctx, chromedp.Navigate(base+"/portal/?lang=fr"), chromedp.WaitVisible(chromedp.ID("pt-email")),
		chromedp.SendKeys(chromedp.ID("pt-email"), "zoe.lefevre@example.org"))
	clickAndWait(t, ctx, `form[action="/portal/code"] button[type=submit]`, "#pt-code")
	if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
		t.Fatal(err)
	}
	var code string
	deadline := time.Now().Add(5 * time.Second)
	for code == "" && time.Now().Before(deadline) {
		for _, m := range smtp.Messages() {
			if c := regexp.MustCompile(`code d'accès est : (\d{6})`).FindStringSubmatch(m.Text); c != nil {
				code = c[1]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code == "" {
		t.Fatal("no portal code delivered")
	}
	run(t, ctx, chromedp.SendKeys(chromedp.ID("pt-code"), code), chromedp.SetValue(chromedp.ID("pt-born"), "1991-04-12"))
	clickAndWait(t, ctx, `form[action="/portal/verify"] button[type=submit]`, ".portal-appt")
	home := text(t, ctx, chromedp.Text(chromedp.CSS(".patient-form")))
	for _, want := range []string{"Blood patch", "Compte rendu (version 1)", "Consentement signé"} {
		if !strings.Contains(home, want) {
			t.Errorf("the portal lacks %q:\n%s", want, home)
		}
	}
	step("portal", false)
	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}
