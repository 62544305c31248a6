package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestLoginReservationLocksThePair(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		const key = "pair:x|192.0.2.7"
		for i := 1; i <= auth.FreeFailures; i++ {
			r, err := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures)
			if err != nil || !r.Allowed || r.Attempt != i {
				t.Fatalf("attempt %d: %+v, %v", i, r, err)
			}
		}
		r, err := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures)
		if err != nil || r.Allowed || !r.LockedUntil.Equal(now.Add(auth.BaseLock)) {
			t.Fatalf("attempt beyond the limit: %+v, %v; want refused until %v", r, err, now.Add(auth.BaseLock))
		}
		now = now.Add(auth.BaseLock)
		if r, _ := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures); !r.Allowed || r.Attempt != auth.FreeFailures+1 {
			t.Fatalf("after the lock: %+v", r)
		}
		if r, _ := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures); r.Allowed || !r.LockedUntil.Equal(now.Add(2*auth.BaseLock)) {
			t.Fatalf("the lock did not double: %+v", r)
		}
		// A reservation given back (the server was too busy to check it) lifts its lock.
		now = now.Add(2 * auth.BaseLock)
		r, _ = s.ReserveLoginAttempt(ctx, key, auth.FreeFailures)
		if err := s.RefundLoginAttempt(ctx, key, r.Attempt); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures); !again.Allowed || again.Attempt != r.Attempt {
			t.Fatalf("after a refund: %+v, want attempt %d allowed", again, r.Attempt)
		}
		if err := s.ClearLoginFailures(ctx, key); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures); !r.Allowed || r.Attempt != 1 {
			t.Fatalf("after a success: %+v", r)
		}
		// A count not touched for ThrottleMemory starts again.
		now = now.Add(auth.ThrottleMemory + time.Hour)
		if r, _ := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures); !r.Allowed || r.Attempt != 1 {
			t.Fatalf("after a day: %+v", r)
		}
	})
}

// TestParallelReservations: attempts reserved at once for one key (from one
// instance or several) are counted one by one: exactly the free ones pass.
func TestParallelReservations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const key = "pair:race|192.0.2.9"
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.ReserveLoginAttempt(ctx, key, auth.FreeFailures)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != auth.FreeFailures {
			t.Fatalf("%d of 25 parallel attempts allowed, want %d", allowed, auth.FreeFailures)
		}
	})
}

func TestAccountFailureCount(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		const key = "account:dr.x"
		for i := 1; i <= 3; i++ {
			if n, err := s.CountLoginFailure(ctx, key); err != nil || n != i {
				t.Fatalf("failure %d: %d, %v", i, n, err)
			}
		}
		if n, _ := s.LoginFailures(ctx, key); n != 3 {
			t.Fatalf("LoginFailures = %d", n)
		}
		now = now.Add(auth.ThrottleMemory + time.Minute)
		if n, _ := s.LoginFailures(ctx, key); n != 0 {
			t.Fatalf("a day later: %d failures remembered", n)
		}
		if n, err := s.DeleteStaleLoginCounts(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteStaleLoginCounts = %d, %v", n, err)
		}
	})
}

func TestSessionsAreStoredHashedWithTheirUser(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alice, _ := s.CreateUser(ctx, auth.User{Login: "alice", DisplayName: "A", Role: auth.Secretary, PasswordHash: "h"})
		bob, _ := s.CreateUser(ctx, auth.User{Login: "bob", DisplayName: "B", Role: auth.Secretary, PasswordHash: "h"})
		// The session data is opaque here: its first byte stands for its user.
		ss := s.Sessions().WithUser(func(b []byte) int64 { return map[byte]int64{'a': alice, 'b': bob}[b[0]] })
		exp := time.Now().Add(time.Hour)
		for tok, data := range map[string]string{"a1": "a", "a2": "a", "b1": "b", "anon": "-"} {
			if err := ss.CommitCtx(ctx, tok, []byte(data), exp); err != nil {
				t.Fatal(err)
			}
		}
		var key string
		var user *int64
		if err := s.DB().QueryRow(rebind(s, `SELECT token_hash, user_id FROM sessions WHERE data = ?`), []byte("b")).Scan(&key, &user); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("b1"))
		if key != hex.EncodeToString(sum[:]) || user == nil || *user != bob {
			t.Fatalf("row = %q, user %v; want the SHA-256 of the token and user %d", key, user, bob)
		}
		if err := s.SetPassword(ctx, alice, "h2", false); err != nil {
			t.Fatal(err)
		}
		for tok, want := range map[string]bool{"a1": false, "a2": false, "b1": true, "anon": true} {
			if _, ok, _ := ss.FindCtx(ctx, tok); ok != want {
				t.Errorf("after alice's password change, session %s found = %v", tok, ok)
			}
		}
		u, _ := s.UserByID(ctx, alice)
		if u.SessionEpoch != 1 {
			t.Errorf("session epoch after a password change = %d, want 1", u.SessionEpoch)
		}
		if err := s.SetUserActive(ctx, bob, false); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := ss.FindCtx(ctx, "b1"); ok {
			t.Error("a disabled user's session survives")
		}
		if u, _ := s.UserByID(ctx, bob); u.SessionEpoch != 1 {
			t.Errorf("session epoch after deactivation = %d, want 1", u.SessionEpoch)
		}
	})
}

func rebind(s *store.Store, q string) string {
	if s.Engine() == store.Postgres {
		return q[:len(q)-1] + "$1"
	}
	return q
}

func TestAPIClientExpiryAndLastUse(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.System("test"))
		now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		id, err := s.CreateAPIClient(ctx, "SIH", "hash1", []string{"system/*.read"}, now.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.APIClientByHash(ctx, "hash1")
		if err != nil || c.ID != id || !c.ExpiresAt.Equal(now.AddDate(1, 0, 0)) || !c.LastUsedAt.IsZero() || c.Expired(now) {
			t.Fatalf("client = %+v, %v", c, err)
		}
		if !c.Expired(now.AddDate(1, 0, 0)) {
			t.Error("a token is still valid at its expiry")
		}
		now = now.Add(time.Hour)
		if err := s.TouchAPIClient(ctx, id); err != nil {
			t.Fatal(err)
		}
		list, _ := s.APIClients(ctx)
		if len(list) != 1 || !list[0].LastUsedAt.Equal(now) {
			t.Fatalf("last use = %+v", list)
		}
	})
}
