package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAccountDelay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {AccountFreeFailures - 1, 0}, {AccountFreeFailures, BaseAccountDelay}, {AccountFreeFailures + 1, 2 * BaseAccountDelay},
		{AccountFreeFailures + 4, MaxAccountDelay}, {AccountFreeFailures + 400, MaxAccountDelay}}
	for _, c := range cases {
		if got := AccountDelay(c.failures); got != c.want {
			t.Errorf("AccountDelay(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestThrottleKeys(t *testing.T) {
	t.Parallel()
	cases := []struct{ addr, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"}, // the same network counts once
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
	}
	for _, c := range cases {
		if got := AddrKey(c.addr); got != c.want {
			t.Errorf("AddrKey(%q) = %q, want %q", c.addr, got, c.want)
		}
	}
	if PairKey("dr.x", "192.0.2.7") == PairKey("dr.x", "192.0.2.8") || PairKey("dr.x", "192.0.2.7") == PairKey("dr.y", "192.0.2.7") {
		t.Error("pair keys collide")
	}
	if k := AccountKey(strings.Repeat("x", 100_000)); len(k) > 100 {
		t.Errorf("a long login makes a %d-byte key", len(k))
	}
}

// TestHasherBoundsConcurrentHashes: never more than slots hashes at once,
// and a caller that cannot get a slot in time is told the server is busy.
func TestHasherBoundsConcurrentHashes(t *testing.T) {
	t.Parallel()
	var running, peak atomic.Int64
	release := make(chan struct{})
	h := NewHasher(2, time.Hour, 100, func() {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		running.Add(-1)
	})
	hash, _ := HashPassword("secret")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); h.Verify(context.Background(), hash, "wrong") }()
	}
	for running.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the others queue
	if peak.Load() != 2 {
		t.Fatalf("%d hashes at once, want 2", peak.Load())
	}
	close(release)
	wg.Wait()
	if peak.Load() != 2 {
		t.Fatalf("%d hashes at once, want 2", peak.Load())
	}
}

func TestHasherBusy(t *testing.T) {
	t.Parallel()
	hold, held := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	h := NewHasher(1, 10*time.Millisecond, 1, func() {
		if calls.Add(1) == 1 {
			close(held)
			<-hold
		}
	})
	hash, _ := HashPassword("secret")
	done := make(chan struct{})
	go func() { h.Verify(context.Background(), hash, "secret"); close(done) }()
	<-held
	if _, err := h.Verify(context.Background(), hash, "secret"); !errors.Is(err, ErrBusy) {
		t.Errorf("queue timeout: %v, want ErrBusy", err)
	}
	if _, err := h.Hash(context.Background(), "secret"); !errors.Is(err, ErrBusy) {
		t.Errorf("queue timeout on Hash: %v, want ErrBusy", err)
	}
	close(hold)
	<-done
	if ok, err := h.Verify(context.Background(), hash, "secret"); !ok || err != nil {
		t.Errorf("free hasher: %v, %v", ok, err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d hashes ran, want 2 (refused callers must not hash)", calls.Load())
	}
}

func TestHasherRefusesWhenTooManyWait(t *testing.T) {
	t.Parallel()
	hold, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := NewHasher(1, time.Hour, 1, func() { once.Do(func() { close(held); <-hold }) })
	hash, _ := HashPassword("secret")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.Verify(context.Background(), hash, "x") }()
	<-held
	wg.Add(1)
	go func() { defer wg.Done(); h.Verify(context.Background(), hash, "x") }() // the one allowed to wait
	for h.waiting.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if _, err := h.Verify(context.Background(), hash, "x"); !errors.Is(err, ErrBusy) || time.Since(start) > time.Minute {
		t.Errorf("a caller beyond the queue: %v", err)
	}
	close(hold)
	wg.Wait()
}
