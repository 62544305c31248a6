package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

type practiceFixture struct {
	ctx                  context.Context
	ct1, ct2, bed, chair int64
	drA, drB             int64
	patientID            int64
}

func newPractice(t *testing.T, s *store.Store) practiceFixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), secretary)
	f := practiceFixture{ctx: ctx}
	site, err := s.CreateSite(ctx, practice.Site{Name: "Site"})
	if err != nil {
		t.Fatal(err)
	}
	room := func(name, kind string) int64 {
		id, err := s.CreateRoom(ctx, practice.Room{SiteID: site, Name: name, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.ct1, f.ct2, f.bed, f.chair = room("CT1", practice.CT), room("CT2", practice.CT), room("Lit 1", practice.RecoveryBed), room("Fauteuil 1", practice.RecoveryChair)
	doctor := func(login string) int64 {
		id, err := s.CreateUser(ctx, auth.User{Login: login, DisplayName: login, Role: auth.Radiologist, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.drA, f.drB = doctor("dr.a"), doctor("dr.b")
	f.patientID, err = s.CreatePatient(ctx, patient.Patient{BirthName: "Lefèvre", FirstNames: "Zoé", BirthDate: "1991-04-12", Sex: "F"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f practiceFixture) referral(t *testing.T, s *store.Store, act string) int64 {
	t.Helper()
	id, err := s.CreateReferral(f.ctx, referral.Referral{PatientID: f.patientID, ActID: act})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// bookedFacet books a facet joint infiltration on CT 1 at monday8 and
// returns the appointment's id.
func (f practiceFixture) bookedFacet(t *testing.T, s *store.Store) int64 {
	t.Helper()
	id, err := s.Book(f.ctx, booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair,
		Start: monday8, RoomMinutes: 30, MonitoringMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var monday8 = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // 08:00 in Paris

func TestBookingNeverOverlaps(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		patch := booking.Request{ReferralID: f.referral(t, s, "epidural_blood_patch"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.bed,
			Start: monday8, RoomMinutes: 45, MonitoringMinutes: 120}
		id, err := s.Book(f.ctx, patch)
		if err != nil {
			t.Fatal(err)
		}
		conflict := func(r booking.Request, kind string) {
			t.Helper()
			r.ReferralID = f.referral(t, s, "facet_joint_infiltration")
			_, err := s.Book(f.ctx, r)
			var ce *booking.ConflictError
			if !errors.As(err, &ce) || ce.Kind != kind {
				t.Errorf("booking %+v: got %v, want a %s conflict", r, err, kind)
			}
		}
		// A 45-min act blocks a 15-min act starting 30 min later in the same room.
		conflict(booking.Request{RoomID: f.ct1, RadiologistID: f.drB, PlaceID: f.chair, Start: monday8.Add(30 * time.Minute), RoomMinutes: 15, MonitoringMinutes: 15}, booking.KindRoom)
		conflict(booking.Request{RoomID: f.ct2, RadiologistID: f.drA, PlaceID: f.chair, Start: monday8.Add(10 * time.Minute), RoomMinutes: 20, MonitoringMinutes: 30}, booking.KindRadiologist)
		conflict(booking.Request{RoomID: f.ct2, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8.Add(time.Hour), RoomMinutes: 20, MonitoringMinutes: 30}, booking.KindPlace)
		// Back-to-back is not an overlap.
		next := booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair,
			Start: monday8.Add(45 * time.Minute), RoomMinutes: 30, MonitoringMinutes: 15}
		if _, err := s.Book(f.ctx, next); err != nil {
			t.Fatalf("back-to-back booking refused: %v", err)
		}
		if _, err := s.Book(f.ctx, booking.Request{ReferralID: patch.ReferralID, RoomID: f.ct2, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8.Add(24 * time.Hour), RoomMinutes: 45, MonitoringMinutes: 120}); !errors.Is(err, booking.ErrAlreadyBooked) {
			t.Fatalf("second booking of one referral: %v", err)
		}
		// Cancelling frees every resource; the referral can be booked again.
		if err := s.CancelAppointment(f.ctx, id, ""); err == nil {
			t.Fatal("cancel without a reason accepted")
		}
		if err := s.CancelAppointment(f.ctx, id, "patient unwell"); err != nil {
			t.Fatal(err)
		}
		if err := s.CancelAppointment(f.ctx, id, "again"); !errors.Is(err, booking.ErrNotBooked) {
			t.Fatalf("second cancel: %v", err)
		}
		moved := booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8, RoomMinutes: 30, MonitoringMinutes: 60}
		mid, err := s.Book(f.ctx, moved)
		if err != nil {
			t.Fatalf("slot not freed by the cancellation: %v", err)
		}
		// Rescheduling onto a taken slot fails and keeps the old one.
		err = s.Reschedule(f.ctx, mid, booking.Request{RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair, Start: monday8.Add(45 * time.Minute)}, "earlier")
		var ce *booking.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("reschedule onto a taken slot: %v", err)
		}
		if err := s.Reschedule(f.ctx, mid, booking.Request{RoomID: f.ct2, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8.Add(3 * time.Hour)}, "room change"); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListAppointments(f.ctx, store.AppointmentFilter{From: monday8, To: monday8.Add(24 * time.Hour), Statuses: []booking.Status{booking.Booked}})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[1].ID != mid || list[1].RoomName != "CT2" || list[1].PlaceName != "Lit 1" || list[1].RoomMinutes != 30 || list[1].PatientName != "LEFÈVRE Zoé" {
			t.Fatalf("appointments after the moves: %+v", list)
		}
		if !list[1].PlaceEnd.Equal(monday8.Add(3*time.Hour + 90*time.Minute)) {
			t.Fatalf("durations not kept on reschedule: place ends %v", list[1].PlaceEnd)
		}
		busy, _ := s.BusyIntervals(f.ctx, monday8, monday8.Add(24*time.Hour))
		if len(busy) != 6 {
			t.Fatalf("%d busy intervals, want 6 (3 per booked appointment)", len(busy))
		}
	})
}

// TestConcurrentBookingsOfOneSlot fires 200 bookings of one slot at once:
// exactly one wins, every other gets a conflict.
func TestConcurrentBookingsOfOneSlot(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		const n = 200
		referrals := make([]int64, n)
		for i := range referrals {
			referrals[i] = f.referral(t, s, "lumbar_foraminal_infiltration")
		}
		var wg sync.WaitGroup
		results := make(chan error, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				// Half the attempts want the same room, half the same radiologist.
				r := booking.Request{ReferralID: referrals[i], RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair, Start: monday8, RoomMinutes: 20, MonitoringMinutes: 30}
				if i%2 == 1 {
					r.RoomID, r.PlaceID, r.Start = f.ct2, f.bed, monday8.Add(10*time.Minute)
				}
				_, err := s.Book(f.ctx, r)
				results <- err
			}(i)
		}
		close(start)
		wg.Wait()
		close(results)
		wins, conflicts := 0, 0
		for err := range results {
			var ce *booking.ConflictError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ce):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 || conflicts != n-1 {
			t.Fatalf("%d successes and %d conflicts, want 1 and %d", wins, conflicts, n-1)
		}
	})
}
