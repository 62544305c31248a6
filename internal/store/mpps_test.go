package store_test

import (
	"errors"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/mpps"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestPerformedStepsAreKeptAndMirrored(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ref := f.referral(t, s, "facet_joint_infiltration")
		id, err := s.Book(f.ctx, booking.Request{ReferralID: ref, RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair, Start: monday8, RoomMinutes: 30, MonitoringMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		list, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		steps := s.PerformedSteps()
		started := monday8.Add(5 * time.Minute)
		step := mpps.PerformedStep{SOPInstanceUID: "2.25.42", Status: mpps.StatusInProgress, AccessionNumber: list[0].AccessionNumber, Start: started}
		if linked, err := steps.CreateStep(f.ctx, step); err != nil || linked != id {
			t.Fatalf("create: appointment %d, %v; want %d", linked, err, id)
		}
		if _, err := steps.CreateStep(f.ctx, step); !errors.Is(err, mpps.ErrDuplicateStep) {
			t.Fatalf("duplicate: %v", err)
		}
		if a, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id}); a[0].PerformedStatus != mpps.StatusInProgress || a[0].Status != booking.Booked {
			t.Fatalf("after IN PROGRESS: %s %s", a[0].Status, a[0].PerformedStatus)
		}
		dlp := 412.5
		done := mpps.Modification{Status: mpps.StatusCompleted, End: monday8.Add(28 * time.Minute), DLP: &dlp}
		if linked, saved, err := steps.UpdateStep(f.ctx, "2.25.42", done.ApplyTo); err != nil || linked != id || saved.Status != mpps.StatusCompleted || *saved.DLP != dlp {
			t.Fatalf("update: %d %+v %v", linked, saved, err)
		}
		a, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id})
		if a[0].Status != booking.Booked || a[0].PerformedStatus != mpps.StatusCompleted || a[0].DayStatus != booking.Expected {
			t.Errorf("after COMPLETED: %s %s %s; the store mirrors the step, the application decides the rest", a[0].Status, a[0].PerformedStatus, a[0].DayStatus)
		}
		if err := s.MarkPerformed(f.ctx, id, "2.25.42"); err != nil {
			t.Fatal(err)
		}
		if a, _ := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: id}); a[0].Status != booking.Done {
			t.Errorf("after MarkPerformed: %s", a[0].Status)
		}
		if r, _ := s.Referral(f.ctx, ref); r.Status != referral.Done {
			t.Errorf("referral %s after COMPLETED, want done", r.Status)
		}
		if rows, _ := s.WorklistRows(f.ctx, monday8.Add(-time.Hour), monday8.Add(time.Hour), ""); len(rows) != 0 {
			t.Errorf("a completed act is still on the worklist: %d rows", len(rows))
		}
		if _, _, err := steps.UpdateStep(f.ctx, "2.25.42", mpps.Modification{Status: mpps.StatusDiscontinued}.ApplyTo); !errors.Is(err, mpps.ErrFinal) {
			t.Errorf("N-SET after COMPLETED: %v, want ErrFinal", err)
		}
		if _, _, err := steps.UpdateStep(f.ctx, "2.25.999", done.ApplyTo); !errors.Is(err, mpps.ErrNoSuchStep) {
			t.Errorf("unknown step: %v", err)
		}
		// A step for no known appointment is kept, unlinked.
		if linked, err := steps.CreateStep(f.ctx, mpps.PerformedStep{SOPInstanceUID: "2.25.43", Status: mpps.StatusInProgress, AccessionNumber: "ELSEWHERE"}); err != nil || linked != 0 {
			t.Fatal(linked, err)
		}
		if _, _, err := steps.UpdateStep(f.ctx, "2.25.43", mpps.Modification{Status: mpps.StatusDiscontinued, DiscontinuationReason: "patient agité"}.ApplyTo); err != nil {
			t.Fatal(err)
		}
	})
}
