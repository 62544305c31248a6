package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/clock"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/report"
	"repere/internal/store"
	"repere/internal/storetest"
)

var radiologist = audit.WithActor(context.Background(), audit.Actor{Login: "dr.martin", Role: string(auth.Radiologist)})

// doneWithReferrer plays through a booked demo act whose referral names a
// referring physician with an email address, on clk moved to its day, and
// returns its file, that physician, and another one with an address.
func doneWithReferrer(t *testing.T, st *store.Store, a *app.App, clk *clock.Offset) (app.AppointmentFile, practice.Physician, practice.Physician) {
	t.Helper()
	doctors, err := st.Physicians(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range bookedFiles(t, st, a) {
		ap := f.Appointment
		i := slices.IndexFunc(doctors, func(d practice.Physician) bool { return d.ID == f.Referral.PhysicianID && d.Email != "" })
		j := slices.IndexFunc(doctors, func(d practice.Physician) bool { return d.ID != f.Referral.PhysicianID && d.Email != "" })
		if i < 0 || j < 0 {
			continue
		}
		clk.Set(ap.Start.Add(-30 * time.Minute))
		end := ap.Start.Add(time.Duration(ap.RoomMinutes) * time.Minute)
		for n, step := range []func() error{
			func() error {
				return a.CheckInPatient(radiologist, ap.ID, app.CheckIn{NameConfirmed: true, BirthDate: f.Patient.BirthDate})
			},
			func() error { return a.OverrideChecklist(radiologist, ap.ID, "test: the act is played through") },
			func() error { return a.StartAct(radiologist, ap.ID, ap.Start) },
			func() error { return a.EndAct(radiologist, ap.ID, end) },
		} {
			if err := step(); err != nil {
				t.Fatalf("playing the act, step %d: %v", n, err)
			}
		}
		clk.Set(end.Add(time.Hour))
		if f, err = a.AppointmentFile(system, ap.ID); err != nil {
			t.Fatal(err)
		}
		return f, doctors[i], doctors[j]
	}
	t.Fatal("no booked act referred by a physician with an email in the demo")
	return app.AppointmentFile{}, practice.Physician{}, practice.Physician{}
}

// TestReportSigningRefusedWhenFileChangesMeanwhile: the report's PDF is
// made from a read; if the patient is renamed, the act filed on another
// record, the referring physician or their address changed, or the act
// is no longer done before the write, the signature is refused: no
// version saved, nothing queued, the draft kept. Left alone, the same
// signature goes out, with the file as it is now.
func TestReportSigningRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		var clk *clock.Offset
		a, _ := demoApp(t, st, func(c *app.Config) {
			clk = c.Clock.(*clock.Offset)
			c.Mailer = nullMailer{}
			c.BeforeDocumentWrite = func(ctx context.Context, kind string, id int64) {
				if ch := change; ch != nil {
					change = nil
					ch(ctx)
				}
			}
		})
		f, doctor, other := doneWithReferrer(t, st, a, clk)
		id := f.Appointment.ID
		exec := func(ctx context.Context, q string, ids ...any) { // ids only: the same SQL on both engines
			if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(q, ids...)); err != nil {
				t.Fatal(err)
			}
		}
		otherPatient := f.Patient.ID + 1
		if _, err := st.Patient(system, otherPatient); err != nil {
			otherPatient = f.Patient.ID - 1
		}
		draft := report.Text{Title: "Compte rendu", Body: "INDICATION\nTexte du radiologue."}
		if err := a.SaveReportDraft(radiologist, id, draft); err != nil {
			t.Fatal(err)
		}
		counts := func() (versions, mails int) {
			v, err := st.ReportsOf(system, id)
			if err != nil {
				t.Fatal(err)
			}
			return len(v), len(reportMails(t, st, id))
		}
		for _, c := range []struct {
			name   string
			change func(ctx context.Context)
		}{
			{"patient renamed", func(ctx context.Context) {
				p, err := st.Patient(ctx, f.Patient.ID)
				if err != nil {
					t.Fatal(err)
				}
				p.FirstNames += "-Anne"
				if err := st.UpdatePatient(ctx, p); err != nil {
					t.Fatal(err)
				}
			}},
			{"filed on another record", func(ctx context.Context) {
				// The store refuses to re-file a referral done: what a
				// merge or a repair would do, the check must see too.
				exec(ctx, `UPDATE referrals SET patient_id = %d WHERE id = %d`, otherPatient, f.Referral.ID)
				exec(ctx, `UPDATE appointments SET patient_id = %d WHERE id = %d`, otherPatient, id)
			}},
			{"referring physician changed", func(ctx context.Context) {
				exec(ctx, `UPDATE referrals SET physician_id = %d WHERE id = %d`, other.ID, f.Referral.ID)
			}},
			{"physician's address changed", func(ctx context.Context) {
				other.Email = "nouvelle.adresse@example.org"
				if err := st.UpdatePhysician(ctx, other); err != nil {
					t.Fatal(err)
				}
			}},
			{"act no longer done", func(ctx context.Context) {
				exec(ctx, `UPDATE appointments SET status = 'booked' WHERE id = %d`, id)
			}},
		} {
			versions, mails := counts()
			change = c.change
			_, err := a.SignReport(radiologist, id, draft, "précision", "fr")
			if change != nil {
				t.Fatalf("%s: the signature did not reach its write", c.name)
			}
			refusedWith(t, c.name, err, "report.err.changed_while_signing")
			if v, m := counts(); v != versions || m != mails {
				t.Errorf("%s: %d versions and %d emails recorded", c.name, v-versions, m-mails)
			}
			if d, err := st.DraftOf(system, id); err != nil || d.Body != draft.Body {
				t.Errorf("%s: the draft was not kept (%v)", c.name, err)
			}
		}
		exec(system, `UPDATE appointments SET status = 'done' WHERE id = %d`, id)
		versions, _ := counts()
		signed, err := a.SignReport(radiologist, id, draft, "précision", "fr")
		if err != nil {
			t.Fatalf("left alone: %v", err)
		}
		if signed.Number != versions+1 {
			t.Errorf("left alone: version %d, want %d", signed.Number, versions+1)
		}
		now, err := st.Patient(system, otherPatient)
		if err != nil {
			t.Fatal(err)
		}
		sent := reportMails(t, st, id)
		if len(sent) != 1 || sent[0].To != other.Email || !strings.Contains(sent[0].Text, now.DisplayName()) {
			t.Errorf("left alone: the report went as %v, want one email to %s (not %s) naming %s", sent, other.Email, doctor.Email, now.DisplayName())
		}
	})
}

