package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"repere/internal/app"
	"repere/internal/mail"
	"repere/internal/store"
	"repere/internal/storetest"
)

// recordingMailer keeps what it is asked to send.
type recordingMailer struct {
	mu   sync.Mutex
	sent []mail.Outgoing
}

func (r *recordingMailer) Send(_ context.Context, m mail.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
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
