package app_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/clock"
	"repere/internal/documents"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// letterHTML is the convocation letter of appointment id as the
// application makes it now.
func letterHTML(t *testing.T, a *app.App, id int64) []byte {
	t.Helper()
	f, err := a.AppointmentFile(system, id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Convocation(f, "fr")
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := documents.RenderConvocationHTML(&html, c); err != nil {
		t.Fatal(err)
	}
	return html.Bytes()
}

// bookedFiles are the files of the demo's appointments booked from now on.
func bookedFiles(t *testing.T, st *store.Store, a *app.App) []app.AppointmentFile {
	t.Helper()
	list, err := st.ListAppointments(system, store.AppointmentFilter{From: a.Now(), Statuses: []booking.Status{booking.Booked}})
	if err != nil {
		t.Fatal(err)
	}
	files := make([]app.AppointmentFile, 0, len(list))
	for _, ap := range list {
		f, err := a.AppointmentFile(system, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// clockDependentLetter finds a booked demo appointment whose convocation
// says something else one minute after a midnight than one minute before
// (a date counted from today: "the practice will call you before..." of
// a questionnaire not complete), and the evening before that midnight.
func clockDependentLetter(t *testing.T, st *store.Store, a *app.App, clk *clock.Offset) (booking.Appointment, time.Time) {
	t.Helper()
	for _, f := range bookedFiles(t, st, a) {
		ap := f.Appointment
		if _, err := a.Convocation(f, "fr"); err != nil {
			continue
		}
		day := ap.Start.In(paris)
		for before := 1; before <= 10; before++ {
			y, m, d := day.AddDate(0, 0, -before).Date()
			midnight := time.Date(y, m, d, 0, 0, 0, 0, paris)
			clk.Set(midnight.Add(-time.Minute))
			evening := letterHTML(t, a, ap.ID)
			clk.Set(midnight.Add(time.Minute))
			if !bytes.Equal(evening, letterHTML(t, a, ap.ID)) {
				return ap, midnight.Add(-time.Minute)
			}
		}
	}
	t.Fatal("no convocation in the demo depends on the day it is made: the test proves nothing")
	return booking.Appointment{}, time.Time{}
}

// TestConvocationSentAcrossMidnight: midnight passes between the read that
// made the convocation (or the reminder) and the write that queues it; the
// letter's dates counted from today would read otherwise now, but the data
// did not change: the convocation and the reminder go out. A real change (the appointment moved)
// at the same moment is still refused.
func TestConvocationSentAcrossMidnight(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var clk *clock.Offset
		a, _ := demoApp(t, st, func(c *app.Config) {
			clk = c.Clock.(*clock.Offset)
			c.Mailer, c.ReminderDays = nullMailer{}, 365
		})
		f := &raceFixture{t: t, st: st, app: a}
		ap, evening := clockDependentLetter(t, st, a, clk)
		p, err := st.Patient(system, ap.PatientID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Email == "" {
			p.Email = "patient@example.org"
			if err := st.UpdatePatient(system, p); err != nil {
				t.Fatal(err)
			}
		}
		// The reminder job too: a reminder refused is postponed to the
		// next run, so a false refusal would hold it back.
		clk.Set(evening)
		crossed := false
		app.SetBeforeLetterWrite(a, func(ctx context.Context, m mail.Outgoing) {
			if m.AppointmentID == ap.ID && !crossed {
				crossed = true
				clk.Advance(2 * time.Minute)
			}
		})
		if err := a.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := f.mails(ap.ID, "reminder"); !crossed || len(got) != 1 {
			t.Fatalf("reminder made across midnight: %d queued, want 1", len(got))
		}
		clk.Set(evening)
		app.SetBeforeLetterWrite(a, func(ctx context.Context, m mail.Outgoing) { clk.Advance(2 * time.Minute) })
		if err := a.SendConvocation(secretary, ap.ID, "fr", false); err != nil {
			t.Fatalf("sent across midnight: %v", err)
		}
		if got := f.mails(ap.ID, "convocation"); len(got) != 1 {
			t.Fatalf("%d convocations queued, want 1", len(got))
		}
		clk.Set(evening)
		app.SetBeforeLetterWrite(a, func(ctx context.Context, m mail.Outgoing) {
			clk.Advance(2 * time.Minute)
			f.move(ctx, ap)
		})
		refusedWith(t, "moved across midnight", a.SendConvocation(secretary, ap.ID, "fr", true), "appointment.changed_while_sending")
		if got := f.mails(ap.ID, "convocation_resend"); len(got) != 0 {
			t.Errorf("%d letters queued with the old date", len(got))
		}
	})
}

// TestLetterValidityFromItsDate: a printed letter says until when its
// questionnaire link and portal code work, counted from the letter's
// date; the link and the code kept in the write unit expire then, even
// when midnight passes while the PDF is made.
func TestLetterValidityFromItsDate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var clk *clock.Offset
		a, _ := demoApp(t, st, func(c *app.Config) { clk = c.Clock.(*clock.Offset) })
		f := &raceFixture{t: t, st: st, app: a}
		ref := f.openReferral()
		y, m, d := a.Now().In(paris).AddDate(0, 0, 1).Date()
		evening := time.Date(y, m, d, 0, 0, 0, 0, paris).Add(-time.Minute)
		clk.Set(evening)
		app.SetBeforeLetterWrite(a, func(ctx context.Context, m mail.Outgoing) { clk.Advance(2 * time.Minute) })
		if _, err := a.SendQuestionnaireLink(secretary, ref.ID, mail.ChannelLetter, "fr", "https://repere.example.org"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what, query string
			lifetime    time.Duration
		}{
			{"questionnaire link", `SELECT expires_at FROM screening_links WHERE referral_id = %d ORDER BY id DESC LIMIT 1`, app.QuestionnaireLinkLifetime},
			{"portal code", `SELECT expires_at FROM portal_codes WHERE patient_id = %d ORDER BY id DESC LIMIT 1`, app.LetterCodeLifetime},
		} {
			id := ref.ID
			if c.what == "portal code" {
				id = ref.PatientID
			}
			var expires time.Time
			if err := st.DB().QueryRow(fmt.Sprintf(c.query, id)).Scan(&expires); err != nil {
				t.Fatal(err)
			}
			// The clock runs on at the machine's pace: a few seconds at most.
			if want := evening.Add(c.lifetime); expires.Before(want) || expires.Sub(want) > 30*time.Second {
				t.Errorf("%s expires at %v, want %v, the letter's date and its lifetime", c.what, expires.In(paris), want.In(paris))
			}
		}
	})
}

