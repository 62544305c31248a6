package web_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// BenchmarkBookUseCase measures the booking use case of the application
// layer (app.Book: the referral, its appointments, the screening, the
// calendars' check, then store.Book), every act in one room open day and
// night, an hour apart, with 2 goroutines (GOMAXPROCS here) booking at once,
// on both engines. It reports bookings/s; store.BenchmarkBook measures
// store.Book alone.
func BenchmarkBookUseCase(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var st *store.Store
			if engine == "sqlite" {
				st = storetest.OpenSQLite(b)
			} else {
				st = storetest.OpenPostgres(b)
			}
			h := newHarness(b, st)
			ctx := system
			sites, _ := h.store.Sites(ctx)
			room, err := h.store.CreateRoom(ctx, practice.Room{SiteID: sites[0].ID, Name: "Bench CT", Kind: practice.CT})
			if err != nil {
				b.Fatal(err)
			}
			var chairs [2]int64
			for i := range chairs {
				if chairs[i], err = h.store.CreateRoom(ctx, practice.Room{SiteID: sites[0].ID, Name: fmt.Sprintf("Bench chair %d", i), Kind: practice.RecoveryChair}); err != nil {
					b.Fatal(err)
				}
			}
			doctor, err := h.store.CreateUser(ctx, auth.User{Login: "bench.dr", DisplayName: "Dr Bench", Role: auth.Radiologist, PasswordHash: "x"})
			if err != nil {
				b.Fatal(err)
			}
			if err := h.store.SetRadiologistActs(ctx, doctor, []string{"facet_joint_infiltration"}); err != nil {
				b.Fatal(err)
			}
			for _, r := range []struct {
				kind string
				id   int64
			}{{practice.ResourceRoom, room}, {practice.ResourceRadiologist, doctor}} {
				for d := range 7 {
					if _, err := h.store.AddOpeningHours(ctx, practice.OpeningHours{ResourceKind: r.kind, ResourceID: r.id, Weekday: d, StartMinute: 0, EndMinute: 24 * 60}); err != nil {
						b.Fatal(err)
					}
				}
			}
			pid, err := h.store.CreatePatient(ctx, patient.Patient{BirthName: "Banc", FirstNames: "Réservation", BirthDate: "1960-01-01", Sex: "F"})
			if err != nil {
				b.Fatal(err)
			}
			referrals := make([]int64, b.N)
			for i := range referrals {
				if referrals[i], err = h.store.CreateReferral(ctx, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"}); err != nil {
					b.Fatal(err)
				}
			}
			day := storetest.Now().In(paris).AddDate(0, 0, 2)
			first := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, paris)
			secretary := audit.WithActor(context.Background(), audit.Actor{Login: "t.secretary", Role: string(auth.Secretary)})
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					_, err := h.app.Book(secretary, app.BookRequest{ReferralID: referrals[i], Start: first.Add(time.Duration(i) * time.Hour),
						RoomID: room, RadiologistID: doctor, PlaceID: chairs[i%2]})
					if err != nil {
						b.Errorf("booking %d: %v", i, err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bookings/s")
		})
	}
}
