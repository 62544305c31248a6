package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/pdftest"
	"repere/internal/sms"
	"repere/internal/sms/smstest"
	"repere/internal/storetest"
)

// zoe gives the demo patient LEFÈVRE Zoé a mobile number and an email, and
// returns her id.
func (h *harness) zoe() int64 {
	h.t.Helper()
	ref, _ := strconv.ParseInt(h.referralID("LEFÈVRE"), 10, 64)
	r, err := h.store.Referral(system, ref)
	if err != nil {
		h.t.Fatal(err)
	}
	p, _ := h.store.Patient(system, r.PatientID)
	p.Phone, p.Email = "06 12 34 56 78", "zoe.lefevre@example.org"
	if err := h.store.UpdatePatient(system, p); err != nil {
		h.t.Fatal(err)
	}
	return p.ID
}

// zoeID is the demo patient LEFÈVRE Zoé's id.
func (h *harness) zoeID() string {
	h.t.Helper()
	ref, _ := strconv.ParseInt(h.referralID("LEFÈVRE"), 10, 64)
	r, err := h.store.Referral(system, ref)
	if err != nil {
		h.t.Fatal(err)
	}
	return itoa(r.PatientID)
}

var (
	linkInText = regexp.MustCompile(`https?://\S+/q/[a-z2-7]{32}\b`)
	codeInText = regexp.MustCompile(`\b([A-Z2-9]{4}-[A-Z2-9]{4})\b`)
)

// TestSendLinkByEmailAndSMS: the secretary sends the questionnaire link by
// email and by SMS, and the portal invitation by SMS, from the pages; the
// outbox delivers them to an SMTP server and a fake SMS provider started by
// the test (the first SMS refused with a 503 and retried); the links and
// the code work; no phone number or link reaches the logs; each send is
// listed on the patient's page with its channel.
func TestSendLinkByEmailAndSMS(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	provider := smstest.Start(t, "repere", "s3cret-sms")
	texts, err := sms.New(sms.Config{URL: provider.URL, User: "repere", Password: "s3cret-sms", Template: "{{.Practice}} : {{.Message}} {{.Link}}"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) {
		c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org")
		c.app.SMS = texts
	})
	patientID := h.zoe()
	ref := h.referralID("LEFÈVRE")
	c := h.signedIn(auth.Secretary)
	page := c.get("/staff/referrals/" + ref)
	if !strings.Contains(page.body, `value="sms"`) || !strings.Contains(page.body, `value="email"`) {
		t.Fatal("the referral page offers no email or SMS sending")
	}
	for _, ch := range []string{"email", "sms"} {
		if r := c.post("/staff/referrals/"+ref+"/screening/send", url.Values{"channel": {ch}}); r.status != http.StatusSeeOther {
			t.Fatalf("send by %s: %d", ch, r.status)
		}
	}
	if r := c.post("/staff/patients/"+itoa(patientID)+"/portal/invite", url.Values{"channel": {"sms"}}); r.status != http.StatusSeeOther {
		t.Fatalf("portal invitation: %d", r.status)
	}
	var logs bytes.Buffer
	opts := app.OutboxOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Retry: func(int, time.Time) (time.Time, bool) { return storetest.Now().Add(-time.Second), true }}
	provider.FailNext(503)
	for range 2 {
		if err := h.app.OutboxOnce(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
	}
	got := provider.Received()
	if len(got) != 2 {
		t.Fatalf("SMS received: %d, logs:\n%s", len(got), logs.String())
	}
	var smsLink, smsCode string
	for _, m := range got {
		if m.To != "+33612345678" {
			t.Errorf("SMS to %q", m.To)
		}
		if l := linkInText.FindString(m.Text); l != "" {
			smsLink = l
		}
		if c := codeInText.FindStringSubmatch(m.Text); c != nil {
			smsCode = c[1]
		}
	}
	if smsLink == "" || smsCode == "" {
		t.Fatalf("SMS texts %+v", got)
	}
	var emailed bool
	for _, m := range smtp.Wait(1, 5*time.Second) { // and the convocation's reminder
		emailed = emailed || (m.Subject == "Votre questionnaire avant l'acte" && m.To[0] == "zoe.lefevre@example.org" && linkInText.FindString(m.Text) != "")
	}
	if !emailed {
		t.Fatal("the questionnaire link was not emailed")
	}
	if !strings.Contains(logs.String(), "message not delivered") {
		t.Errorf("the refused SMS was not logged:\n%s", logs.String())
	}
	for _, secret := range []string{"612345678", "/q/", smsCode, "zoe.lefevre"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs.String())
		}
	}
	// The links work: the questionnaire asks the birth date; the code opens the portal.
	u, _ := url.Parse(smsLink)
	if r := h.client().get(u.Path); r.status != http.StatusOK || !strings.Contains(r.body, "birth_date") {
		t.Errorf("the SMS link: %d", r.status)
	}
	p := h.client()
	if r := p.post("/portal/letter-code", url.Values{"code": {strings.ToLower(smsCode)}, "birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
		t.Fatalf("portal with the SMS code: %d\n%s", r.status, errorsOf(r.body))
	}
	if r := p.get("/portal/"); !strings.Contains(r.body, "LEFÈVRE") {
		t.Error("the portal does not open with the SMS code")
	}
	// Each send is listed with its channel and status.
	page = c.get("/staff/patients/" + itoa(patientID))
	for _, want := range []string{"Lien du questionnaire", "Invitation à l&#39;espace patient", "SMS", "Courriel", "Envoyé"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the patient's page does not list %q", want)
		}
	}
	rows, _ := h.store.MessagesForPatient(system, patientID, 10)
	channels := map[string]int{}
	for _, m := range rows {
		if m.Status == mail.Sent && (m.Kind == "questionnaire_link" || m.Kind == "portal_invitation") {
			channels[m.Channel]++
		}
	}
	if channels["sms"] != 2 || channels["email"] != 1 {
		t.Errorf("sent rows by channel %v", channels)
	}
}

