package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/clock"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/sms"
	"repere/internal/store"
	"repere/internal/storetest"
)

// followUpFixture is the demo practice with email set up, one booked
// appointment made done and the clock moved to its day-15 follow-up; cfg
// makes a second instance on the same database.
type followUpFixture struct {
	*raceFixture
	cfg  app.Config
	ap   booking.Appointment
	exec func(ctx context.Context, q string, ids ...any)
}

func newFollowUpFixture(t *testing.T, st *store.Store, hook func(ctx context.Context, kind string, id int64)) *followUpFixture {
	t.Helper()
	return newFollowUpFixtureWith(t, st, func(c *app.Config) { c.Mailer, c.BeforeDocumentWrite = nullMailer{}, hook })
}

// newFollowUpFixtureWith is newFollowUpFixture with the configuration
// configure gives.
func newFollowUpFixtureWith(t *testing.T, st *store.Store, configure func(*app.Config)) *followUpFixture {
	t.Helper()
	var cfg app.Config
	a, bundle := demoApp(t, st, func(c *app.Config) {
		configure(c)
		cfg = *c
	})
	f := &followUpFixture{raceFixture: &raceFixture{t: t, st: st, app: a, bundle: bundle}, cfg: cfg}
	f.exec = func(ctx context.Context, q string, ids ...any) { // ids only: the same SQL on both engines
		t.Helper()
		if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(q, ids...)); err != nil {
			t.Fatal(err)
		}
	}
	f.ap = f.convocable()
	f.exec(system, `UPDATE appointments SET status = 'done' WHERE id = %d`, f.ap.ID)
	cfg.Clock.(*clock.Offset).Set(f.ap.Start.AddDate(0, 0, 15))
	return f
}

// followUps are the day-15 follow-up emails queued for the appointment.
func (f *followUpFixture) followUps() []string {
	f.t.Helper()
	var out []string
	for _, m := range f.mails(f.ap.ID, "followup_15") {
		out = append(out, fmt.Sprintf("patient %d to %s: %s", m.PatientID, m.To, m.Text))
	}
	return out
}

func (f *followUpFixture) patient(ctx context.Context, id int64, change func(*patient.Patient)) patient.Patient {
	f.t.Helper()
	p, err := f.st.Patient(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	if change != nil {
		change(&p)
		if err := f.st.UpdatePatient(ctx, p); err != nil {
			f.t.Fatal(err)
		}
	}
	return p
}

// TestFollowUpFollowsChangesMeanwhile: the follow-up question is made
// from a list of done appointments read before its write; if the patient
// is renamed and changes address, or the appointment is filed on another
// record, meanwhile, the email says the name and goes to the address the
// record has when it is queued, on that record; an appointment no longer
// done gets none, and gets it at the next run once done again.
func TestFollowUpFollowsChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		f := newFollowUpFixture(t, st, func(ctx context.Context, kind string, id int64) {
			if ch := change; ch != nil && kind == "followup" {
				change = nil
				ch(ctx)
			}
		})
		other := f.openReferral().PatientID
		if other == f.ap.PatientID {
			t.Fatal("the demo's open referral and convocable appointment are the same patient's")
		}
		f.patient(system, other, func(p *patient.Patient) { p.Email = "autre@example.org" })
		run := func(name string) {
			t.Helper()
			if err := f.app.OutboxOnce(system, app.OutboxOptions{}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if change != nil {
				t.Fatalf("%s: the follow-up did not reach its write", name)
			}
		}
		want := func(name string, p patient.Patient) {
			t.Helper()
			got := f.followUps()
			if len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprintf("patient %d to %s: ", p.ID, p.Email)) || !strings.Contains(got[0], p.DisplayName()) {
				t.Fatalf("%s: follow-ups %q, want one to %s on record %d saying %q", name, got, p.Email, p.ID, p.DisplayName())
			}
		}
		reset := func() {
			f.exec(system, `DELETE FROM outbox WHERE appointment_id = %d AND kind = 'followup_15'`, f.ap.ID)
		}

		change = func(ctx context.Context) {
			f.patient(ctx, f.ap.PatientID, func(p *patient.Patient) { p.BirthName += "-Martin"; p.Email = "nouvelle@example.org" })
		}
		run("renamed, new address")
		want("renamed, new address", f.patient(system, f.ap.PatientID, nil))
		run("run again") // once per act and day
		want("run again", f.patient(system, f.ap.PatientID, nil))

		reset()
		change = func(ctx context.Context) {
			f.exec(ctx, `UPDATE appointments SET status = 'cancelled' WHERE id = %d`, f.ap.ID)
		}
		run("no longer done")
		if got := f.followUps(); len(got) != 0 {
			t.Fatalf("no longer done: follow-ups %q, want none", got)
		}
		f.exec(system, `UPDATE appointments SET status = 'done' WHERE id = %d`, f.ap.ID)
		run("done again")
		want("done again", f.patient(system, f.ap.PatientID, nil))

		reset()
		change = func(ctx context.Context) {
			// What a merge or a repair would do: the store refuses to re-file a booked referral.
			f.exec(ctx, `UPDATE referrals SET patient_id = %d WHERE id = %d`, other, f.ap.ReferralID)
			f.exec(ctx, `UPDATE appointments SET patient_id = %d WHERE id = %d`, other, f.ap.ID)
		}
		run("filed on another record")
		want("filed on another record", f.patient(system, other, nil))
	})
}

