package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// nullMailer accepts every email.
type nullMailer struct{}

func (nullMailer) Send(context.Context, mail.Outgoing) error { return nil }
func (nullMailer) Permanent(error) bool                      { return false }

// raceFixture is the demo practice with email set up and reminders due for
// every booked appointment of the coming year.
type raceFixture struct {
	t      testing.TB
	st     *store.Store
	app    *app.App
	bundle *i18n.Bundle
}

func newRaceFixture(t testing.TB, st *store.Store) *raceFixture {
	t.Helper()
	a, bundle := demoApp(t, st, func(c *app.Config) { c.Mailer, c.ReminderDays = nullMailer{}, 365 })
	return &raceFixture{t: t, st: st, app: a, bundle: bundle}
}

// convocable is a booked future appointment whose convocation may be made,
// its patient given an email address when the demo has none.
func (f *raceFixture) convocable() booking.Appointment {
	f.t.Helper()
	list, err := f.st.ListAppointments(system, store.AppointmentFilter{From: f.app.Now(), Statuses: []booking.Status{booking.Booked}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, ap := range list {
		file, err := f.app.AppointmentFile(system, ap.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := f.app.Convocation(file, "fr"); err != nil {
			continue
		}
		if file.Patient.Email == "" {
			file.Patient.Email = "patient@example.org"
			if err := f.st.UpdatePatient(system, file.Patient); err != nil {
				f.t.Fatal(err)
			}
		}
		return ap
	}
	f.t.Fatal("no convocable appointment in the demo")
	return booking.Appointment{}
}

// move reschedules an appointment 90 days later on the same resources.
func (f *raceFixture) move(ctx context.Context, ap booking.Appointment) time.Time {
	f.t.Helper()
	to := ap.Start.AddDate(0, 0, 90)
	err := f.st.Reschedule(ctx, ap.ID, booking.Request{VariantID: ap.VariantID, RoomID: ap.RoomID, RadiologistID: ap.RadiologistID,
		PlaceID: ap.PlaceID, AnaesthesiaID: ap.AnaesthesiaID, Start: to}, "patient asked")
	if err != nil {
		f.t.Fatal(err)
	}
	return to
}

// mails is what the outbox holds for an appointment, of kind.
func (f *raceFixture) mails(id int64, kind string) []mail.Outgoing {
	f.t.Helper()
	all, err := f.st.MailFor(system, id)
	if err != nil {
		f.t.Fatal(err)
	}
	var of []mail.Outgoing
	for _, m := range all {
		if m.Kind == kind {
			of = append(of, m)
		}
	}
	return of
}

// TestConvocationRefusedWhenAppointmentChangesMeanwhile: the appointment is
// moved or cancelled between the read that made the letter and the write
// that queues it; the convocation is refused and nothing is queued. Left
// alone, the same send goes out.
func TestConvocationRefusedWhenAppointmentChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newRaceFixture(t, st)
		ap := f.convocable()
		for _, c := range []struct {
			name   string
			change func(ctx context.Context)
		}{
			{"moved", func(ctx context.Context) { f.move(ctx, ap) }},
			{"cancelled", func(ctx context.Context) {
				if err := f.app.Cancel(ctx, ap.ID, "patient asked"); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			before := len(f.mails(ap.ID, "convocation"))
			app.SetBeforeLetterWrite(f.app, func(ctx context.Context, m mail.Outgoing) {
				app.SetBeforeLetterWrite(f.app, nil)
				c.change(ctx)
			})
			err := f.app.SendConvocation(secretary, ap.ID, "fr", false)
			refusedWith(t, c.name, err, "appointment.changed_while_sending")
			if got := f.mails(ap.ID, "convocation"); len(got) != before {
				t.Errorf("%s: %d convocations queued with the old date", c.name, len(got)-before)
			}
			if c.name == "moved" { // the new date's letter goes out
				if err := f.app.SendConvocation(secretary, ap.ID, "fr", false); err != nil {
					t.Fatalf("send after the move: %v", err)
				}
				if got := f.mails(ap.ID, "convocation"); len(got) != 1 {
					t.Fatalf("after the move: %d convocations, want 1", len(got))
				}
			}
		}
	})
}

// TestReminderSkippedWhenAppointmentMovesMeanwhile: an appointment moved
// between the reminder job's read and its write gets no reminder with the
// old date; the next run queues it with the new date.
func TestReminderSkippedWhenAppointmentMovesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newRaceFixture(t, st)
		ap := f.convocable()
		var to time.Time
		app.SetBeforeLetterWrite(f.app, func(ctx context.Context, m mail.Outgoing) {
			if m.AppointmentID == ap.ID && to.IsZero() {
				to = f.move(ctx, ap)
			}
		})
		if err := f.app.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		if to.IsZero() {
			t.Fatal("no reminder was made for the appointment")
		}
		if got := f.mails(ap.ID, "reminder"); len(got) != 0 {
			t.Fatalf("%d reminders queued with the old date", len(got))
		}
		app.SetBeforeLetterWrite(f.app, nil)
		if err := f.app.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		got := f.mails(ap.ID, "reminder")
		if len(got) != 1 {
			t.Fatalf("next run: %d reminders, want 1", len(got))
		}
		if day := f.bundle.For("fr").Date(to.In(paris)); !strings.Contains(got[0].Subject, day) {
			t.Errorf("reminder %q does not say the new date %q", got[0].Subject, day)
		}
	})
}

