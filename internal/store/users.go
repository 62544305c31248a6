package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"repere/internal/auth"
)

// ErrLoginTaken is returned when creating a user whose login exists.
var ErrLoginTaken = errors.New("login already taken")

const userColumns = `id, login, display_name, email, role, password_hash, must_change_password, active, created_at`

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var role string
	err := row.Scan(&u.ID, &u.Login, &u.DisplayName, &u.Email, &role, &u.PasswordHash, &u.MustChangePassword, &u.Active, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.Role = auth.Role(role)
	return u, err
}

// NormalizeLogin is the form under which logins are stored and looked up.
func NormalizeLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// CreateUser adds an account with an already hashed password.
func (s *Store) CreateUser(ctx context.Context, u auth.User) (int64, error) {
	now := s.now()
	id, err := s.insert(ctx, s.db, `INSERT INTO users (login, display_name, email, role, password_hash, must_change_password, active, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NormalizeLogin(u.Login), u.DisplayName, u.Email, string(u.Role), u.PasswordHash, u.MustChangePassword, true, now, now)
	if isUniqueViolation(err) {
		return 0, ErrLoginTaken
	}
	return id, err
}

// UserByLogin finds an account by login (case-insensitive).
func (s *Store) UserByLogin(ctx context.Context, login string) (auth.User, error) {
	return scanUser(s.queryRow(ctx, s.db, `SELECT `+userColumns+` FROM users WHERE login = ?`, NormalizeLogin(login)))
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	return scanUser(s.queryRow(ctx, s.db, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// ListUsers returns every account, by role then login.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	return s.users(ctx, `1=1 ORDER BY role, login`)
}

// Radiologists returns the active radiologist accounts, by name.
func (s *Store) Radiologists(ctx context.Context) ([]auth.User, error) {
	return s.users(ctx, `role = ? AND active = ? ORDER BY display_name`, string(auth.Radiologist), true)
}

// users returns the accounts matching a WHERE clause (with its ORDER BY).
func (s *Store) users(ctx context.Context, where string, args ...any) ([]auth.User, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+userColumns+` FROM users WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns the number of accounts.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SetPassword replaces a user's password hash; mustChange forces a new one at next login.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	res, err := s.exec(ctx, s.db, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?`,
		hash, mustChange, s.now(), userID)
	return expectOne(res, err)
}

// SetUserActive enables or disables an account.
func (s *Store) SetUserActive(ctx context.Context, userID int64, active bool) error {
	res, err := s.exec(ctx, s.db, `UPDATE users SET active = ? WHERE id = ?`, active, userID)
	return expectOne(res, err)
}

func expectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// LockedUntil returns until when a throttle key is locked (zero time if not).
func (s *Store) LockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until time.Time
	err := s.queryRow(ctx, s.db, `SELECT locked_until FROM login_throttle WHERE key = ?`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return until, err
}

// RecordLoginFailure counts a failure for key and locks it per the auth policy.
// It returns the new lock end (zero if the key stays open).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, freeFailures int) (time.Time, error) {
	var lockedUntil time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var failures int
		err := s.queryRow(ctx, tx, `SELECT failures FROM login_throttle WHERE key = ?`, key).Scan(&failures)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		failures++
		lockedUntil = now.Add(auth.LockFor(failures, freeFailures))
		_, err = s.exec(ctx, tx, `INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
			key, failures, lockedUntil, now)
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("record login failure: %w", err)
	}
	if !lockedUntil.After(s.now()) {
		return time.Time{}, nil
	}
	return lockedUntil, nil
}

// ClearLoginFailures forgets the failures of key after a successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM login_throttle WHERE key = ?`, key)
	return err
}
