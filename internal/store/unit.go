package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"repere/internal/audit"
)

// A unit of work is one transaction carried in the context for a whole
// request or entry point: every store method called with that context joins
// it instead of opening its own, so a page that calls ten store methods costs
// one BEGIN/COMMIT and one audit INSERT rather than ten of each.
//
// ReadUnit is for reads (a page, a worklist query). Its audit entries are
// kept in memory and written together when the unit ends:
//   - on PostgreSQL in the unit's own transaction, just before COMMIT;
//   - on SQLite the reads run in a deferred (read-only) transaction that
//     never takes the write lock, so readers do not queue behind each other
//     or behind writers; the audit entries are then appended in one short
//     write transaction.
//
// Either way ReadUnit returns only once the audit is committed, and its
// error otherwise: the caller sends its answer after that (the web layer
// buffers the response), so no answer leaves without its audit entry.
//
// On SQLite the read transaction runs with PRAGMA query_only, so a method
// that writes anything but audit entries fails loudly inside a read unit
// rather than upgrading the lock; such methods use inOwnTx.
type unit struct {
	store    *Store
	tx       *sql.Tx
	mu       sync.Mutex
	pending  []pendingAudit
	readOnly bool
}

type pendingAudit struct {
	at                               time.Time
	actor                            audit.Actor
	action, entity, entityID, detail string
	patientID                        int64
}

type unitKey struct{}

// unitOf returns the unit of work ctx carries for this store, if any.
func (s *Store) unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	if u == nil || u.store != s {
		return nil
	}
	return u
}

// InUnit reports whether ctx carries a unit of work of this store.
func (s *Store) InUnit(ctx context.Context) bool { return s.unitOf(ctx) != nil }

// ReadUnit runs fn with a context carrying one read transaction that every
// store method called with it joins; the audit entries they record are
// committed before ReadUnit returns (see unit). Nested calls join the
// outer unit.
func (s *Store) ReadUnit(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.unitOf(ctx) != nil {
		return fn(ctx)
	}
	u := &unit{store: s, readOnly: s.engine == SQLite}
	if !u.readOnly {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		countTx(ctx)
		u.tx = tx
		if err := fn(context.WithValue(ctx, unitKey{}, u)); err != nil {
			tx.Rollback()
			return s.keepAuditOfFailedUnit(ctx, u, err)
		}
		if err := s.flushAudit(ctx, tx, u.pending); err != nil {
			tx.Rollback()
			if ctx.Err() != nil { // the client went away: the reads still get their trace
				return s.keepAuditOfFailedUnit(ctx, u, err)
			}
			return err
		}
		if err := tx.Commit(); err != nil {
			if ctx.Err() != nil {
				return s.keepAuditOfFailedUnit(ctx, u, err)
			}
			return err
		}
		return nil
	}
	if err := s.readOnSQLite(ctx, u, fn); err != nil {
		return s.keepAuditOfFailedUnit(ctx, u, err)
	}
	if len(u.pending) == 0 {
		return nil
	}
	// The reads happened: their audit is written even if the client has
	// gone meanwhile.
	bg := context.WithoutCancel(ctx)
	return s.inOwnTx(bg, func(wtx *sql.Tx) error { return s.flushAudit(bg, wtx, u.pending) })
}

// keepAuditOfFailedUnit writes the audit entries of a unit whose page
// failed after reading (a refused read, a missing row): what was read, or
// refused, stays traced. It returns the unit's error.
func (s *Store) keepAuditOfFailedUnit(ctx context.Context, u *unit, err error) error {
	if len(u.pending) == 0 {
		return err
	}
	bg := context.WithoutCancel(ctx) // a hung-up client must not lose the trace of what was read
	if flushErr := s.inOwnTx(bg, func(wtx *sql.Tx) error { return s.flushAudit(bg, wtx, u.pending) }); flushErr != nil {
		return errors.Join(err, flushErr)
	}
	return err
}

// readOnSQLite runs fn in a deferred transaction on a connection of its
// own set to query_only. The connection is held until query_only is lifted
// (even when ctx ends and database/sql rolls the transaction back), and is
// discarded if it cannot be lifted, so no connection goes back to the pool
// unable to write.
func (s *Store) readOnSQLite(ctx context.Context, u *unit, fn func(ctx context.Context) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		countStatement(ctx)
		if _, resetErr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = OFF`); resetErr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = resetErr
			}
		}
		conn.Close()
	}()
	countStatement(ctx)
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = ON`); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	countTx(ctx)
	u.tx = tx
	if err := fn(context.WithValue(ctx, unitKey{}, u)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// keep records an audit entry to be written when the unit ends.
func (u *unit) keep(e pendingAudit) {
	u.mu.Lock()
	u.pending = append(u.pending, e)
	u.mu.Unlock()
}

// flushAudit writes the entries in one INSERT (in chunks well under both
// engines' limits on bound parameters).
func (s *Store) flushAudit(ctx context.Context, tx querier, entries []pendingAudit) error {
	const perStatement = 100
	for len(entries) > 0 {
		chunk := entries[:min(perStatement, len(entries))]
		entries = entries[len(chunk):]
		var b strings.Builder
		b.WriteString(`INSERT INTO audit_log (at, actor_id, actor_login, actor_role, action, entity, entity_id, patient_id, remote_addr, detail) VALUES `)
		args := make([]any, 0, 10*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			var actorID, patient sql.NullInt64
			if e.actor.UserID != 0 {
				actorID = sql.NullInt64{Int64: e.actor.UserID, Valid: true}
			}
			if e.patientID != 0 {
				patient = sql.NullInt64{Int64: e.patientID, Valid: true}
			}
			args = append(args, e.at, actorID, e.actor.Login, e.actor.Role, e.action, e.entity, e.entityID, patient, e.actor.RemoteAddr, e.detail)
		}
		if _, err := s.exec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// inOwnTx runs fn in a transaction of its own even inside a unit of work:
// for the few writes a read may cause (sessions, attempt counters).
func (s *Store) inOwnTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	countTx(ctx)
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Counter counts the statements and transactions run with a context (one
// request's); see WithCounter.
type Counter struct {
	statements, transactions atomic.Int64
}

// Statements is the number of SQL statements run so far.
func (c *Counter) Statements() int64 { return c.statements.Load() }

// Transactions is the number of transactions begun so far.
func (c *Counter) Transactions() int64 { return c.transactions.Load() }

type counterKey struct{}

// WithCounter returns a context whose store calls are counted in c.
func WithCounter(ctx context.Context, c *Counter) context.Context {
	return context.WithValue(ctx, counterKey{}, c)
}

func countStatement(ctx context.Context) {
	if c, _ := ctx.Value(counterKey{}).(*Counter); c != nil {
		c.statements.Add(1)
	}
}

func countTx(ctx context.Context) {
	if c, _ := ctx.Value(counterKey{}).(*Counter); c != nil {
		c.transactions.Add(1)
	}
}
