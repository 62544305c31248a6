package main

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestOutboxTwoInstancesSendsEachEmailOnce runs two `repere serve` on one
// PostgreSQL database with one SMTP server: every due email is sent exactly
// once, each appointment gets one reminder although both instances look for
// them, and the emails an instance claimed and sent before it "crashed"
// (never recorded as sent) go out once more after the lease, with the same
// Message-ID: at most one duplicate, recognisable as such.
func TestOutboxTwoInstancesSendsEachEmailOnce(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	// A first run loads the demo practice, email off, then stops.
	_, _, stop := startServe(t, "--db", dsn, "--demo")
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	ctx := audit.WithActor(context.Background(), audit.System("test"))
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The demo's only patient with an email may have had her act already
	// today: move it within the reminder's two days, whatever the hour.
	booked, err := st.ListAppointments(ctx, store.AppointmentFilter{Statuses: []booking.Status{booking.Booked}})
	if err != nil {
		t.Fatal(err)
	}
	moved := false
	for _, a := range booked {
		if !strings.Contains(a.PatientName, "LEFÈVRE") {
			continue
		}
		for _, in := range []time.Duration{5 * time.Hour, 29 * time.Hour, 41 * time.Hour} {
			req := booking.Request{RoomID: a.RoomID, RadiologistID: a.RadiologistID, PlaceID: a.PlaceID, AnaesthesiaID: a.AnaesthesiaID,
				Start: time.Now().Add(in).Truncate(time.Minute)}
			if err := st.Reschedule(ctx, a.ID, req, "test: a reminder due whatever the hour"); err == nil {
				moved = true
				break
			}
		}
		break
	}
	if !moved {
		t.Fatal("could not move the demo's appointment with an email within the next two days")
	}
	pid, err := st.CreatePatient(ctx, patient.Patient{BirthName: "Courrier", FirstNames: "Unique", BirthDate: "1960-01-01", Sex: "F", Email: "unique@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	const queued = 60
	for i := range queued {
		if _, err := st.EnqueueMail(ctx, mail.Outgoing{Kind: "portal_code", PatientID: pid, To: "unique@example.org",
			Subject: "Message " + strconv.Itoa(i), Text: "Bonjour " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	smtp := mailtest.Start(t, mailtest.Options{})
	const host = "repere.example.test"
	// The crashed instance: it claimed three emails (its lease ends in two
	// seconds), sent them, and died before recording it.
	crashed, err := st.ClaimDueMail(ctx, time.Now(), 2*time.Second, 3)
	if err != nil || len(crashed) != 3 {
		t.Fatalf("claim as the crashed instance: %d, %v", len(crashed), err)
	}
	sender, err := mail.NewSender(smtp.Config())
	if err != nil {
		t.Fatal(err)
	}
	from := netmail.Address{Address: "cabinet@example.test"}
	dead := app.NewMailer(sender, from, host)
	for _, m := range crashed {
		if err := dead.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	args := []string{"--db", dsn, "--base-url", "https://" + host, "--smtp-host", smtp.Host(), "--smtp-port", strconv.Itoa(smtp.Port()),
		"--smtp-security", "none", "--smtp-from", from.Address, "--outbox-every", "50ms", "--reminder-days", "7"}
	_, _, stopA := startServe(t, args...)
	defer stopA()
	_, _, stopB := startServe(t, args...)
	defer stopB()

	// Wait until nothing is left to send, then a little more for strays.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var left int
		if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'queued'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails still queued after a minute", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)

	rows, err := st.DB().QueryContext(ctx, `SELECT id, created_at, kind, status, COALESCE(appointment_id, 0) FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	reminders := map[int64]int{}
	for rows.Next() {
		var id, appointment int64
		var created time.Time
		var kind, status string
		if err := rows.Scan(&id, &created, &kind, &status, &appointment); err != nil {
			t.Fatal(err)
		}
		if status != mail.Sent {
			t.Errorf("email %d (%s) %s, want sent", id, kind, status)
		}
		want[fmt.Sprintf("<outbox-%d.%d@%s>", id, created.Unix(), host)] = 1
		if kind == "reminder" {
			reminders[appointment]++
		}
	}
	rows.Close()
	for _, m := range crashed {
		want[fmt.Sprintf("<outbox-%d.%d@%s>", m.ID, m.CreatedAt.Unix(), host)] = 2
	}
	got := map[string]int{}
	for _, m := range smtp.Messages() {
		got[m.Header.Get("Message-ID")]++
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("%s received %d times, want %d", id, got[id], n)
		}
	}
	for id, n := range got {
		if want[id] == 0 {
			t.Errorf("%s received %d times, and no outbox row has it", id, n)
		}
	}
	if len(reminders) == 0 {
		t.Error("no reminder queued: the demo's booked appointments should get one")
	}
	for appointment, n := range reminders {
		if n != 1 {
			t.Errorf("appointment %d: %d reminders, want 1", appointment, n)
		}
	}
	t.Logf("%d emails, %d reminders, %d messages received", len(want), len(reminders), len(smtp.Messages()))
}
