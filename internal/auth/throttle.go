package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"sync/atomic"
	"time"
)

// PairKey is the throttle key of one account (its normalised login) tried
// from one client address.
func PairKey(login, addr string) string { return "pair:" + keyPart(login) + "|" + AddrKey(addr) }

// AccountKey is the throttle key of one account, whatever the address.
func AccountKey(login string) string { return "account:" + keyPart(login) }

// keyPart keeps keys short whatever was typed as a login.
func keyPart(s string) string {
	if len(s) <= 64 {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// AddrKey is the form under which a client address is counted: IPv4 as is,
// IPv6 by its /64 (one subscriber's network), anything else as given.
func AddrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return keyPart(addr)
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}

// ErrBusy is returned by a Hasher that could not start a hash in time.
var ErrBusy = errors.New("auth: too many password checks at once")

// Hasher bounds argon2id: at most slots hashes run at once; a caller waits
// for a slot at most wait, and is refused at once when maxWaiting callers
// already wait. Each running hash holds about argonMemoryKiB of memory.
type Hasher struct {
	slots      chan struct{}
	wait       time.Duration
	maxWaiting int64
	waiting    atomic.Int64
	onHash     func()
}

// NewHasher returns a hasher with the given bounds; onHash, if not nil, is
// called inside each slot before hashing (tests count or hold hashes with it).
func NewHasher(slots int, wait time.Duration, maxWaiting int, onHash func()) *Hasher {
	slots = max(slots, 1)
	return &Hasher{slots: make(chan struct{}, slots), wait: wait, maxWaiting: int64(max(maxWaiting, 0)), onHash: onHash}
}

// Verify is VerifyPassword within the hasher's bounds; it returns ErrBusy
// without hashing when no slot frees in time.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	return VerifyPassword(hash, password)
}

// Hash is HashPassword within the hasher's bounds.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(password)
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		h.hashing()
		return nil
	default:
	}
	if h.waiting.Add(1) > h.maxWaiting {
		h.waiting.Add(-1)
		return ErrBusy
	}
	defer h.waiting.Add(-1)
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		h.hashing()
		return nil
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) hashing() {
	if h.onHash != nil {
		h.onHash()
	}
}

func (h *Hasher) release() { <-h.slots }
