package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"repere/internal/audit"
)

// APIClient is a system allowed to use the FHIR API with its scopes, until
// its token expires.
type APIClient struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedAt  time.Time
	CreatedBy  string
	Revoked    bool
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// Expired reports whether the client's token has expired at now.
func (c APIClient) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }

const apiClientColumns = `id, name, scopes, created_at, created_by, revoked, expires_at, last_used_at`

func scanAPIClient(row interface{ Scan(...any) error }) (APIClient, error) {
	var c APIClient
	var scopes string
	var lastUsed sql.NullTime
	err := row.Scan(&c.ID, &c.Name, &scopes, &c.CreatedAt, &c.CreatedBy, &c.Revoked, &c.ExpiresAt, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Scopes = strings.Fields(scopes)
	c.LastUsedAt = lastUsed.Time
	return c, err
}

// CreateAPIClient records a client by the SHA-256 of its token, valid until expiresAt.
func (s *Store) CreateAPIClient(ctx context.Context, name, tokenHash string, scopes []string, expiresAt time.Time) (int64, error) {
	actor, _ := audit.ActorFrom(ctx)
	id, err := s.insert(ctx, s.db, `INSERT INTO api_clients (name, token_hash, scopes, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		name, tokenHash, strings.Join(scopes, " "), s.now(), actor.Login, expiresAt.UTC())
	if err != nil {
		return 0, err
	}
	return id, s.RecordEvent(ctx, actor, "create", "api_client", itoa64(id),
		name+": "+strings.Join(scopes, " ")+"; expires "+expiresAt.UTC().Format(time.RFC3339))
}

// APIClientByHash finds a client not revoked by the SHA-256 of its token
// (expired or not: the caller tells the client its token expired).
func (s *Store) APIClientByHash(ctx context.Context, tokenHash string) (APIClient, error) {
	return scanAPIClient(s.queryRow(ctx, s.db, `SELECT `+apiClientColumns+` FROM api_clients WHERE token_hash = ? AND revoked = ?`, tokenHash, false))
}

// TouchAPIClient records that a client used its token at the store's now.
func (s *Store) TouchAPIClient(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, s.db, `UPDATE api_clients SET last_used_at = ? WHERE id = ?`, s.now(), id)
	return err
}

// APIClients lists the clients, newest first.
func (s *Store) APIClients(ctx context.Context) ([]APIClient, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+apiClientColumns+` FROM api_clients ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIClient
	for rows.Next() {
		c, err := scanAPIClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeAPIClient stops a client's token from working.
func (s *Store) RevokeAPIClient(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `UPDATE api_clients SET revoked = ? WHERE id = ?`, true, id)
	if err := expectOne(res, err); err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(ctx)
	return s.RecordEvent(ctx, actor, "revoke", "api_client", itoa64(id), "")
}
