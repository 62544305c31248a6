package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"repere/internal/audit"
)

// APIClient is a system allowed to use the FHIR API with its scopes.
type APIClient struct {
	ID        int64
	Name      string
	Scopes    []string
	CreatedAt time.Time
	CreatedBy string
	Revoked   bool
}

// CreateAPIClient records a client by the SHA-256 of its token.
func (s *Store) CreateAPIClient(ctx context.Context, name, tokenHash string, scopes []string) (int64, error) {
	actor, _ := audit.ActorFrom(ctx)
	id, err := s.insert(ctx, s.db, `INSERT INTO api_clients (name, token_hash, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		name, tokenHash, strings.Join(scopes, " "), s.now(), actor.Login)
	if err != nil {
		return 0, err
	}
	return id, s.RecordEvent(ctx, actor, "create", "api_client", itoa64(id), name+": "+strings.Join(scopes, " "))
}

// APIClientByHash finds an active client by the SHA-256 of its token.
func (s *Store) APIClientByHash(ctx context.Context, tokenHash string) (APIClient, error) {
	var c APIClient
	var scopes string
	err := s.queryRow(ctx, s.db, `SELECT id, name, scopes, created_at, created_by, revoked FROM api_clients WHERE token_hash = ? AND revoked = ?`,
		tokenHash, false).Scan(&c.ID, &c.Name, &scopes, &c.CreatedAt, &c.CreatedBy, &c.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Scopes = strings.Fields(scopes)
	return c, err
}

// APIClients lists the clients, newest first.
func (s *Store) APIClients(ctx context.Context) ([]APIClient, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, scopes, created_at, created_by, revoked FROM api_clients ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIClient
	for rows.Next() {
		var c APIClient
		var scopes string
		if err := rows.Scan(&c.ID, &c.Name, &scopes, &c.CreatedAt, &c.CreatedBy, &c.Revoked); err != nil {
			return nil, err
		}
		c.Scopes = strings.Fields(scopes)
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
