package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"repere/internal/store"
	"repere/internal/storetest"
)

// TestTakeAttempt: a limit counts attempts in its window, refuses beyond
// Max without counting, tells until when, and opens again after the window.
func TestTakeAttempt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := storetest.Now().UTC().Truncate(time.Second)
		s.SetClock(func() time.Time { return now })
		addr := store.Limit{Key: "test:addr:192.0.2.7", Max: 3, Window: time.Hour}
		email := store.Limit{Key: "test:email:x", Max: 2, Window: time.Hour}
		for i := range 2 {
			if err := s.TakeAttempt(ctx, addr, email); err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		err := s.TakeAttempt(ctx, addr, email)
		var locked *store.LockedError
		if !errors.As(err, &locked) || !locked.Until.Equal(now.Add(time.Hour)) {
			t.Fatalf("third attempt on a limit of two: %v, want locked until %v", err, now.Add(time.Hour))
		}
		// The refused attempt counted nothing: the address has one left.
		if err := s.TakeAttempt(ctx, addr); err != nil {
			t.Fatalf("the address's third attempt: %v", err)
		}
		if err := s.TakeAttempt(ctx, addr); !errors.As(err, &locked) {
			t.Fatalf("the address's fourth attempt: %v", err)
		}
		now = now.Add(time.Hour)
		if err := s.TakeAttempt(ctx, addr, email); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if n, err := s.DeleteStaleAttempts(ctx, now.Add(-time.Minute)); err != nil || n != 0 {
			t.Errorf("stale counts deleted: %d %v, want none (both windows restarted)", n, err)
		}
		if n, err := s.DeleteStaleAttempts(ctx, now.Add(time.Minute)); err != nil || n != 2 {
			t.Errorf("stale counts deleted: %d %v, want 2", n, err)
		}
	})
}

// TestTakeAttemptParallel: thirty simultaneous attempts against a limit of
// five (two keys, taken in either order) pass exactly five times.
func TestTakeAttemptParallel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := store.Limit{Key: "test:a", Max: 5, Window: time.Hour}
		b := store.Limit{Key: "test:b", Max: 100, Window: time.Hour}
		var passed atomic.Int32
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				limits := []store.Limit{a, b}
				if i%2 == 1 {
					limits = []store.Limit{b, a}
				}
				err := s.TakeAttempt(ctx, limits...)
				var locked *store.LockedError
				switch {
				case err == nil:
					passed.Add(1)
				case !errors.As(err, &locked):
					t.Errorf("attempt: %v", err)
				}
			}()
		}
		wg.Wait()
		if n := passed.Load(); n != 5 {
			t.Errorf("%d of 30 parallel attempts passed, want 5", n)
		}
	})
}

// BenchmarkTakeAttempt: the cost of counting one attempt under two limits
// (a portal code check's bookkeeping), per engine.
func BenchmarkTakeAttempt(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(engine.name, func(b *testing.B) {
			s := engine.open(b)
			ctx := context.Background()
			addr := store.Limit{Key: "bench:addr", Max: 1 << 30, Window: time.Hour}
			i := 0
			for b.Loop() {
				i++
				email := store.Limit{Key: "bench:email:" + strconv.Itoa(i%100), Max: 1 << 30, Window: time.Hour}
				if err := s.TakeAttempt(ctx, addr, email); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