// openReferral is a demo referral still to screen, on a confirmed record,
// with no appointment booked: one a questionnaire letter may be sent for.
func (f *raceFixture) openReferral() referral.Referral {
	f.t.Helper()
	for _, status := range []referral.Status{referral.Received, referral.Screening} {
		list, err := f.st.ListReferrals(system, store.ReferralFilter{Status: status})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, ref := range list {
			if !ref.IdentityToConfirm {
				return ref
			}
		}
	}
	f.t.Fatal("no open referral in the demo")
	return referral.Referral{}
}

// TestLettersRefusedWhenRecordChangesMeanwhile: a printed letter (the
// questionnaire link, the portal invitation) is made from a read; if the
// referral is filed on another patient's record, or the patient's name is
// corrected, before the write, the letter is refused and nothing is
// recorded (no outbox row, no link). Left alone, the same send works.
func TestLettersRefusedWhenRecordChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newRaceFixture(t, st)
		ref := f.openReferral()
		other := f.convocable().PatientID
		if other == ref.PatientID {
			t.Fatal("the demo's open referral and convocable appointment are the same patient's")
		}
		letters := func(patientID int64) int {
			var n int
			err := st.DB().QueryRow(`SELECT count(*) FROM outbox WHERE channel = 'letter' AND patient_id = ` + strconv.FormatInt(patientID, 10)).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		rename := func(ctx context.Context) {
			p, err := st.Patient(ctx, ref.PatientID)
			if err != nil {
				t.Fatal(err)
			}
			p.BirthName += "-Martin"
			if err := st.UpdatePatient(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			name   string
			send   func() error
			change func(ctx context.Context)
		}{
			{"questionnaire letter, referral refiled", func() error {
				_, err := f.app.SendQuestionnaireLink(secretary, ref.ID, mail.ChannelLetter, "fr", "https://repere.example.org")
				return err
			}, func(ctx context.Context) {
				if err := st.RefileReferral(ctx, ref.ID, ref.PatientID, other, false, "wrong record"); err != nil {
					t.Fatal(err)
				}
			}},
			{"portal invitation letter, patient renamed", func() error {
				_, err := f.app.InviteToPortal(secretary, ref.PatientID, mail.ChannelLetter, "fr", "https://repere.example.org")
				return err
			}, rename},
		} {
			if err := c.send(); err != nil { // the same send, left alone, works
				t.Fatalf("%s, left alone: %v", c.name, err)
			}
			before := letters(ref.PatientID)
			app.SetBeforeLetterWrite(f.app, func(ctx context.Context, m mail.Outgoing) {
				app.SetBeforeLetterWrite(f.app, nil)
				c.change(ctx)
			})
			refusedWith(t, c.name, c.send(), "send.err.changed_while_sending")
			if got := letters(ref.PatientID); got != before {
				t.Errorf("%s: %d letters recorded", c.name, got-before)
			}
		}
	})
}

// BenchmarkConvocationRecheck is what the convocation's write unit adds
// while it holds the write transaction (SQLite's write lock): reading the
// appointment file again and making the letter's HTML again, in one write
// unit that queues nothing.
func BenchmarkConvocationRecheck(b *testing.B) {
	st := storetest.OpenSQLite(b)
	f := newRaceFixture(b, st)
	ap := f.convocable()
	check, err := app.ConvocationRecheck(secretary, f.app, ap.ID, "fr")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := st.WriteUnit(secretary, check); err != nil {
			b.Fatal(err)
		}
	}
}
