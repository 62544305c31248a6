package store_test

import (
	"errors"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestDayOfTheAct(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ref := f.referral(t, s, "facet_joint_infiltration")
		id, err := s.Book(f.ctx, booking.Request{ReferralID: ref, RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair, Start: monday8, RoomMinutes: 30, MonitoringMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MoveDay(f.ctx, id, booking.InRoom, monday8, ""); !errors.Is(err, booking.ErrDayStep) {
			t.Fatalf("in room before arrival: %v", err)
		}
		if err := s.CheckIn(f.ctx, id, "identity checked"); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckIn(f.ctx, id, "identity checked"); !errors.Is(err, booking.ErrDayStep) {
			t.Fatalf("second check-in: %v", err)
		}
		a, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if a[0].DayStatus != booking.Arrived || a[0].ArrivedAt.IsZero() || a[0].IdentityCheckedBy != secretary.Login {
			t.Fatalf("after check-in: %+v", a[0])
		}
		// The act starts: the patient is in the room.
		if err := s.MoveDay(f.ctx, id, booking.InRoom, monday8.Add(3*time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		a, _ = s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if a[0].DayStatus != booking.InRoom || !a[0].InRoomAt.Equal(monday8.Add(3*time.Minute)) {
			t.Fatalf("in the room: %s %v", a[0].DayStatus, a[0].InRoomAt)
		}
		// The radiographer ends the act by hand: monitoring, act done.
		end := monday8.Add(31 * time.Minute)
		if err := s.MoveDay(f.ctx, id, booking.Monitoring, end, ""); err != nil {
			t.Fatal(err)
		}
		a, _ = s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if a[0].Status != booking.Done || !a[0].MonitoringFrom.Equal(end) {
			t.Fatalf("after the act: %s %v", a[0].Status, a[0].MonitoringFrom)
		}
		if r, _ := s.Referral(f.ctx, ref); r.Status != referral.Done {
			t.Errorf("referral %s", r.Status)
		}
		// A correction goes one step back and clears the step's time.
		if err := s.MoveDay(f.ctx, id, booking.InRoom, end, ""); err != nil {
			t.Fatal(err)
		}
		a, _ = s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if a[0].DayStatus != booking.InRoom || !a[0].MonitoringFrom.IsZero() {
			t.Fatalf("after a correction: %s %v", a[0].DayStatus, a[0].MonitoringFrom)
		}
		// Checklist: checks and an override with its reason.
		if err := s.AddCheck(f.ctx, id, "identity", "ok", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCheck(f.ctx, id, "consent", "maybe", ""); err == nil {
			t.Error("unknown state accepted")
		}
		if err := s.OverrideChecklist(f.ctx, id, ""); err == nil {
			t.Error("override without reason accepted")
		}
		if err := s.OverrideChecklist(f.ctx, id, "consentement oral, papier signé après"); err != nil {
			t.Fatal(err)
		}
		checks, over, err := s.Checklist(f.ctx, id)
		if err != nil || len(checks) != 1 || checks[0].By != secretary.Login || over == nil || over.Reason == "" {
			t.Fatalf("checklist %+v %+v %v", checks, over, err)
		}
	})
}
