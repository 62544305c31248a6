package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SessionStore keeps web sessions in the database, so every instance sees the
// same sessions. It implements scs.Store and scs.CtxStore.
type SessionStore struct{ s *Store }

// Sessions returns the session store backed by this database.
func (s *Store) Sessions() *SessionStore { return &SessionStore{s: s} }

// FindCtx returns the data of a live session.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := ss.s.queryRow(ctx, ss.s.db, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`, token, sessionNow()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// CommitCtx saves a session.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := ss.s.exec(ctx, ss.s.db, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
	return err
}

// DeleteCtx removes a session.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := ss.s.exec(ctx, ss.s.db, `DELETE FROM sessions WHERE token = ?`, token)
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

// DeleteExpired removes expired sessions; serve runs it periodically.
func (ss *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := ss.s.exec(ctx, ss.s.db, `DELETE FROM sessions WHERE expiry <= ?`, sessionNow())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sessionNow is the machine's time: scs sets session deadlines from its own
// time.Now, so expiry is compared on that clock, not the practice's (which
// tests may start on another day).
func sessionNow() time.Time { return time.Now().UTC() }
