package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limit caps the attempts counted under one key over a fixed window: at most
// Max attempts from the window's first attempt until Window later.
type Limit struct {
	Key    string // what is counted, e.g. "portal-verify:addr:192.0.2.7"
	Max    int
	Window time.Duration
}

// LockedError is returned when a limit is spent: nothing was counted or
// checked, and the key opens again at Until.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "store: too many attempts, locked until " + e.Until.UTC().Format(time.RFC3339)
}

// TakeAttempt counts one attempt under every limit, in one transaction,
// before the caller checks anything. When one of them is already spent it
// counts nothing and returns a *LockedError.
func (s *Store) TakeAttempt(ctx context.Context, limits ...Limit) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.takeAttempt(ctx, tx, limits) })
}

// takeAttempt counts an attempt under each limit with one upsert per key,
// which holds the key's row until the transaction ends: parallel attempts
// on a key (on any instance) wait for each other and see each other's
// count. Keys are taken in a fixed order, so two attempts never deadlock.
// The caller's transaction must be rolled back on a *LockedError.
func (s *Store) takeAttempt(ctx context.Context, tx *sql.Tx, limits []Limit) error {
	limits = slices.SortedFunc(slices.Values(limits), func(a, b Limit) int { return strings.Compare(a.Key, b.Key) })
	now := s.now().UTC().Truncate(time.Second)
	var until time.Time
	for _, l := range limits {
		expired := now.Add(-l.Window)
		var hits int
		err := s.queryRow(ctx, tx, `INSERT INTO attempt_counts (key, window_start, hits) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
				hits = CASE WHEN attempt_counts.window_start <= ? THEN 1 ELSE attempt_counts.hits + 1 END,
				window_start = CASE WHEN attempt_counts.window_start <= ? THEN excluded.window_start ELSE attempt_counts.window_start END
			RETURNING hits`, l.Key, now, expired, expired).Scan(&hits)
		if err != nil {
			return fmt.Errorf("count attempt: %w", err)
		}
		if hits <= l.Max {
			continue
		}
		var start time.Time
		if err := s.queryRow(ctx, tx, `SELECT window_start FROM attempt_counts WHERE key = ?`, l.Key).Scan(&start); err != nil {
			return fmt.Errorf("count attempt: %w", err)
		}
		if end := start.Add(l.Window); end.After(until) {
			until = end
		}
	}
	if !until.IsZero() {
		return &LockedError{Until: until}
	}
	return nil
}

// giveBack returns the attempt just counted under each limit: the answer was
// right, and only wrong answers should count.
func (s *Store) giveBack(ctx context.Context, tx *sql.Tx, limits []Limit) error {
	for _, l := range limits {
		if _, err := s.exec(ctx, tx, `UPDATE attempt_counts SET hits = hits - 1 WHERE key = ? AND hits > 0`, l.Key); err != nil {
			return err
		}
	}
	return nil
}

// DeleteStaleAttempts forgets counts whose window started before the given
// time (longer ago than any window in use).
func (s *Store) DeleteStaleAttempts(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, s.db, `DELETE FROM attempt_counts WHERE window_start < ?`, before.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
