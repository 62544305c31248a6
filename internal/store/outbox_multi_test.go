package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"repere/internal/mail"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestOutboxClaimsDoNotOverlap claims due emails from many goroutines at once,
// as several instances do: each email is handed to exactly one of them.
func TestOutboxClaimsDoNotOverlap(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		const queued = 40
		for range queued {
			if _, err := s.EnqueueMail(f.ctx, mail.Outgoing{Kind: "portal_code", PatientID: f.patientID, To: "zoe@example.org", Subject: "Code", Text: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		now := storetest.Now().Add(time.Second)
		var mu sync.Mutex
		claimed := map[int64]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					due, err := s.ClaimDueMail(f.ctx, now, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(due) == 0 {
						return
					}
					mu.Lock()
					for _, m := range due {
						claimed[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(claimed) != queued {
			t.Fatalf("%d emails claimed, want %d", len(claimed), queued)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("email %d claimed %d times", id, n)
			}
		}
	})
}

// TestReminderQueuedOncePerAppointment: two instances that both found an
// appointment due for its reminder queue it once; the second gets
// ErrDuplicate. A cancelled reminder may be queued again.
func TestReminderQueuedOncePerAppointment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		appt := f.bookedFacet(t, s)
		for _, kind := range []string{"reminder", "followup_1"} {
			m := mail.Outgoing{Kind: kind, AppointmentID: appt, PatientID: f.patientID, To: "zoe@example.org", Subject: "Rappel", Text: "x"}
			errs := make(chan error, 2)
			for range 2 {
				go func() { _, err := s.EnqueueMail(f.ctx, m); errs <- err }()
			}
			first, second := <-errs, <-errs
			if (first == nil) == (second == nil) || !errors.Is(errors.Join(first, second), store.ErrDuplicate) {
				t.Fatalf("%s queued twice at once: %v, %v; want one success and one ErrDuplicate", kind, first, second)
			}
			if _, err := s.DB().ExecContext(f.ctx, `UPDATE outbox SET status = 'cancelled' WHERE kind = '`+kind+`'`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnqueueMail(f.ctx, m); err != nil {
				t.Fatalf("%s after a cancelled one: %v", kind, err)
			}
		}
	})
}

// TestDuplicateMailInsideAUnit: inside one unit of work, a reminder queued
// a second time gives ErrDuplicate and the unit goes on: its later writes
// and the first reminder are committed. On PostgreSQL a unique violation
// would have aborted the whole transaction.
func TestDuplicateMailInsideAUnit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		appt := f.bookedFacet(t, s)
		m := mail.Outgoing{Kind: "reminder", AppointmentID: appt, PatientID: f.patientID, To: "zoe@example.org", Subject: "Rappel", Text: "x"}
		err := s.WriteUnit(f.ctx, func(ctx context.Context) error {
			if _, err := s.EnqueueMail(ctx, m); err != nil {
				return err
			}
			if _, err := s.EnqueueMail(ctx, m); !errors.Is(err, store.ErrDuplicate) {
				t.Errorf("second reminder: %v, want ErrDuplicate", err)
			}
			_, err := s.EnqueueMail(ctx, mail.Outgoing{Kind: "portal_code", PatientID: f.patientID, To: "zoe@example.org", Subject: "Code", Text: "x"})
			return err
		})
		if err != nil {
			t.Fatalf("the unit: %v", err)
		}
		mails, err := s.MailFor(f.ctx, appt)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 || mails[0].Kind != "reminder" {
			t.Fatalf("mails of the appointment after the unit: %+v, want the one reminder", mails)
		}
	})
}
