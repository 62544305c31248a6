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
	Backend    bool      // a SMART backend client, registered with its public keys
}

// Expired reports whether the client's token has expired at now.
func (c APIClient) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }

const apiClientColumns = `id, name, scopes, created_at, created_by, revoked, expires_at, last_used_at, jwks <> ''`

func scanAPIClient(row interface{ Scan(...any) error }) (APIClient, error) {
	var c APIClient
	var scopes string
	var lastUsed sql.NullTime
	err := row.Scan(&c.ID, &c.Name, &scopes, &c.CreatedAt, &c.CreatedBy, &c.Revoked, &c.ExpiresAt, &lastUsed, &c.Backend)
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

// CreateBackendClient records a SMART backend client by its public keys
// (a JWKS); it has no static token (a random hash no one knows stands in).
func (s *Store) CreateBackendClient(ctx context.Context, name, jwks, unusedTokenHash string, scopes []string, expiresAt time.Time) (int64, error) {
	actor, _ := audit.ActorFrom(ctx)
	id, err := s.insert(ctx, s.db, `INSERT INTO api_clients (name, token_hash, scopes, created_at, created_by, expires_at, jwks) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		name, unusedTokenHash, strings.Join(scopes, " "), s.now(), actor.Login, expiresAt.UTC(), jwks)
	if err != nil {
		return 0, err
	}
	return id, s.RecordEvent(ctx, actor, "create", "api_client", itoa64(id),
		name+" (SMART backend, keys registered): "+strings.Join(scopes, " ")+"; expires "+expiresAt.UTC().Format(time.RFC3339))
}

// BackendClient returns a client not revoked with registered keys.
func (s *Store) BackendClient(ctx context.Context, id int64) (APIClient, string, error) {
	var jwks string
	row := s.queryRow(ctx, s.db, `SELECT `+apiClientColumns+`, jwks FROM api_clients WHERE id = ? AND revoked = ? AND jwks <> ''`, id, false)
	c, err := scanAPIClient(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &jwks)...) }))
	return c, jwks, err
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UseAssertion records a client's assertion id until it expires; a second
// use is ErrAssertionReplayed. Expired ones are forgotten.
func (s *Store) UseAssertion(ctx context.Context, clientID int64, jti string, expiresAt time.Time) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM api_assertions WHERE expires_at < ?`, s.now()); err != nil {
		return err
	}
	_, err := s.exec(ctx, s.db, `INSERT INTO api_assertions (client_id, jti, expires_at) VALUES (?, ?, ?)`, clientID, jti, expiresAt.UTC())
	if isUniqueViolation(err) {
		return ErrAssertionReplayed
	}
	return err
}

// ErrAssertionReplayed is UseAssertion's answer to a jti already used.
var ErrAssertionReplayed = errors.New("store: assertion already used")

// IssueAccessToken records an access token by its SHA-256; expired ones are deleted.
func (s *Store) IssueAccessToken(ctx context.Context, clientID int64, tokenHash string, scopes []string, expiresAt time.Time) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM api_access_tokens WHERE expires_at < ?`, s.now()); err != nil {
		return err
	}
	if _, err := s.exec(ctx, s.db, `INSERT INTO api_access_tokens (token_hash, client_id, scopes, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, clientID, strings.Join(scopes, " "), expiresAt.UTC()); err != nil {
		return err
	}
	actor := audit.Actor{Login: "fhir:" + itoa64(clientID), Role: "fhir_client"}
	return s.RecordEvent(ctx, actor, "token", "api_client", itoa64(clientID), "access token until "+expiresAt.UTC().Format(time.RFC3339)+": "+strings.Join(scopes, " "))
}

// AccessToken finds an issued access token's client (not revoked) and
// scopes, with the token's expiry.
func (s *Store) AccessToken(ctx context.Context, tokenHash string) (APIClient, error) {
	var scopes string
	var expires time.Time
	row := s.queryRow(ctx, s.db, `SELECT c.id, c.name, t.scopes, t.expires_at FROM api_access_tokens t JOIN api_clients c ON c.id = t.client_id
		WHERE t.token_hash = ? AND c.revoked = ?`, tokenHash, false)
	var c APIClient
	err := row.Scan(&c.ID, &c.Name, &scopes, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Scopes, c.ExpiresAt = strings.Fields(scopes), expires
	return c, err
}
