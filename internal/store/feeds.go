package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// Feed is an iCalendar subscription to a room's or a radiologist's appointments.
type Feed struct {
	ID           int64
	ResourceKind string // room or radiologist
	ResourceID   int64
	CreatedAt    time.Time
	CreatedBy    string
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateFeed makes a new subscription and returns its secret token, which is
// shown once: only its SHA-256 is stored.
func (s *Store) CreateFeed(ctx context.Context, kind string, resourceID int64, createdBy string) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	_, err := s.insert(ctx, s.db, `INSERT INTO calendar_feeds (token_hash, resource_kind, resource_id, created_at, created_by, revoked) VALUES (?, ?, ?, ?, ?, ?)`,
		tokenHash(token), kind, resourceID, s.now(), createdBy, false)
	return token, err
}

// FeedByToken finds the live subscription of a token.
func (s *Store) FeedByToken(ctx context.Context, token string) (Feed, error) {
	var f Feed
	err := s.queryRow(ctx, s.db, `SELECT id, resource_kind, resource_id, created_at, created_by FROM calendar_feeds WHERE token_hash = ? AND revoked = ?`,
		tokenHash(token), false).Scan(&f.ID, &f.ResourceKind, &f.ResourceID, &f.CreatedAt, &f.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// Feeds lists the live subscriptions.
func (s *Store) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, resource_kind, resource_id, created_at, created_by FROM calendar_feeds WHERE revoked = ? ORDER BY id`, false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var f Feed
		if err := rows.Scan(&f.ID, &f.ResourceKind, &f.ResourceID, &f.CreatedAt, &f.CreatedBy); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RevokeFeed ends a subscription: its link stops working at once.
func (s *Store) RevokeFeed(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `UPDATE calendar_feeds SET revoked = ? WHERE id = ?`, true, id)
	return expectOne(res, err)
}
