package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"repere/internal/auth"
)

// LoginReservation is the answer to a sign-in attempt reserved before its
// password is checked (see package auth for the policy).
type LoginReservation struct {
	Allowed     bool      // the password may be checked
	Attempt     int       // the attempt's number for its key, when allowed
	LockedUntil time.Time // when refused: until when the key is locked
}

// ReserveLoginAttempt counts one attempt for key before the password is
// checked, atomically on both engines: while the key is locked the attempt
// is refused and not counted; otherwise it is counted and, when its number
// reaches free, the key is locked as auth.LockFor says, as if it failed (a
// success clears the key). So attempts sent at once cannot all be checked.
func (s *Store) ReserveLoginAttempt(ctx context.Context, key string, free int) (LoginReservation, error) {
	var r LoginReservation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		// On PostgreSQL the upsert locks the row until commit, and its WHERE
		// sees the latest committed lock; SQLite runs one writer at a time.
		err := s.queryRow(ctx, tx, `INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES (?, 1, ?, ?)
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN login_throttle.updated_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
				updated_at = excluded.updated_at
			WHERE login_throttle.locked_until <= ?
			RETURNING failures`, key, now, now, now.Add(-auth.ThrottleMemory), now).Scan(&r.Attempt)
		if errors.Is(err, sql.ErrNoRows) {
			r.Attempt = 0
			return s.queryRow(ctx, tx, `SELECT locked_until FROM login_throttle WHERE key = ?`, key).Scan(&r.LockedUntil)
		}
		if err != nil {
			return err
		}
		r.Allowed = true
		if lock := auth.LockFor(r.Attempt, free); lock > 0 {
			_, err = s.exec(ctx, tx, `UPDATE login_throttle SET locked_until = ? WHERE key = ?`, now.Add(lock), key)
		}
		return err
	})
	if err != nil {
		return LoginReservation{}, fmt.Errorf("reserve login attempt: %w", err)
	}
	return r, nil
}

// RefundLoginAttempt gives back an attempt reserved but never checked (the
// server was too busy to hash): it is uncounted and, if no attempt was
// reserved after it, the lock it set is lifted.
func (s *Store) RefundLoginAttempt(ctx context.Context, key string, attempt int) error {
	_, err := s.exec(ctx, s.db, `UPDATE login_throttle SET failures = failures - 1,
		locked_until = CASE WHEN failures = ? THEN ? ELSE locked_until END
		WHERE key = ? AND failures > 0`, attempt, s.now(), key)
	return err
}

// LoginFailures returns the failures counted for key (zero once forgotten).
func (s *Store) LoginFailures(ctx context.Context, key string) (int, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT failures FROM login_throttle WHERE key = ? AND updated_at >= ?`,
		key, s.now().Add(-auth.ThrottleMemory)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// CountLoginFailure adds one failure to key and returns the new count.
func (s *Store) CountLoginFailure(ctx context.Context, key string) (int, error) {
	now := s.now()
	var n int
	err := s.queryRow(ctx, s.db, `INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES (?, 1, ?, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.updated_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
			updated_at = excluded.updated_at
		RETURNING failures`, key, now, now, now.Add(-auth.ThrottleMemory)).Scan(&n)
	return n, err
}

// ClearLoginFailures forgets the counts of keys after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := s.exec(ctx, s.db, `DELETE FROM login_throttle WHERE key = ?`, k); err != nil {
			return err
		}
	}
	return nil
}

// DeleteStaleLoginCounts removes the counts neither locked nor touched for
// auth.ThrottleMemory (so logins sprayed at random do not pile up).
func (s *Store) DeleteStaleLoginCounts(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.exec(ctx, s.db, `DELETE FROM login_throttle WHERE updated_at < ? AND locked_until < ?`, now.Add(-auth.ThrottleMemory), now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