// TestSendWithoutSMTP: without email or SMS, the pages offer only the
// letter; the printed letter carries the questionnaire link and a one-time
// code that opens the portal once; the portal never says a code was sent.
func TestSendWithoutSMTP(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	patientID := h.zoe()
	ref := h.referralID("LEFÈVRE")
	c := h.signedIn(auth.Secretary)
	page := c.get("/staff/referrals/" + ref)
	if strings.Contains(page.body, `value="sms"`) || strings.Contains(page.body, `value="email"`) || !strings.Contains(page.body, `value="letter"`) {
		t.Fatal("without SMTP or SMS the page must offer the letter only")
	}
	r := c.post("/staff/referrals/"+ref+"/screening/send", url.Values{"channel": {"email"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("email without SMTP: %d", r.status)
	}
	if page := c.get("/staff/referrals/" + ref); !strings.Contains(page.body, "L&#39;envoi de courriels n&#39;est pas configuré") {
		t.Error("the refusal is not said")
	}
	r = c.post("/staff/referrals/"+ref+"/screening/send", url.Values{"channel": {"letter"}})
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("letter: %d %s", r.status, r.header.Get("Content-Type"))
	}
	text := pdftest.Text(t, []byte(r.body))
	link := linkInText.FindString(text)
	code := codeInText.FindStringSubmatch(text)
	if link == "" || code == nil || !strings.Contains(text, "LEFÈVRE") {
		t.Fatalf("letter text:\n%s", text)
	}
	u, _ := url.Parse(link)
	if r := h.client().get(u.Path); r.status != http.StatusOK || !strings.Contains(r.body, "birth_date") {
		t.Errorf("the letter's link %s: %d\n%s", link, r.status, text)
	}

	p := h.client()
	home := p.get("/portal/")
	if strings.Contains(home.body, `action="/portal/code"`) || !strings.Contains(home.body, `id="portal-mail-off"`) {
		t.Error("without SMTP the portal still asks for an email to send a code to")
	}
	r = p.post("/portal/code", url.Values{"email": {"zoe.lefevre@example.org"}})
	if strings.Contains(r.body, `id="portal-sent"`) || strings.Contains(r.body, "vient d&#39;y être envoyé") || !strings.Contains(r.body, "aucun code n&#39;a été envoyé") {
		t.Errorf("without SMTP the portal says a code was sent (%d)", r.status)
	}
	if r := p.post("/portal/letter-code", url.Values{"code": {code[1]}, "birth_date": {"1991-04-13"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="letter-errors"`) {
		t.Errorf("wrong birth date: %d", r.status)
	}
	if r := p.post("/portal/letter-code", url.Values{"code": {code[1]}, "birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
		t.Fatalf("letter code: %d\n%s", r.status, errorsOf(r.body))
	}
	again := h.client()
	if r := again.post("/portal/letter-code", url.Values{"code": {code[1]}, "birth_date": {"1991-04-12"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a one-time code worked twice: %d", r.status)
	}
	rows, _ := h.store.MessagesForPatient(system, patientID, 10)
	if len(rows) != 1 || rows[0].Channel != mail.ChannelLetter || rows[0].Status != mail.Sent || rows[0].Kind != "questionnaire_link" {
		t.Errorf("recorded sends %+v", rows)
	}
}

// TestNoQuestionnaireLinkForAClosedReferral: a cancelled referral gets no
// questionnaire link, whether shown on the page or sent as a letter (one
// rule in the application layer for both paths).
func TestNoQuestionnaireLinkForAClosedReferral(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ref := h.referralID("LE GOFF") // cancelled in the demo
	c := h.signedIn(auth.Secretary)
	r := c.post("/staff/referrals/"+ref+"/screening/link", nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Cette demande est close") || strings.Contains(r.body, "/q/") {
		t.Fatalf("link for a cancelled referral: %d", r.status)
	}
	r = c.post("/staff/referrals/"+ref+"/screening/send", url.Values{"channel": {"letter"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("letter for a cancelled referral: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if page := c.get("/staff/referrals/" + ref); !strings.Contains(page.body, "Cette demande est close") {
		t.Error("the refused letter is not said")
	}
}
