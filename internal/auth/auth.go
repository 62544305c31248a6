// Package auth knows the people who sign in to Repère: their roles, how their
// passwords are hashed (argon2id) and how repeated failures slow an attacker.
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
}

// Brute-force policy: after FreeFailures wrong passwords for one login (or
// FreeFailuresPerAddr from one address), each further failure locks the key
// for a doubling delay, from BaseLock up to MaxLock. A success clears the login's counter.
const (
	FreeFailures        = 5
	FreeFailuresPerAddr = 20
	BaseLock            = 30 * time.Second
	MaxLock             = 30 * time.Minute
)

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
