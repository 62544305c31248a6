package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestBookingWritesEverything checks every row a booking writes, on both
// engines (PostgreSQL writes them in one statement): the appointment with
// its accession number, its holds, its first event with the state it was
// booked in (built from the request, not read back), the referral's move
// and its event, and the audit entry.
func TestBookingWritesEverything(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		refID := f.referral(t, s, "epidural_blood_patch")
		placeUntil := monday8.Add(45*time.Minute + 97*time.Minute)
		id, err := s.Book(f.ctx, booking.Request{ReferralID: refID, RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.bed,
			Start: monday8.Add(30 * time.Second), RoomMinutes: 45, TurnoverMinutes: 10, MonitoringMinutes: 120, PlaceUntil: placeUntil})
		if err != nil {
			t.Fatal(err)
		}
		booked, err := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if err != nil || len(booked) != 1 {
			t.Fatalf("booked appointment: %v, %v", booked, err)
		}
		a := booked[0]
		if a.AccessionNumber != fmt.Sprintf("RP%08d", id) || a.Status != booking.Booked || a.ReferralID != refID || a.PatientID != f.patientID {
			t.Errorf("appointment as booked: %+v", a)
		}
		if !a.Start.Equal(monday8) || !a.RoomEnd.Equal(monday8.Add(45*time.Minute)) || !a.PlaceEnd.Equal(placeUntil) {
			t.Errorf("times: start %v, room end %v, place end %v", a.Start, a.RoomEnd, a.PlaceEnd)
		}
		busy, err := s.BusyIntervals(f.ctx, monday8, monday8.Add(24*time.Hour))
		if err != nil || len(busy) != 3 {
			t.Errorf("%d busy intervals (%v), want 3: room, radiologist, bed", len(busy), err)
		}
		ref, err := s.Referral(f.ctx, refID)
		if err != nil || ref.Status != referral.Booked {
			t.Errorf("referral after the booking: %v, %v", ref.Status, err)
		}
		var moves int
		if err := s.DB().QueryRow(placeholders(s, `SELECT count(*) FROM referral_events WHERE referral_id = ? AND to_status = 'booked'`), refID).Scan(&moves); err != nil || moves != 1 {
			t.Errorf("%d referral events to booked (%v), want 1", moves, err)
		}
		var audited int
		if err := s.DB().QueryRow(placeholders(s, `SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'appointment' AND entity_id = ? AND patient_id = ?
			AND actor_login = ? AND detail = 'act=epidural_blood_patch'`), fmt.Sprint(id), f.patientID, secretary.Login).Scan(&audited); err != nil || audited != 1 {
			t.Errorf("%d audit entries of the booking (%v), want 1", audited, err)
		}
		// Version 1 is the booking event's state once another event follows.
		if err := s.Reschedule(f.ctx, id, booking.Request{RoomID: f.ct2, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8.Add(4 * time.Hour)}, "later"); err != nil {
			t.Fatal(err)
		}
		versions, err := s.AppointmentVersions(f.ctx, id)
		if err != nil || len(versions) != 2 {
			t.Fatalf("versions: %d, %v", len(versions), err)
		}
		v := versions[0].Appointment
		if !versions[0].Kept || versions[0].Kind != "booked" || v.Status != a.Status || v.RoomID != a.RoomID || v.RadiologistID != a.RadiologistID ||
			v.PlaceID != a.PlaceID || !v.Start.Equal(a.Start) || !v.RoomEnd.Equal(a.RoomEnd) || !v.PlaceEnd.Equal(a.PlaceEnd) || v.RoomMinutes != a.RoomMinutes {
			t.Errorf("booking event's state %+v, want the appointment as booked %+v", v, a)
		}
	})
}

// placeholders turns ? into $n on PostgreSQL for a test's own queries.
func placeholders(s *store.Store, query string) string {
	if s.Engine() != store.Postgres {
		return query
	}
	out, n := []byte{}, 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, query[i])
	}
	return string(out)
}

