package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The dashboards read years of acts. To answer quickly without giving up
// exact figures, each closed calendar month (in the practice's time zone)
// has a snapshot in summary_months: the very rows DosedActs, ActivityOf
// and OutcomeActs would read for it, encoded (summary_codec.go). A read of
// [from, to) takes the snapshots of the months wholly inside it and reads
// the rest live (the partial months at its edges, the current month).
//
// Triggers on appointments, referrals, act_records and followup_scores
// append a summary_changes row with the start of the act concerned, on
// every write path. A snapshot is used only while no change falls in its
// month, checked in the reader's own transaction: a month written since
// its snapshot is read live until RefreshSummaries rebuilds it.

// summaryPiece is a part of a period: a snapshot, or a span read live.
type summaryPiece struct {
	from, to time.Time
	blob     []byte // nil: read [from, to) live
}

// summaryColumns are the snapshot columns, one per read.
const (
	summaryDosed    = "dosed"
	summaryActivity = "activity"
	summaryOutcomes = "outcomes"
)

// summaryPieces splits [from, to) into the snapshots of column that are
// current and the spans left to read live, in time order.
func (s *Store) summaryPieces(ctx context.Context, tx *sql.Tx, column string, from, to time.Time) ([]summaryPiece, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT m.month_start, m.month_end, m.`+column+` FROM summary_months m
		WHERE m.month_start >= ? AND m.month_end <= ? AND m.format = ?
		AND NOT EXISTS (SELECT 1 FROM summary_changes c WHERE c.at >= m.month_start AND c.at < m.month_end)
		ORDER BY m.month_start`, from, to, summaryFormat)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []summaryPiece
	cursor := from
	for rows.Next() {
		var p summaryPiece
		if err := rows.Scan(&p.from, &p.to, &p.blob); err != nil {
			return nil, err
		}
		if p.from.Before(cursor) { // months of another zone, not yet rebuilt
			continue
		}
		if p.from.After(cursor) {
			out = append(out, summaryPiece{from: cursor, to: p.from})
		}
		out = append(out, p)
		cursor = p.to
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if cursor.Before(to) {
		out = append(out, summaryPiece{from: cursor, to: to})
	}
	return out, nil
}

// capacityFor is the room to reserve for the rows of pieces: those of the
// snapshots and a margin for the spans read live (the partial months at
// the edges), so the rows are not copied again and again as they grow.
func capacityFor(pieces []summaryPiece) int {
	rows := 0
	for _, p := range pieces {
		rows += summaryRows(p.blob)
	}
	return rows + rows/8 + 1024
}

// summaryBatch is how many months one refresh transaction rebuilds at
// most: on SQLite the refresh holds the write lock, and the first refresh
// of years of data in one transaction would keep writers waiting past
// their busy timeout.
const summaryBatch = 6

// RefreshSummaries brings the month snapshots up to date: it rebuilds
// every closed month of loc, up to now, that has no snapshot or has changed
// since, and returns how many months it rebuilt. Each transaction
// (PostgreSQL: repeatable read, one consistent view; SQLite: a write
// transaction) rebuilds up to summaryBatch months and deletes the change
// rows it has seen in them, and only those: a change committed meanwhile
// stays, and its month stays live until the next refresh. Changes in the
// current month or later are deleted: those months are always read live.
func (s *Store) RefreshSummaries(ctx context.Context, loc *time.Location, now time.Time) (int, error) {
	total := 0
	for {
		months, more, err := s.refreshBatch(ctx, loc, now)
		total += months
		if err != nil || !more {
			return total, err
		}
	}
}

// refreshBatch runs one refresh transaction; more: months are left to do.
func (s *Store) refreshBatch(ctx context.Context, loc *time.Location, now time.Time) (int, bool, error) {
	opts := &sql.TxOptions{}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	if s.engine == Postgres {
		// Several instances refresh in turn, not together.
		var mine bool
		if err := s.queryRow(ctx, tx, `SELECT pg_try_advisory_xact_lock(5100051)`).Scan(&mine); err != nil || !mine {
			return 0, false, err
		}
	}
	batch := summaryBatch
	if s.refreshBatchSize > 0 {
		batch = s.refreshBatchSize
	}
	months, more, err := s.refreshMonths(ctx, tx, loc, now, batch)
	if err != nil {
		return 0, false, err
	}
	if len(months) > 0 {
		if err := s.audited(ctx, tx, "summarise", "activity", "", 0, itoa64(int64(len(months)))+" months"); err != nil {
			return 0, false, err
		}
	}
	return len(months), more, tx.Commit()
}

// refreshMonths rebuilds up to limit of the months RefreshSummaries must,
// deletes the changes it has seen but in the months left for later, and
// returns the months rebuilt and whether some are left.
func (s *Store) refreshMonths(ctx context.Context, tx *sql.Tx, loc *time.Location, now time.Time, limit int) ([]time.Time, bool, error) {
	// audited by the caller
	var seen int64
	if err := s.queryRow(ctx, tx, `SELECT COALESCE(MAX(id), 0) FROM summary_changes`).Scan(&seen); err != nil {
		return nil, false, err
	}
	todo, err := s.staleMonths(ctx, tx, loc, now, seen)
	if err != nil {
		return nil, false, err
	}
	rebuilt := todo[:min(limit, len(todo))]
	for _, month := range rebuilt {
		if err := s.buildMonth(ctx, tx, month.UTC(), month.AddDate(0, 1, 0).UTC(), loc.String()); err != nil {
			return nil, false, err
		}
	}
	if s.refreshPause != nil {
		s.refreshPause()
	}
	if len(rebuilt) == len(todo) {
		_, err = s.exec(ctx, tx, `DELETE FROM summary_changes WHERE id <= ?`, seen)
		return rebuilt, false, err
	}
	// Months are left: their changes stay, to be seen by the next batch.
	if _, err := s.exec(ctx, tx, `DELETE FROM summary_changes WHERE id <= ? AND at >= ?`, seen, monthOf(now, loc).UTC()); err != nil {
		return nil, false, err
	}
	for _, month := range rebuilt {
		if _, err := s.exec(ctx, tx, `DELETE FROM summary_changes WHERE id <= ? AND at >= ? AND at < ?`,
			seen, month.UTC(), month.AddDate(0, 1, 0).UTC()); err != nil {
			return nil, false, err
		}
	}
	return rebuilt, true, nil
}

// staleMonths lists the closed months, from the first act's, that have no
// snapshot or a change among those up to seen.
func (s *Store) staleMonths(ctx context.Context, tx *sql.Tx, loc *time.Location, now time.Time, seen int64) ([]time.Time, error) {
	// audited by the caller
	var first sql.NullTime
	err := s.queryRow(ctx, tx, `SELECT starts_at FROM appointments ORDER BY starts_at LIMIT 1`).Scan(&first)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// Snapshots of another zone or encoding are dropped, then rebuilt.
	if _, err := s.exec(ctx, tx, `DELETE FROM summary_months WHERE zone <> ? OR format <> ?`, loc.String(), summaryFormat); err != nil {
		return nil, err
	}
	built, err := s.builtMonths(ctx, tx)
	if err != nil {
		return nil, err
	}
	changed, err := s.changedMonths(ctx, tx, loc, seen)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	current := monthOf(now, loc)
	for month := monthOf(first.Time, loc); first.Valid && month.Before(current); month = month.AddDate(0, 1, 0) {
		if key := month.UTC().Unix(); !built[key] || changed[key] {
			out = append(out, month)
		}
	}
	return out, nil
}

// changedMonths returns the months (keyed as builtMonths) of the changes
// up to seen, in one statement however many months the practice has (one
// query per month before).
func (s *Store) changedMonths(ctx context.Context, tx *sql.Tx, loc *time.Location, seen int64) (map[int64]bool, error) {
	// audited by the caller
	// A change's month is the practice's (loc), which SQL cannot tell on
	// SQLite: the distinct minutes are read and placed here (every zone's
	// offset is whole minutes; Marquesas is 9 h 30 behind UTC).
	minute := `strftime('%Y-%m-%dT%H:%M:00Z', at)`
	if s.engine == Postgres {
		minute = `date_trunc('minute', at)`
	}
	rows, err := s.query(ctx, tx, `SELECT DISTINCT `+minute+` FROM summary_changes WHERE id <= ?`, seen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var at time.Time
		if s.engine == Postgres {
			if err := rows.Scan(&at); err != nil {
				return nil, err
			}
		} else {
			var text string
			if err := rows.Scan(&text); err != nil {
				return nil, err
			}
			if at, err = time.Parse(time.RFC3339, text); err != nil {
				return nil, err
			}
		}
		out[monthOf(at, loc).UTC().Unix()] = true
	}
	return out, rows.Err()
}

func (s *Store) builtMonths(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT month_start FROM summary_months`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var start time.Time
		if err := rows.Scan(&start); err != nil {
			return nil, err
		}
		out[start.Unix()] = true
	}
	return out, rows.Err()
}

// buildMonth writes the snapshot of [from, to) from the live reads.
func (s *Store) buildMonth(ctx context.Context, tx *sql.Tx, from, to time.Time, zone string) error {
	// audited by the caller
	dosed, err := s.dosedActsLive(ctx, tx, from, to, nil)
	if err != nil {
		return err
	}
	acts, err := s.activityActsLive(ctx, tx, from, to, nil)
	if err != nil {
		return err
	}
	outcomes, err := s.outcomeActsLive(ctx, tx, from, to, nil)
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, tx, `DELETE FROM summary_months WHERE month_start = ?`, from); err != nil {
		return err
	}
	_, err = s.exec(ctx, tx, `INSERT INTO summary_months (month_start, month_end, zone, format, dosed, activity, outcomes, built_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, from, to, zone, summaryFormat, encodeDosed(dosed), encodeActivity(acts), encodeOutcomes(outcomes), s.now())
	return err
}

// monthOf is the first instant of t's calendar month in loc.
func monthOf(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}