// TestRenameWaitsForTheFollowUpItsCheckPassed: once the follow-up's write
// unit has read the patient's record, a rename waits for its commit (on
// PostgreSQL the rows are held FOR SHARE), so the email is queued with the
// name the record had.
func TestRenameWaitsForTheFollowUpItsCheckPassed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var patientID int64
		hook, wait := renameDuring(st, "followup checked", &patientID, func(p *patient.Patient) { p.BirthName += "-Martin" })
		var reached bool
		f := newFollowUpFixture(t, st, func(ctx context.Context, kind string, id int64) {
			if kind == "followup checked" && !reached {
				reached = true
				hook(ctx, kind, id)
			}
		})
		patientID = f.ap.PatientID
		before := f.patient(system, patientID, nil).DisplayName()
		if err := f.app.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		if !reached {
			t.Fatal("the follow-up's write unit did not reach its check")
		}
		during, err := wait()
		if err != nil {
			t.Fatalf("the rename after the follow-up: %v", err)
		}
		if during {
			t.Error("the patient was renamed between the follow-up's check and its commit")
		}
		if got := f.followUps(); len(got) != 1 || !strings.Contains(got[0], before) {
			t.Errorf("follow-ups %q, want one saying %q", got, before)
		}
	})
}

// TestFollowUpQueuedOnceByTwoInstances: two instances running the outbox
// at once queue the day's follow-up question once.
func TestFollowUpQueuedOnceByTwoInstances(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFollowUpFixture(t, st, nil)
		second, err := app.New(f.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, a := range []*app.App{f.app, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- a.OutboxOnce(system, app.OutboxOptions{})
			}()
		}
		wg.Wait()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := f.followUps(); len(got) != 1 {
			t.Fatalf("follow-ups %q, want one", got)
		}
	})
}

// nullSMS accepts every SMS.
type nullSMS struct{}

func (nullSMS) Text(m sms.Message) (string, error)                 { return m.Message + " " + m.Link, nil }
func (nullSMS) Send(context.Context, string, string, string) error { return nil }

// TestNoEmailQueuedWithoutEmailSetUp: with SMS set up and email not, the
// outbox runs for the SMS but queues no reminder nor follow-up email: they
// would wait, unsent, until email is set up, then go out late with the
// date, name and address of the day they were made.
func TestNoEmailQueuedWithoutEmailSetUp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFollowUpFixtureWith(t, st, func(c *app.Config) { c.SMS, c.ReminderDays = nullSMS{}, 365 })
		if err := f.app.OutboxOnce(system, app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.DB().QueryRow(`SELECT count(*) FROM outbox WHERE channel = 'email'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d emails queued with no email set up (the follow-up due: %q)", n, f.followUps())
		}
	})
}

// TestFollowUpRunReadsOnceWhateverTheActs: once the day's follow-up
// questions are queued, a run of the outbox (every 15 s) reads the done
// acts of the follow-up days in one query, however many they are: no
// read (and audit entry) per act.
func TestFollowUpRunReadsOnceWhateverTheActs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		a, _ := demoApp(t, st, func(c *app.Config) { c.Mailer = nullMailer{} })
		rooms, err := st.Rooms(system)
		if err != nil {
			t.Fatal(err)
		}
		doctors, err := st.Radiologists(system)
		if err != nil {
			t.Fatal(err)
		}
		y, m, d := a.Now().In(paris).AddDate(0, 0, -15).Date()
		first := time.Date(y, m, d, 7, 0, 0, 0, paris)
		done := 0
		addDone := func(n int) {
			for range n {
				pid, err := st.CreatePatient(system, patient.Patient{BirthName: "Suivi", FirstNames: "Acte " + strconv.Itoa(done), BirthDate: "1960-01-01",
					Sex: "F", Email: "suivi" + strconv.Itoa(done) + "@example.org"})
				if err != nil {
					t.Fatal(err)
				}
				ref, err := st.CreateReferral(system, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"})
				if err != nil {
					t.Fatal(err)
				}
				start := first.Add(time.Duration(done) * 40 * time.Minute)
				id, err := st.Book(system, booking.Request{ReferralID: ref, RoomID: rooms[0].ID, RadiologistID: doctors[0].ID, PlaceID: rooms[len(rooms)-1].ID,
					Start: start, RoomMinutes: 30, MonitoringMinutes: 30})
				if err != nil {
					t.Fatal(err)
				}
				if err := st.CheckIn(system, id, "test"); err != nil {
					t.Fatal(err)
				}
				for _, to := range []booking.DayStatus{booking.InRoom, booking.Monitoring} {
					if err := st.MoveDay(system, id, to, start, ""); err != nil {
						t.Fatal(err)
					}
				}
				done++
			}
		}
		idleRun := func() int64 {
			if err := a.OutboxOnce(system, app.OutboxOptions{}); err != nil { // queues and sends what is due
				t.Fatal(err)
			}
			var c store.Counter
			if err := a.OutboxOnce(store.WithCounter(system, &c), app.OutboxOptions{}); err != nil {
				t.Fatal(err)
			}
			return c.Statements()
		}
		addDone(2)
		few := idleRun()
		addDone(10)
		many := idleRun()
		var asked int
		if err := st.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'followup_15'`).Scan(&asked); err != nil {
			t.Fatal(err)
		}
		if asked != done {
			t.Fatalf("%d follow-ups queued for %d acts done 15 days ago", asked, done)
		}
		t.Logf("a run with nothing to queue: %d statements with 2 acts in the follow-up days, %d with 12", few, many)
		if many != few {
			t.Errorf("a run with nothing to queue: %d statements with 2 acts, %d with 12: a read per act", few, many)
		}
	})
}
