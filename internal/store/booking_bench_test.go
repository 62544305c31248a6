package store_test

import (
	"sync/atomic"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/store"
	"repere/internal/storetest"
)

// BenchmarkBook measures booking throughput: each operation books one act on
// its own slot (room, radiologist and chair), through the full transaction
// with its overlap checks, audit entry and events. Run with -cpu to vary the
// number of concurrent bookers.
func BenchmarkBook(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var s *store.Store
			if engine == "sqlite" {
				s = storetest.OpenSQLite(b)
			} else {
				s = storetest.OpenPostgres(b)
			}
			f := newPractice(&testing.T{}, s)
			referrals := make([]int64, b.N)
			for i := range referrals {
				referrals[i] = f.referral(&testing.T{}, s, "lumbar_foraminal_infiltration")
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					// Successive slots of 20 min in one room: every booking succeeds.
					start := monday8.Add(time.Duration(i) * 20 * time.Minute)
					_, err := s.Book(f.ctx, booking.Request{ReferralID: referrals[i], RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.chair,
						Start: start, RoomMinutes: 20, MonitoringMinutes: 20})
					if err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bookings/s")
		})
	}
}
