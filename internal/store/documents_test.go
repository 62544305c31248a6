package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"repere/internal/documents"
	"repere/internal/mail"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestConsentIsFrozen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		appt := f.bookedFacet(t, s)
		doc := []byte("%PDF-1.4 signed consent")
		sum := sha256.Sum256(doc)
		c := documents.Consent{AppointmentID: appt, ActID: "facet_joint_infiltration", Lang: "fr", Version: "abc", Kind: documents.ConsentSigned,
			SignerName: "Zoé Lefèvre", SignaturePNG: []byte{0x89, 'P', 'N', 'G'}, Document: doc, ContentType: "application/pdf",
			SHA256: hex.EncodeToString(sum[:]), SignedAt: monday8.Add(-time.Hour)}
		bad := c
		bad.SHA256 = "00"
		if _, err := s.SaveConsent(f.ctx, bad); !errors.Is(err, store.ErrHashMismatch) {
			t.Fatalf("wrong hash: %v", err)
		}
		id, err := s.SaveConsent(f.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ConsentDocument(f.ctx, id)
		if err != nil || string(got.Document) != string(doc) || got.SHA256 != c.SHA256 || got.SignerName != "Zoé Lefèvre" || got.Withdrawn != nil {
			t.Fatalf("consent %+v %v", got, err)
		}
		// The database itself refuses to alter or delete it.
		if _, err := s.DB().Exec(fmt.Sprintf(`UPDATE consents SET signer_name = 'x' WHERE id = %d`, id)); err == nil {
			t.Error("a signed consent was updated")
		}
		if _, err := s.DB().Exec(fmt.Sprintf(`DELETE FROM consents WHERE id = %d`, id)); err == nil {
			t.Error("a signed consent was deleted")
		}
		if err := s.WithdrawConsent(f.ctx, id, ""); err == nil {
			t.Error("withdrawal without a reason accepted")
		}
		if err := s.WithdrawConsent(f.ctx, id, "la patiente renonce au geste"); err != nil {
			t.Fatal(err)
		}
		if err := s.WithdrawConsent(f.ctx, id, "encore"); err == nil {
			t.Error("withdrawn twice")
		}
		list, err := s.ConsentsFor(f.ctx, appt)
		if err != nil || len(list) != 1 || list[0].Withdrawn == nil || list[0].Withdrawn.Reason != "la patiente renonce au geste" {
			t.Fatalf("consents %+v %v", list, err)
		}
	})
}

func TestOutboxRetriesAndGivesUp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		id, err := s.EnqueueMail(f.ctx, mail.Outgoing{Kind: "convocation", PatientID: f.patientID, To: "zoe@example.org", Subject: "Votre rendez-vous",
			Text: "Bonjour", Attachments: []mail.Attachment{{Name: "convocation.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}})
		if err != nil {
			t.Fatal(err)
		}
		now := storetest.Now()
		due, err := s.ClaimDueMail(f.ctx, now.Add(time.Second), time.Minute, 10)
		if err != nil || len(due) != 1 || due[0].ID != id || string(due[0].Attachments[0].Data) != "%PDF" {
			t.Fatalf("due %+v %v", due, err)
		}
		if again, _ := s.ClaimDueMail(f.ctx, now.Add(2*time.Second), time.Minute, 10); len(again) != 0 {
			t.Fatal("a leased email was claimed twice")
		}
		if err := s.MailAttemptFailed(f.ctx, id, "451 try later", now.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		m, _ := s.MailByID(f.ctx, id)
		if m.Status != mail.Queued || m.Attempts != 1 || m.LastError != "451 try later" {
			t.Fatalf("after a temporary failure: %+v", m)
		}
		if err := s.MailAttemptFailed(f.ctx, id, "550 no such user", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if m, _ = s.MailByID(f.ctx, id); m.Status != mail.Failed || m.Attempts != 2 {
			t.Fatalf("after giving up: %+v", m)
		}
		id2, _ := s.EnqueueMail(f.ctx, mail.Outgoing{Kind: "reminder", PatientID: f.patientID, To: "zoe@example.org", Subject: "Rappel", Text: "x"})
		if err := s.MailSentOK(f.ctx, id2); err != nil {
			t.Fatal(err)
		}
		if m, _ = s.MailByID(f.ctx, id2); m.Status != mail.Sent || m.SentAt.IsZero() {
			t.Fatalf("sent: %+v", m)
		}
	})
}
