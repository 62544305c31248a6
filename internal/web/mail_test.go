package web_test

import (
	"context"
	"net/http"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/storetest"
)

// TestConvocationEmailReachesSMTP queues the convocation from the
// appointment page, runs the outbox against an SMTP server started by the
// test (STARTTLS and a password), and reads what was delivered. A first
// temporary refusal is retried; the delivery status shows on the page.
func TestConvocationEmailReachesSMTP(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{TLS: true, RequireAuth: true, Username: "repere", Password: "s3cret-smtp"})
	cfg := smtp.Config()
	cfg.From = netmail.Address{Name: "Centre d'imagerie du Parc", Address: "rdv@example.org"}
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org") })
	appt := h.appointmentID()
	h.before(appt, 20*time.Hour) // the afternoon before the act (the demo's day may be today)
	list, _ := h.store.ListAppointments(system, storeFilterID(appt))
	p, _ := h.store.Patient(system, list[0].PatientID)
	p.Email = "zoe.lefevre@example.org"
	if err := h.store.UpdatePatient(system, p); err != nil {
		t.Fatal(err)
	}
	c := h.signedIn(auth.Secretary)
	if r := c.post("/staff/appointments/"+appt+"/send", nil); r.status != http.StatusSeeOther {
		t.Fatalf("send: %d", r.status)
	}
	smtp.FailNext(451)
	retry := func(int, time.Time) (time.Time, bool) { return h.clock.Now().Add(-time.Second), true } // due again at once
	opts := app.OutboxOptions{Retry: retry}
	if err := h.app.OutboxOnce(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if page := c.get("/staff/appointments/" + appt); !strings.Contains(page.body, "En attente") || !strings.Contains(page.body, "451") {
		t.Error("the temporary failure is not shown")
	}
	if err := h.app.OutboxOnce(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	// The reminder of an act within two days was queued too, by the outbox itself.
	var got, reminder mailtest.Received
	for _, m := range smtp.Wait(2, 5*time.Second) {
		if strings.HasPrefix(m.Subject, "Rappel : votre rendez-vous du ") {
			reminder = m
		} else {
			got = m
		}
	}
	if reminder.Subject == "" || !strings.Contains(reminder.Text, "Relisez la convocation") {
		t.Errorf("no reminder delivered")
	}
	if len(got.To) != 1 || got.To[0] != "zoe.lefevre@example.org" || !got.TLS || got.AuthUser != "repere" {
		t.Fatalf("delivered to %v (TLS %v, user %q)", got.To, got.TLS, got.AuthUser)
	}
	if !strings.HasPrefix(got.Subject, "Votre rendez-vous du ") || !strings.Contains(got.Text, "LEFÈVRE Zoé") || !strings.Contains(got.HTML, "Votre convocation") {
		t.Errorf("subject %q, text %q", got.Subject, got.Text)
	}
	names := map[string]bool{}
	for _, a := range got.Attachments {
		names[a.Name] = strings.HasPrefix(string(a.Data), "%PDF") || strings.HasPrefix(string(a.Data), "BEGIN:VCALENDAR")
	}
	if !names["convocation.pdf"] || !names["rendez-vous.ics"] {
		t.Errorf("attachments %v", names)
	}
	if page := c.get("/staff/appointments/" + appt); !strings.Contains(page.body, "Envoyé") {
		t.Error("the delivery is not shown as sent")
	}
	mails, _ := h.store.MailFor(system, list[0].ID)
	attempts := 0
	for _, m := range mails {
		attempts += m.Attempts
	}
	if len(mails) != 2 || mails[0].Status != mail.Sent || mails[1].Status != mail.Sent || attempts != 3 {
		t.Errorf("outbox rows %+v", mails)
	}
}
