package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/storetest"
)

// pythonEmail parses a message as transmitted with Python's email package
// (its strict policy) and returns the headers and the plain text part.
func pythonEmail(t *testing.T, data []byte) map[string]string {
	t.Helper()
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import email").Run(); err != nil {
		storetest.Require(t, "Debian's python3 (its email parser)")
	}
	const script = `
import email, json, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.strict)
text = m.get_body(preferencelist=("plain",))
print(json.dumps({"subject": str(m["Subject"]), "message-id": str(m["Message-ID"]), "text": text.get_content() if text else "",
    "defects": len(m.defects)}))
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Python's email parser refused the message: %v\n%s", err, out)
	}
	var parsed struct {
		Subject   string `json:"subject"`
		MessageID string `json:"message-id"`
		Text      string `json:"text"`
		Defects   int    `json:"defects"`
	}
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"subject": parsed.Subject, "message-id": parsed.MessageID, "text": parsed.Text, "defects": strconv.Itoa(parsed.Defects)}
}

// TestEmailsSentOnceFromTheHost: a second click on "send" queues nothing, a
// resend is explicit and listed; the emails name the practice's host in
// their Message-ID and EHLO, carry no health data in their subject, and
// give absolute links; Python's email parser reads them without defect.
func TestEmailsSentOnceFromTheHost(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	cfg.HELO = "imagerie.example.org"
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) {
		c.app.Mailer, c.app.Host, c.app.BaseURL = app.NewMailer(sender, cfg.From, "imagerie.example.org"), "imagerie.example.org", "https://imagerie.example.org"
	})
	sec := h.signedIn(auth.Secretary)
	appt := h.appointmentID() // LEFÈVRE Zoé, blood patch
	a := h.onTheDay(appt)
	h.clock.Set(a.Start.AddDate(0, 0, -6)) // a week ahead: no reminder due yet
	if r := sec.post("/staff/appointments/"+appt+"/send", nil); r.status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.status, errorsOf(r.body))
	}
	if r := sec.post("/staff/appointments/"+appt+"/send", nil); r.status != http.StatusConflict || !strings.Contains(r.body, "déjà été envoyée") {
		t.Fatalf("second click: %d, want a refusal saying it was sent", r.status)
	}
	page := sec.get("/staff/appointments/" + appt)
	if !strings.Contains(page.body, `id="resend"`) {
		t.Fatal("no explicit resend offered")
	}
	if r := sec.post("/staff/appointments/"+appt+"/send", map[string][]string{"resend": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.status)
	}
	if page := sec.get("/staff/appointments/" + appt); !strings.Contains(page.body, "Convocation (renvoi)") {
		t.Error("the resend is not in the appointment's emails")
	}
	if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
		t.Fatal(err)
	}
	msgs := smtp.Wait(2, 5*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d messages delivered, want the convocation and its resend", len(msgs))
	}
	for _, m := range msgs {
		if m.Helo != "imagerie.example.org" {
			t.Errorf("EHLO %q", m.Helo)
		}
		p := pythonEmail(t, m.Data)
		if p["defects"] != "0" || !strings.HasSuffix(p["message-id"], "@imagerie.example.org>") {
			t.Errorf("defects %s, Message-ID %q", p["defects"], p["message-id"])
		}
		if strings.Contains(p["subject"], "Lefèvre") || strings.Contains(strings.ToLower(p["subject"]), "blood patch") {
			t.Errorf("subject carries health data: %q", p["subject"])
		}
		if !strings.Contains(p["text"], "https://imagerie.example.org/portal/") {
			t.Errorf("no absolute link to the portal in %q", p["text"])
		}
	}
}
