package store_test

import (
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestAppointmentVersionsReadOnlyReferencedNames: each version of a moved
// appointment shows the room and radiologist it had, and those names are
// read in one statement for the rooms and people the versions name, not
// by reading every room and every user.
func TestAppointmentVersionsReadOnlyReferencedNames(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		id, err := s.Book(f.ctx, booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drA,
			PlaceID: f.chair, Start: monday8, RoomMinutes: 30, MonitoringMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Reschedule(f.ctx, id, booking.Request{RoomID: f.ct2, RadiologistID: f.drB, PlaceID: f.bed, Start: monday8.Add(3 * time.Hour)}, "room change"); err != nil {
			t.Fatal(err)
		}
		count := func(read func(c *store.Counter) error) int64 {
			c := &store.Counter{}
			if err := read(c); err != nil {
				t.Fatal(err)
			}
			return c.Statements()
		}
		var versions []store.AppointmentVersion
		history := count(func(c *store.Counter) (err error) {
			versions, err = s.AppointmentVersions(store.WithCounter(f.ctx, c), id)
			return err
		})
		current := count(func(c *store.Counter) error {
			_, err := s.ListAppointments(store.WithCounter(f.ctx, c), store.AppointmentFilter{ID: id})
			return err
		})
		if len(versions) != 2 {
			t.Fatalf("%d versions, want 2", len(versions))
		}
		for i, want := range [][3]string{{"CT1", "dr.a", "Fauteuil 1"}, {"CT2", "dr.b", "Lit 1"}} {
			a := versions[i].Appointment
			if got := [3]string{a.RoomName, a.RadiologistName, a.PlaceName}; got != want {
				t.Errorf("version %d: %v, want %v", i+1, got, want)
			}
		}
		// The current appointment, then its audit entry, its events and
		// the names they refer to.
		if history-current != 3 {
			t.Errorf("history: %d statements beyond the appointment's own %d, want 3 (audit, events, names)", history-current, current)
		}
	})
}
