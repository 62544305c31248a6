package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
)

// bookOn books a facet joint act for a new patient in the first CT room at
// day's hour, and returns its id as the harness helpers take it.
func (h *harness) bookOn(day time.Time, hour, i int) string {
	h.t.Helper()
	rooms, _ := h.store.Rooms(system)
	doctors, _ := h.store.Radiologists(system)
	var ct int64
	for _, r := range rooms {
		if r.Kind == practice.CT && ct == 0 {
			ct = r.ID
		}
	}
	pid, err := h.store.CreatePatient(system, patient.Patient{BirthName: fmt.Sprintf("Aller%d", i), FirstNames: "Retour", BirthDate: "1970-01-01", Sex: "F"})
	if err != nil {
		h.t.Fatal(err)
	}
	ref, err := h.store.CreateReferral(system, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"})
	if err != nil {
		h.t.Fatal(err)
	}
	id, err := h.store.Book(system, booking.Request{ReferralID: ref, RoomID: ct, RadiologistID: doctors[0].ID,
		Start: day.Add(time.Duration(hour) * time.Hour), RoomMinutes: 30})
	if err != nil {
		h.t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// TestReportsToSignStatementsDoNotGrowWithActs counts the statements of the
// radiologist's work page with one act done and with four, each waiting for
// its report: the reports are read in one query, not one per act.
func TestReportsToSignStatementsDoNotGrowWithActs(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		day := nextDay(3, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
		// The acts are booked as they come, so both views see no act booked
		// ahead (whose screenings the page reads too).
		acts := []string{h.bookOn(day, 8, 0)}
		c := h.signedIn(auth.Radiologist)
		view := func(done int) float64 {
			s0, _ := h.routeFigures("GET /staff/work")
			r := c.get("/staff/work")
			if r.status != http.StatusOK {
				t.Fatalf("work page: %d", r.status)
			}
			s1, _ := h.routeFigures("GET /staff/work")
			for i, a := range acts {
				if !strings.Contains(r.body, "/staff/appointments/"+a+"/report") {
					t.Errorf("act %d of %d done is not listed to report", i+1, done)
				}
			}
			return s1 - s0
		}
		h.performed(acts[0])
		view(1) // writes the session as the sign-in left it; the next views within a minute do not
		one := view(1)
		for i := 1; i < 4; i++ {
			acts = append(acts, h.bookOn(day, 8+2*i, i))
			h.performed(acts[i])
		}
		four := view(4)
		t.Logf("work page: %v statements with 1 report to sign, %v with 4", one, four)
		if one == 0 || four != one {
			t.Errorf("work page: %v statements with 1 report to sign, %v with 4: want the same, and some", one, four)
		}
	})
}

// TestDosePageReadsLevelsOnce checks that the dose page runs no statement
// beyond its review's: the levels in force, read by the review, are not
// read a second time for the table of levels.
func TestDosePageReadsLevelsOnce(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		doctor := audit.WithActor(context.Background(), audit.Actor{Login: "t.radiologist", Role: string(auth.Radiologist)})
		if err := h.app.SetDoseLevel(doctor, store.DoseLevel{ActID: "facet_joint_infiltration", Kind: app.LevelLocalReference, Quantity: app.QuantityDLP, Value: ptr(250)}); err != nil {
			t.Fatal(err)
		}
		page, q, err := h.srv.DosePageStatements(doctor, &auth.User{Login: "t.radiologist", Role: auth.Radiologist})
		if err != nil {
			t.Fatal(err)
		}
		c := &store.Counter{}
		if _, err := h.app.DoseReview(store.WithCounter(doctor, c), q); err != nil {
			t.Fatal(err)
		}
		t.Logf("dose page: %d statements, its review %d", page, c.Statements())
		if page != c.Statements() {
			t.Errorf("dose page: %d statements, its review %d: want no more", page, c.Statements())
		}
	})
}

// TestPracticeSiteReadOncePerChange checks that the practice's site, shown
// on every patient and public page, is not read again at each render, and
// that a site added by the administrator shows at once.
func TestPracticeSiteReadOncePerChange(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		read := func() (string, int64) {
			c := &store.Counter{}
			site := h.app.PracticeSite(store.WithCounter(system, c))
			return site.Name, c.Statements()
		}
		first, n := read()
		if first == "" {
			t.Fatal("no practice name")
		}
		if again, n2 := read(); again != first || n2 != 0 {
			t.Errorf("second read: %q in %d statements, want %q from memory (the first took %d)", again, n2, first, n)
		}
		if _, err := h.app.CreateSite(system, practice.Site{Name: "000 Annexe", Phone: "01 02 03 04 05"}); err != nil {
			t.Fatal(err)
		}
		if name, _ := read(); name != "000 Annexe" {
			t.Errorf("after a new first site: %q, want 000 Annexe", name)
		}
		// Another instance's change shows within a minute.
		if _, err := h.store.CreateSite(system, practice.Site{Name: "0 Autre instance"}); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(2 * time.Minute)
		if name, _ := read(); name != "0 Autre instance" {
			t.Errorf("two minutes after another instance added a first site: %q, want 0 Autre instance", name)
		}
	})
}
