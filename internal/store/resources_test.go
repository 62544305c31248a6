package store_test

import (
	"errors"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/practice"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestAnaesthesiaTurnoverAndOvernightHolds(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		sites, err := s.Sites(f.ctx)
		if err != nil || len(sites) == 0 {
			t.Fatal(sites, err)
		}
		team, err := s.CreateAnaesthesiaTeam(f.ctx, practice.AnaesthesiaTeam{SiteID: sites[0].ID, Name: "Dr Anesthésiste"})
		if err != nil {
			t.Fatal(err)
		}
		ward, err := s.CreateRoom(f.ctx, practice.Room{SiteID: sites[0].ID, Name: "Lit USC", Kind: practice.WardBed})
		if err != nil {
			t.Fatal(err)
		}
		nextMorning := monday8.Add(26 * time.Hour) // 10:00 the next day in Paris
		first := booking.Request{ReferralID: f.referral(t, s, "vertebroplasty"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: ward,
			AnaesthesiaID: team, Start: monday8, RoomMinutes: 90, TurnoverMinutes: 15, MonitoringMinutes: 600, PlaceUntil: nextMorning}
		id, err := s.Book(f.ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		if a := got[0]; a.AnaesthesiaID != team || a.TurnoverMinutes != 15 || !a.PlaceEnd.Equal(nextMorning) {
			t.Errorf("stored anaesthesia %d turnover %d place end %v", a.AnaesthesiaID, a.TurnoverMinutes, a.PlaceEnd)
		}
		// The team is busy during the act in the other room.
		other := booking.Request{ReferralID: f.referral(t, s, "vertebroplasty"), RoomID: f.ct2, RadiologistID: f.drB,
			AnaesthesiaID: team, Start: monday8.Add(time.Hour), RoomMinutes: 30}
		var conflict *booking.ConflictError
		if _, err := s.Book(f.ctx, other); !errors.As(err, &conflict) || conflict.Kind != booking.KindAnaesthesia {
			t.Errorf("same team during the act: got %v, want an anaesthesia conflict", err)
		}
		// The room is held during the turnover, free after it.
		during := booking.Request{ReferralID: f.referral(t, s, "facet_joint_infiltration"), RoomID: f.ct1, RadiologistID: f.drB,
			Start: monday8.Add(100 * time.Minute), RoomMinutes: 30}
		if _, err := s.Book(f.ctx, during); !errors.As(err, &conflict) || conflict.Kind != booking.KindRoom {
			t.Errorf("room during turnover: got %v, want a room conflict", err)
		}
		during.Start = monday8.Add(105 * time.Minute)
		if _, err := s.Book(f.ctx, during); err != nil {
			t.Errorf("room after turnover: %v", err)
		}
		// The ward bed stays taken until the next morning's discharge.
		bed := booking.Request{ReferralID: f.referral(t, s, "vertebroplasty"), RoomID: f.ct2, RadiologistID: f.drB, PlaceID: ward,
			Start: nextMorning.Add(-2 * time.Hour), RoomMinutes: 60, MonitoringMinutes: 600}
		if _, err := s.Book(f.ctx, bed); !errors.As(err, &conflict) || conflict.Kind != booking.KindPlace {
			t.Errorf("ward bed before discharge: got %v, want a place conflict", err)
		}
	})
}

func TestSettingsAndPhysicians(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		if got, err := s.Settings(f.ctx); err != nil || got != (practice.Settings{}) {
			t.Fatalf("default settings %+v, %v", got, err)
		}
		want := practice.Settings{TurnoverMinutes: 10, WardDischargeMinute: 9 * 60}
		if err := s.SaveSettings(f.ctx, want); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Settings(f.ctx); err != nil || got != want {
			t.Errorf("settings %+v, %v; want %+v", got, err, want)
		}
		if err := s.SaveSettings(f.ctx, practice.Settings{TurnoverMinutes: -5}); err == nil {
			t.Error("negative turnover accepted")
		}
		id, err := s.CreatePhysician(f.ctx, practice.Physician{Name: "Dr Roux"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UpdatePhysician(f.ctx, practice.Physician{ID: id, Name: "Dr Roux", RPPS: "10003456789", Email: "roux@example.org"}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Physicians(f.ctx)
		if err != nil || len(list) != 1 || list[0].RPPS != "10003456789" || list[0].Email != "roux@example.org" {
			t.Errorf("physicians %+v, %v", list, err)
		}
	})
}
