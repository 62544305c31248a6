package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// recordingMailer keeps what it is asked to send; while down, it fails
// as a server that asks to try later.
type recordingMailer struct {
	mu   sync.Mutex
	sent []mail.Outgoing
	down bool
}

func (r *recordingMailer) Send(_ context.Context, m mail.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return errors.New("421 try again later")
	}
	r.sent = append(r.sent, m)
	return nil
}

func (r *recordingMailer) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// sentTo is what was sent for an appointment, of kind.
func (r *recordingMailer) sentTo(appointmentID int64, kind string) []mail.Outgoing {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []mail.Outgoing
	for _, m := range r.sent {
		if m.AppointmentID == appointmentID && m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// retryAtOnce makes a failed email due again at the next run.
func retryAtOnce(a *app.App) app.OutboxOptions {
	return app.OutboxOptions{Retry: func(int, time.Time) (time.Time, bool) { return a.Now().Add(-time.Second), true }}
}

func (r *recordingMailer) Permanent(error) bool { return false }

func (r *recordingMailer) subjects() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.sent {
		out = append(out, m.Subject)
	}
	return out
}

// TestQueuedEmailWithheldWhenPatientAddressChanges: an email queued for a
// patient (waiting for a retry after a failure) whose address changes
// before it goes is not sent to the old address: it is given up, with the
// reason, and the staff sees it among the failed ones to send again. An
// email to a patient whose address did not change, and a report to the
// referring physician, go out.
func TestQueuedEmailWithheldWhenPatientAddressChanges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		rec := &recordingMailer{}
		a, _ := demoApp(t, st, func(c *app.Config) { c.Mailer = rec })
		f := &raceFixture{t: t, st: st, app: a}
		moved := f.convocable().PatientID
		p, err := st.Patient(system, moved)
		if err != nil {
			t.Fatal(err)
		}
		stays := f.openReferral().PatientID
		q, err := st.Patient(system, stays)
		if err != nil {
			t.Fatal(err)
		}
		q.Email = "reste@example.org"
		if err := st.UpdatePatient(system, q); err != nil {
			t.Fatal(err)
		}
		queue := func(m mail.Outgoing) int64 {
			id, err := st.EnqueueMail(system, m)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		old := queue(mail.Outgoing{Kind: "portal_invitation", PatientID: p.ID, To: p.Email, Subject: "to the old address", Text: "x"})
		queue(mail.Outgoing{Kind: "portal_invitation", PatientID: q.ID, To: q.Email, Subject: "to an unchanged address", Text: "x"})
		queue(mail.Outgoing{Kind: "report", PatientID: p.ID, To: "dr@example.org", Subject: "to the physician", Text: "x"})
		p.Email = "nouvelle@example.org"
		if err := st.UpdatePatient(system, p); err != nil {
			t.Fatal(err)
		}
		if err := a.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		sent := strings.Join(rec.subjects(), "|")
		if strings.Contains(sent, "to the old address") {
			t.Errorf("sent to the old address: %s", sent)
		}
		for _, want := range []string{"to an unchanged address", "to the physician"} {
			if !strings.Contains(sent, want) {
				t.Errorf("%q not sent: %s", want, sent)
			}
		}
		m, err := st.MailByID(system, old)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != mail.Failed || !strings.Contains(m.LastError, "l'adresse du patient a changé") {
			t.Errorf("the email to the old address: %s (%q), want failed with the reason", m.Status, m.LastError)
		}
	})
}

// TestQueuedLettersWithheldWhenAppointmentMoves: the mail server is down
// while a convocation and a reminder wait in the outbox; the appointment
// is moved meanwhile. Once the server is back, neither goes out with the
// old date: the convocation is given up with the reason (the staff sends
// the new one), the reminder cancelled and queued again with the new date.
func TestQueuedLettersWithheldWhenAppointmentMoves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		rec := &recordingMailer{}
		a, bundle := demoApp(t, st, func(c *app.Config) { c.Mailer, c.ReminderDays = rec, 365 })
		f := &raceFixture{t: t, st: st, app: a, bundle: bundle}
		ap := f.convocable()
		if err := a.SendConvocation(secretary, ap.ID, "en", false); err != nil {
			t.Fatal(err)
		}
		rec.setDown(true)
		if err := a.OutboxOnce(system, retryAtOnce(a)); err != nil { // the reminder is queued, nothing is sent
			t.Fatal(err)
		}
		if n := len(f.mails(ap.ID, "reminder")); n != 1 {
			t.Fatalf("%d reminders queued, want 1", n)
		}
		to := f.move(system, ap)
		rec.setDown(false)
		for range 2 {
			if err := a.OutboxOnce(system, retryAtOnce(a)); err != nil {
				t.Fatal(err)
			}
		}
		if got := rec.sentTo(ap.ID, "convocation"); len(got) != 0 {
			t.Errorf("%d convocations sent with the old date", len(got))
		}
		if c := f.mails(ap.ID, "convocation"); len(c) != 1 || c[0].Status != mail.Failed || !strings.Contains(c[0].LastError, "le rendez-vous a changé") {
			var got []string
			for _, m := range c {
				got = append(got, m.Status+": "+m.LastError)
			}
			t.Errorf("the old convocation: %q, want one failed with the reason", got)
		}
		got := rec.sentTo(ap.ID, "reminder")
		if len(got) != 1 {
			t.Fatalf("%d reminders sent, want 1 (with the new date)", len(got))
		}
		if day := bundle.For("fr").Date(to.In(paris)); !strings.Contains(got[0].Subject, day) {
			t.Errorf("reminder %q does not say the new date %q", got[0].Subject, day)
		}
	})
}

// TestQueuedFollowUpFollowsTheNewAddress: the mail server is down while a
// follow-up question waits in the outbox; the patient gives a new address
// meanwhile. Once the server is back, the question goes to the new
// address only.
func TestQueuedFollowUpFollowsTheNewAddress(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		rec := &recordingMailer{down: true}
		f := newFollowUpFixtureWith(t, st, func(c *app.Config) { c.Mailer = rec })
		if err := f.app.OutboxOnce(system, retryAtOnce(f.app)); err != nil {
			t.Fatal(err)
		}
		if n := len(f.followUps()); n != 1 {
			t.Fatalf("%d follow-ups queued, want 1", n)
		}
		f.patient(system, f.ap.PatientID, func(p *patient.Patient) { p.Email = "nouvelle@example.org" })
		rec.setDown(false)
		for range 2 {
			if err := f.app.OutboxOnce(system, retryAtOnce(f.app)); err != nil {
				t.Fatal(err)
			}
		}
		got := rec.sentTo(f.ap.ID, "followup_15")
		if len(got) != 1 || got[0].To != "nouvelle@example.org" {
			var to []string
			for _, m := range got {
				to = append(to, m.To)
			}
			t.Fatalf("follow-ups sent to %q, want one to the new address", to)
		}
	})
}