// TestBookingInAWriteUnit books inside a write unit that has read before:
// the reads' audit entries are written once, with the booking or after a
// refusal, and a refused booking leaves the unit's transaction usable.
func TestBookingInAWriteUnit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		patientReads := func() int {
			var n int
			if err := s.DB().QueryRow(placeholders(s, `SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = 'referral' AND patient_id = ?`), f.patientID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := patientReads()
		first := booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair,
			Start: monday8, RoomMinutes: 30, MonitoringMinutes: 30}
		c := &store.Counter{}
		err := s.WriteUnit(store.WithCounter(f.ctx, c), func(ctx context.Context) error {
			if _, err := s.Referral(ctx, first.ReferralID); err != nil {
				return err
			}
			_, err := s.Book(ctx, first)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := patientReads() - before; n != 1 {
			t.Errorf("%d audit entries of the read before the booking, want 1", n)
		}
		if c.Transactions() != 1 {
			t.Errorf("%d transactions for the read and the booking, want 1", c.Transactions())
		}
		// A second booking of the same slot is refused; the unit reads on
		// and commits, with the audit of both reads.
		second := first
		second.ReferralID = f.referral(t, s, "facet_joint_infiltration")
		before = patientReads()
		err = s.WriteUnit(f.ctx, func(ctx context.Context) error {
			if _, err := s.Referral(ctx, second.ReferralID); err != nil {
				return err
			}
			var ce *booking.ConflictError
			if _, err := s.Book(ctx, second); !errors.As(err, &ce) || ce.Kind != booking.KindRoom {
				return fmt.Errorf("booking of a taken slot: %v", err)
			}
			_, err := s.Referral(ctx, second.ReferralID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := patientReads() - before; n != 2 {
			t.Errorf("%d audit entries of the reads around a refused booking, want 2", n)
		}
		if appts, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ReferralID: second.ReferralID}); len(appts) != 0 {
			t.Errorf("refused booking left %d appointments", len(appts))
		}
		// A unit that fails after booking undoes the booking but keeps the
		// trace of what it read.
		third := second
		third.Start = monday8.Add(2 * time.Hour)
		before = patientReads()
		failure := errors.New("use case failed")
		err = s.WriteUnit(f.ctx, func(ctx context.Context) error {
			if _, err := s.Referral(ctx, third.ReferralID); err != nil {
				return err
			}
			if _, err := s.Book(ctx, third); err != nil {
				return err
			}
			return failure
		})
		if !errors.Is(err, failure) {
			t.Fatalf("failed unit: %v", err)
		}
		if n := patientReads() - before; n != 1 {
			t.Errorf("%d audit entries of the read of a failed unit, want 1", n)
		}
		if appts, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ReferralID: third.ReferralID}); len(appts) != 0 {
			t.Errorf("failed unit left %d appointments", len(appts))
		}
	})
}

// TestConcurrentBookingsOfOneReferral books one referral in two rooms at
// once, many times: never two booked appointments for it.
func TestConcurrentBookingsOfOneReferral(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		for round := range 20 {
			refID := f.referral(t, s, "facet_joint_infiltration")
			start := monday8.Add(time.Duration(round) * time.Hour)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, room := range []int64{f.ct1, f.ct2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					doctor, place := f.drA, f.chair
					if i == 1 {
						doctor, place = f.drB, f.bed
					}
					_, errs[i] = s.Book(f.ctx, booking.Request{ReferralID: refID, RoomID: room, RadiologistID: doctor, PlaceID: place,
						Start: start, RoomMinutes: 20, MonitoringMinutes: 20})
				}()
			}
			wg.Wait()
			booked := 0
			for _, err := range errs {
				switch {
				case err == nil:
					booked++
				case !errors.Is(err, booking.ErrAlreadyBooked):
					t.Errorf("round %d: %v", round, err)
				}
			}
			if booked != 1 {
				t.Fatalf("round %d: %d bookings of one referral succeeded, want 1", round, booked)
			}
		}
	})
}
