package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// SessionStore keeps web sessions in the database, so every instance sees the
// same sessions. It implements scs.Store and scs.CtxStore: scs hands it the
// raw session token, and only the token's SHA-256 is stored, so a copy of the
// database (a backup) opens no session. Each row also holds the session's
// user, so that all of a user's sessions can be revoked.
//
// With an idle timeout, scs commits the session after every request only to
// push its expiry on: a write transaction per page view (on SQLite it takes
// the write lock, on PostgreSQL a WAL flush). CommitCtx skips such a commit
// when this store wrote the same data less than touchEvery ago; a session
// left idle then ends up to touchEvery before its idle timeout. Any change
// of the data is written at once.
type SessionStore struct {
	s      *Store
	userOf func(data []byte) int64

	mu      sync.Mutex
	written map[string]sessionWrite // by token hash: what this store last wrote
}

// sessionWrite is a session as this store last committed it.
type sessionWrite struct {
	data   [sha256.Size]byte
	expiry time.Time
}

// touchEvery is how long an unchanged session's expiry may lag.
const touchEvery = time.Minute

// maxRemembered bounds the writes a store remembers (then it forgets them
// all and writes each session once more).
const maxRemembered = 50_000

// Sessions returns the session store backed by this database; its rows hold
// no user (see WithUser).
func (s *Store) Sessions() *SessionStore {
	return &SessionStore{s: s, written: map[string]sessionWrite{}}
}

// WithUser returns a session store that records, with each session, the user
// id userOf reads from the session's data (0: none), as revokeSessions needs.
func (ss *SessionStore) WithUser(userOf func(data []byte) int64) *SessionStore {
	return &SessionStore{s: ss.s, userOf: userOf, written: map[string]sessionWrite{}}
}

// sessionKey is what the table holds of a token: its hex SHA-256.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FindCtx returns the data of a live session.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := ss.s.queryRow(ctx, ss.s.db, `SELECT data FROM sessions WHERE token_hash = ? AND expiry > ?`, sessionKey(token), sessionNow()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// CommitCtx saves a session, unless only its expiry moved, by less than
// touchEvery, since this store wrote it.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	key, w := sessionKey(token), sessionWrite{data: sha256.Sum256(b), expiry: expiry}
	ss.mu.Lock()
	last, known := ss.written[key]
	ss.mu.Unlock()
	if known && last.data == w.data && !expiry.Before(last.expiry) && expiry.Sub(last.expiry) < touchEvery {
		return nil
	}
	if err := ss.commit(ctx, key, b, expiry); err != nil {
		ss.forget(key)
		return err
	}
	ss.mu.Lock()
	if len(ss.written) >= maxRemembered {
		clear(ss.written)
	}
	ss.written[key] = w
	ss.mu.Unlock()
	return nil
}

func (ss *SessionStore) forget(key string) {
	ss.mu.Lock()
	delete(ss.written, key)
	ss.mu.Unlock()
}

func (ss *SessionStore) commit(ctx context.Context, key string, b []byte, expiry time.Time) error {
	var user sql.NullInt64
	if ss.userOf != nil {
		if id := ss.userOf(b); id > 0 {
			user = sql.NullInt64{Int64: id, Valid: true}
		}
	}
	_, err := ss.s.exec(ctx, ss.s.db, `INSERT INTO sessions (token_hash, user_id, data, expiry) VALUES (?, ?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expiry = excluded.expiry`,
		key, user, b, expiry.UTC())
	return err
}

// DeleteCtx removes a session.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	ss.forget(sessionKey(token))
	_, err := ss.s.exec(ctx, ss.s.db, `DELETE FROM sessions WHERE token_hash = ?`, sessionKey(token))
	return err
}

func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

func (ss *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

func (ss *SessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes expired sessions; serve runs it periodically. The
// store forgets the writes of the sessions expired too.
func (ss *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	now := sessionNow()
	ss.mu.Lock()
	for key, w := range ss.written {
		if !w.expiry.After(now) {
			delete(ss.written, key)
		}
	}
	ss.mu.Unlock()
	res, err := ss.s.exec(ctx, ss.s.db, `DELETE FROM sessions WHERE expiry <= ?`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// revokeSessions ends every session of a user, in the caller's transaction
// (a password change, a reset, a deactivation). A request of that user in
// flight may still write its session back: the user's session epoch, raised
// in the same transaction, makes the web layer refuse it.
func revokeSessions(ctx context.Context, s *Store, tx *sql.Tx, userID int64) error {
	_, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// sessionNow is the machine's time: scs sets session deadlines from its own
// time.Now, so expiry is compared on that clock, not the practice's (which
// tests may start on another day).
func sessionNow() time.Time { return time.Now().UTC() }