// TestRenameWaitsForTheLetterItsCheckPassed: once a printed letter's write
// unit has checked the patient's record, a rename waits for the unit's
// commit (on PostgreSQL the rows are held FOR SHARE), so the letter is
// recorded under the name it prints.
func TestRenameWaitsForTheLetterItsCheckPassed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var patientID int64
		hook, wait := renameDuring(st, "letter checked", &patientID, func(p *patient.Patient) { p.BirthName += "-Martin" })
		a, _ := demoApp(t, st, func(c *app.Config) { c.BeforeDocumentWrite = hook })
		f := &raceFixture{t: t, st: st, app: a}
		ref := f.openReferral()
		patientID = ref.PatientID
		if _, err := a.SendQuestionnaireLink(secretary, ref.ID, mail.ChannelLetter, "fr", "https://repere.example.org"); err != nil {
			t.Fatal(err)
		}
		during, err := wait()
		if err != nil {
			t.Fatalf("the rename after the letter: %v", err)
		}
		if during {
			t.Error("the patient was renamed between the letter's check and its commit")
		}
	})
}

// renameDuring is a BeforeDocumentWrite hook for the step kind: another desk
// renames the patient *patientID with rename, in its own transaction, and
// the hook waits up to 300 ms for it. A rename done within that time went
// through between the unit's check and its commit: wait says so, with the
// rename's own error, once it has ended.
func renameDuring(st *store.Store, kind string, patientID *int64, rename func(*patient.Patient)) (hook func(context.Context, string, int64), wait func() (during bool, err error)) {
	renamed := make(chan error, 1)
	var during bool
	hook = func(ctx context.Context, k string, id int64) {
		if k != kind {
			return
		}
		go func() {
			p, err := st.Patient(system, *patientID)
			if err == nil {
				rename(&p)
				err = st.UpdatePatient(system, p)
			}
			renamed <- err
		}()
		select {
		case err := <-renamed:
			during = true
			renamed <- err
		case <-time.After(300 * time.Millisecond): // held: it waits for the commit
		}
	}
	wait = func() (bool, error) {
		err := <-renamed
		return during, err
	}
	return hook, wait
}
