package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"repere/internal/auth"
)

// ErrLoginTaken is returned when creating a user whose login exists.
var ErrLoginTaken = errors.New("login already taken")

const userColumns = `id, login, display_name, email, role, password_hash, must_change_password, active, created_at, session_epoch`

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var role string
	err := row.Scan(&u.ID, &u.Login, &u.DisplayName, &u.Email, &role, &u.PasswordHash, &u.MustChangePassword, &u.Active, &u.CreatedAt, &u.SessionEpoch)
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

// SetPassword replaces a user's password hash; mustChange forces a new one at
// next login. Every session of the user ends with the old password (the web
// layer renews the one that made the change).
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, session_epoch = session_epoch + 1 WHERE id = ?`,
			hash, mustChange, s.now(), userID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return revokeSessions(ctx, s, tx, userID)
	})
}

// SetUserActive enables or disables an account; disabling ends its sessions.
func (s *Store) SetUserActive(ctx context.Context, userID int64, active bool) error {
	if active {
		res, err := s.exec(ctx, s.db, `UPDATE users SET active = ? WHERE id = ?`, true, userID)
		return expectOne(res, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE users SET active = ?, session_epoch = session_epoch + 1 WHERE id = ?`, false, userID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return revokeSessions(ctx, s, tx, userID)
	})
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