// reportMails is the report emails queued for an appointment.
func reportMails(t *testing.T, st *store.Store, id int64) []struct{ To, Text string } {
	t.Helper()
	all, err := st.MailFor(system, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []struct{ To, Text string }
	for _, m := range all {
		if m.Kind == "report" {
			out = append(out, struct{ To, Text string }{m.To, m.Text})
		}
	}
	return out
}

// TestRenameWaitsForTheSignatureItsCheckPassed: once the signature's write
// unit has checked the file, a rename of the patient waits for the unit's
// commit (on PostgreSQL the rows are held FOR SHARE; each statement would
// otherwise see what was committed before it, and a rename committed
// between the check and the commit would slip through). The signed report
// names the patient as they were when it was committed.
func TestRenameWaitsForTheSignatureItsCheckPassed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var clk *clock.Offset
		var patientID int64
		hook, wait := renameDuring(st, "report checked", &patientID, func(p *patient.Patient) { p.FirstNames += "-Anne" })
		a, _ := demoApp(t, st, func(c *app.Config) {
			clk = c.Clock.(*clock.Offset)
			c.Mailer = nullMailer{}
			c.BeforeDocumentWrite = hook
		})
		f, _, _ := doneWithReferrer(t, st, a, clk)
		patientID = f.Patient.ID
		signed, err := a.SignReport(radiologist, f.Appointment.ID, report.Text{Title: "Compte rendu", Body: "INDICATION\nTexte."}, "", "fr")
		if err != nil {
			t.Fatal(err)
		}
		during, err := wait()
		if err != nil {
			t.Fatalf("the rename after the signature: %v", err)
		}
		if during {
			t.Errorf("the patient was renamed between the signature's check and its commit: version %d names them as they were", signed.Number)
		}
	})
}
