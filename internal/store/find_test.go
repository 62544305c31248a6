package store_test

import (
	"context"
	"slices"
	"testing"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestFindByStatus: the API's status searches (one status or several) on
// referrals and appointments, on both engines (they once failed with
// "unsupported type []interface {}").
func TestFindByStatus(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), secretary)
		pid, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Caron", FirstNames: "Anne", BirthDate: "1970-01-01", Sex: "F"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for range 3 {
			id, err := s.CreateReferral(ctx, referral.Referral{PatientID: pid, ActID: "blood_patch"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := s.SetReferralStatus(ctx, ids[1], referral.Cancelled, "test"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			statuses []referral.Status
			want     []int64
		}{
			{nil, ids},
			{[]referral.Status{referral.Received}, []int64{ids[0], ids[2]}},
			{[]referral.Status{referral.Cancelled, referral.Done}, []int64{ids[1]}},
			{[]referral.Status{referral.Received, referral.Cancelled}, ids},
		} {
			found, total, err := s.FindReferrals(ctx, store.ReferralSearch{Statuses: tt.statuses, Limit: 10})
			var got []int64
			for _, r := range found {
				got = append(got, r.ID)
			}
			if err != nil || total != len(tt.want) || !slices.Equal(got, tt.want) {
				t.Errorf("referrals %v: %v (%d) %v, want %v", tt.statuses, got, total, err, tt.want)
			}
		}
		for _, statuses := range [][]booking.Status{{booking.Booked}, {booking.Cancelled, booking.NoShow}} {
			if _, total, err := s.FindAppointments(ctx, store.AppointmentSearch{Statuses: statuses, Limit: 10}); err != nil || total != 0 {
				t.Errorf("appointments %v: %d %v", statuses, total, err)
			}
		}
	})
}
