package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/storetest"
)

// BenchmarkReferralPageYear measures the referral page of a facet
// infiltration, which loads a quarter of bookings from the database and
// searches the next slots, on a practice of 10 CT rooms and 20 radiologists
// with a year of bookings (about 50,000 appointments, 85 % of the slots
// taken). It reports the median and 99th percentile of the whole request.
func BenchmarkReferralPageYear(b *testing.B) {
	h := newHarness(b, storetest.OpenSQLite(b))
	ctx := system
	sites, _ := h.store.Sites(ctx)
	site := sites[0].ID
	var rooms, doctors, chairs []int64
	hours := func(kind string, id int64) {
		for d := time.Monday; d <= time.Friday; d++ {
			if _, err := h.store.AddOpeningHours(ctx, practice.OpeningHours{ResourceKind: kind, ResourceID: id, Weekday: int(d), StartMinute: 8 * 60, EndMinute: 18 * 60}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := range 10 {
		id, err := h.store.CreateRoom(ctx, practice.Room{SiteID: site, Name: fmt.Sprintf("Bench CT %d", i), Kind: practice.CT})
		if err != nil {
			b.Fatal(err)
		}
		rooms = append(rooms, id)
		hours(practice.ResourceRoom, id)
		chair, err := h.store.CreateRoom(ctx, practice.Room{SiteID: site, Name: fmt.Sprintf("Bench chair %d", i), Kind: practice.RecoveryChair})
		if err != nil {
			b.Fatal(err)
		}
		chairs = append(chairs, chair)
	}
	for i := range 20 {
		id, err := h.store.CreateUser(ctx, auth.User{Login: fmt.Sprintf("bench.dr%d", i), DisplayName: fmt.Sprintf("Dr Bench %d", i), Role: auth.Radiologist, PasswordHash: "x"})
		if err != nil {
			b.Fatal(err)
		}
		doctors = append(doctors, id)
		hours(practice.ResourceRadiologist, id)
		if err := h.store.SetRadiologistActs(ctx, id, []string{"facet_joint_infiltration"}); err != nil {
			b.Fatal(err)
		}
	}
	pid, err := h.store.CreatePatient(ctx, patient.Patient{BirthName: "Banc", FirstNames: "Essai", BirthDate: "1960-01-01", Sex: "F"})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	day := storetest.Now().In(paris).AddDate(0, 0, 1)
	booked := 0
	for range 365 {
		day = day.AddDate(0, 0, 1)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for slot := range 20 {
			start := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, paris).Add(time.Duration(slot) * 30 * time.Minute)
			for r := range rooms {
				if rng.Float64() < 0.15 {
					continue
				}
				ref, err := h.store.CreateReferral(ctx, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := h.store.Book(ctx, booking.Request{ReferralID: ref, RoomID: rooms[r], RadiologistID: doctors[2*r+slot%2], PlaceID: chairs[r],
					Start: start, RoomMinutes: 30, MonitoringMinutes: 30}); err != nil {
					b.Fatal(err)
				}
				booked++
			}
		}
	}
	ref, err := h.store.CreateReferral(ctx, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"})
	if err != nil {
		b.Fatal(err)
	}
	c := h.signedIn(auth.Secretary)
	path := fmt.Sprintf("/staff/referrals/%d", ref)
	b.Logf("%d appointments booked over a year", booked)
	var durations []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if r := c.get(path); r.status != http.StatusOK {
			b.Fatalf("referral page: %d", r.status)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
}
