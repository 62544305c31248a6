// Package auth knows the people who sign in to Repère: their roles, how their
// passwords are hashed (argon2id) and how repeated failures slow an attacker.
//
// # Sign-in throttling
//
// Every password check is an argon2id hash (19 MiB, tens of milliseconds of
// one core), so checks are bounded and counted before they run:
//
//   - Hashing runs through a [Hasher]: at most a few hashes at once (half the
//     cores by default, at least one); a request that waits longer than the hasher's queue
//     timeout, or finds too many requests already waiting, is answered "server
//     busy, retry" (503 with Retry-After) without hashing. Unknown logins are
//     checked against a dummy hash through the same hasher, so they cost what
//     a known login costs (no enumeration by timing) and no more.
//
//   - Per (account, client address) — [PairKey]: an attempt is reserved in
//     the database (an atomic increment) before its password is hashed. The
//     first [FreeFailures] attempts are free; the attempt that reaches the
//     limit locks the pair for [BaseLock], doubling with each further attempt
//     up to [MaxLock] ([LockFor]). While the pair is locked, attempts are
//     refused without hashing and without counting. Since the count is taken
//     before hashing, 25 wrong passwords sent at once from one address get at
//     most FreeFailures hashes. A success clears the pair. The lock holds for
//     that pair only: the attacker's address never locks the owner signing in
//     from another address, and no address-wide lock exists (behind a reverse
//     proxy or a practice's NAT everyone shares one address; the client
//     address is read from X-Forwarded-For only through configured trusted
//     proxies). An IPv6 client counts by its /64, which one attacker holds whole.
//
//   - Per account, whatever the address — [AccountKey]: hashed failures are
//     counted; beyond [AccountFreeFailures], every further password check of
//     the account waits [AccountDelay] first, doubling from [BaseAccountDelay]
//     to [MaxAccountDelay]. The wait is never a refusal: the owner, from any
//     address, is at most MaxAccountDelay slower while an attack spreads over
//     many addresses, and always gets their password checked. The waiting
//     request holds no hashing slot. A success clears the account's count.
//
//   - Counts kept in the database hold across instances (SQLite and
//     PostgreSQL); a count not touched for [ThrottleMemory] starts again.
//
// What this does not do: against an attacker holding many addresses, each
// address gets its own FreeFailures and lock schedule; the global bound is
// the hasher (a few checks per second per core), and the account delay makes
// each of those guesses slower, never locks the account.
package auth

import (
	"fmt"
	"time"
)

// Role is what a user does in the practice; pages and API calls check it.
type Role string

const (
	Admin        Role = "admin"
	Secretary    Role = "secretary"
	Radiographer Role = "radiographer"
	Radiologist  Role = "radiologist"
	Referrer     Role = "referrer"
	Patient      Role = "patient"
)

// Roles lists every role, staff first.
var Roles = []Role{Admin, Secretary, Radiographer, Radiologist, Referrer, Patient}

// Staff are the roles working inside the practice.
var Staff = []Role{Admin, Secretary, Radiographer, Radiologist}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (one of admin, secretary, radiographer, radiologist, referrer, patient)", s)
}

// In reports whether r is one of roles.
func (r Role) In(roles ...Role) bool {
	for _, x := range roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID                 int64
	Login              string
	DisplayName        string
	Email              string
	Role               Role
	PasswordHash       string
	MustChangePassword bool
	Active             bool
	CreatedAt          time.Time
	// SessionEpoch is raised whenever the user's sessions are revoked
	// (password change or reset, deactivation); a session signed in under
	// another value is over.
	SessionEpoch int64
}

// Brute-force policy (see the package documentation).
const (
	// FreeFailures attempts per (account, address) before its lock.
	FreeFailures = 5
	// BaseLock is the pair's first lock, doubled per further attempt up to MaxLock.
	BaseLock = 30 * time.Second
	MaxLock  = 30 * time.Minute
	// AccountFreeFailures failed checks of one account, from any address,
	// before its checks are delayed.
	AccountFreeFailures = 10
	// BaseAccountDelay is the first delay, doubled per further failure up to MaxAccountDelay.
	BaseAccountDelay = 250 * time.Millisecond
	MaxAccountDelay  = 4 * time.Second
	// ThrottleMemory: a count not touched for this long starts again.
	ThrottleMemory = 24 * time.Hour
)

// AccountDelay returns how long a password check of an account waits after
// failures failed checks of it.
func AccountDelay(failures int) time.Duration {
	if failures < AccountFreeFailures {
		return 0
	}
	d := BaseAccountDelay
	for i := AccountFreeFailures; i < failures && d < MaxAccountDelay; i++ {
		d *= 2
	}
	return min(d, MaxAccountDelay)
}

// LockFor returns how long a key stays locked after its n-th consecutive failure.
func LockFor(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	d := BaseLock
	for i := free; i < failures && d < MaxLock; i++ {
		d *= 2
	}
	if d > MaxLock {
		d = MaxLock
	}
	return d
}

// MinPasswordLength is the shortest password a user may choose.
const MinPasswordLength = 12
