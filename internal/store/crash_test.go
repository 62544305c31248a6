package store_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// crashChildEnv makes the test binary a writer that prints "booked N" or
// "consent N" after each commit, until it is killed.
const crashChildEnv = "REPERE_CRASH_CHILD_DB"

// TestCrashKeepsEveryAcknowledgedWrite kills a process that books and signs
// consents as fast as it can (SIGKILL, no chance to flush anything), then
// reopens the database: every write the child acknowledged is there, whole,
// and nothing is half-written.
func TestCrashKeepsEveryAcknowledgedWrite(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	ctx := audit.WithActor(context.Background(), secretary)
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := newPractice(t, s)
	s.Close()
	_ = f

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsEveryAcknowledgedWrite$", "-test.v")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	booked, consents := map[int64]bool{}, map[int64]bool{}
	lines := bufio.NewScanner(out)
	deadline := time.After(20 * time.Second)
	for len(booked)+len(consents) < 300 && lines.Scan() {
		kind, id, ok := strings.Cut(lines.Text(), " ")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			continue
		}
		switch kind {
		case "booked":
			booked[n] = true
		case "consent":
			consents[n] = true
		}
		select {
		case <-deadline:
			t.Fatal("the child wrote too slowly")
		default:
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(booked) == 0 || len(consents) == 0 {
		t.Fatalf("the child acknowledged %d bookings and %d consents before being killed", len(booked), len(consents))
	}

	s, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Verify(ctx); err != nil {
		t.Fatalf("after the crash: %v", err)
	}
	for id := range booked {
		list, err := s.ListAppointments(ctx, store.AppointmentFilter{ID: id})
		if err != nil || len(list) != 1 || list[0].Status != booking.Booked {
			t.Errorf("acknowledged appointment %d lost: %v %v", id, list, err)
		}
	}
	// No appointment without its three holds, nor a hold without its appointment.
	var orphans int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM appointments a WHERE (SELECT COUNT(*) FROM resource_busy b WHERE b.appointment_id = a.id) <> 3`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d appointments are half-written", orphans)
	}
	for id := range consents {
		c, err := s.ConsentDocument(ctx, id)
		sum := sha256.Sum256(c.Document)
		if err != nil || hex.EncodeToString(sum[:]) != c.SHA256 {
			t.Errorf("acknowledged consent %d lost or torn: %v", id, err)
		}
	}
	t.Logf("killed after %d acknowledged bookings and %d consents: all there", len(booked), len(consents))
}

// crashChild books one facet infiltration every 30 minutes on two rooms and
// signs a consent for each, printing each commit, until killed.
func crashChild(t *testing.T, path string) {
	ctx := audit.WithActor(context.Background(), secretary)
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rooms, _ := s.Rooms(ctx)
	doctors, _ := s.Radiologists(ctx)
	var cts, places []int64
	for _, r := range rooms {
		if r.Kind == practice.CT {
			cts = append(cts, r.ID)
		} else {
			places = append(places, r.ID)
		}
	}
	patients, _ := s.SearchPatients(ctx, "Lef", 1)
	for i := 0; ; i++ {
		ref, err := s.CreateReferral(ctx, referralFor(patients[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		slot := monday8.Add(time.Duration(i/2) * 30 * time.Minute)
		id, err := s.Book(ctx, booking.Request{ReferralID: ref, RoomID: cts[i%2], RadiologistID: doctors[i%2].ID, PlaceID: places[i%2],
			Start: slot, RoomMinutes: 30, MonitoringMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("booked %d\n", id)
		doc := []byte(fmt.Sprintf("%%PDF-1.4 consent %d %s", id, strings.Repeat("x", 4096)))
		sum := sha256.Sum256(doc)
		cid, err := s.SaveConsent(ctx, documents.Consent{AppointmentID: id, ActID: "facet_joint_infiltration", Lang: "fr", Version: "v", Kind: documents.ConsentSigned,
			SignerName: "Zoé", Document: doc, ContentType: "application/pdf", SHA256: hex.EncodeToString(sum[:]), SignedAt: storetest.Now()})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("consent %d\n", cid)
	}
}

func referralFor(patientID int64) referral.Referral {
	return referral.Referral{PatientID: patientID, ActID: "facet_joint_infiltration"}
}
