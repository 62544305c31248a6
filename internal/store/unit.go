package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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
	store   *Store
	tx      *sql.Tx
	mu      sync.Mutex
	pending []pendingAudit
	// written are entries a statement of the unit has already inserted
	// (see takePending): lost with the transaction if it rolls back, so
	// written again then.
	written  []pendingAudit
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
		return s.runUnit(ctx, u, fn)
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

// WriteUnit runs fn with a context carrying one write transaction that
// every store method called with it joins: a use case that reads, checks and
// then writes (a booking) costs one BEGIN/COMMIT, and its reads see the
// state its writes are checked against. Audit entries are kept as in a read
// unit and committed with the writes. On SQLite the transaction holds the
// write lock from its start, so fn must not wait on anything slow (password
// hashing, mail, SMS) nor write through inOwnTx (it would wait for the lock
// the unit holds). Nested calls join the outer unit; inside a read unit
// WriteUnit fails.
func (s *Store) WriteUnit(ctx context.Context, fn func(ctx context.Context) error) error {
	if u := s.unitOf(ctx); u != nil {
		if u.readOnly {
			return errors.New("store: write unit inside a read unit")
		}
		return fn(ctx)
	}
	return s.runUnit(ctx, &unit{store: s}, fn)
}

// runUnit runs fn in one transaction of u, flushes its audit entries and
// commits; on a failure the audit entries of what was read are still kept.
func (s *Store) runUnit(ctx context.Context, u *unit, fn func(ctx context.Context) error) error {
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

// keepAuditOfFailedUnit writes the audit entries of the reads of a unit
// that failed (a refused read, a missing row, a refused booking): what was
// read, or refused, stays traced. The entries of its writes are not: they
// were rolled back with the unit. It returns the unit's error.
func (s *Store) keepAuditOfFailedUnit(ctx context.Context, u *unit, err error) error {
	var entries []pendingAudit
	for _, e := range append(u.written, u.pending...) { // what the unit wrote was rolled back with it
		if readActions[e.action] {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return err
	}
	bg := context.WithoutCancel(ctx) // a hung-up client must not lose the trace of what was read
	if flushErr := s.inOwnTx(bg, func(wtx *sql.Tx) error { return s.flushAudit(bg, wtx, entries) }); flushErr != nil {
		return errors.Join(err, flushErr)
	}
	return err
}

// readOnSQLite runs fn in a deferred transaction on a connection of the
// read pool, whose connections are query_only: a write in a read unit fails.
func (s *Store) readOnSQLite(ctx context.Context, u *unit, fn func(ctx context.Context) error) error {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
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

// readActions are the audit actions of reads: the entries a failed unit
// still writes.
var readActions = map[string]bool{"read": true, "list": true, "count": true, "search": true, "export": true, "read_refused": true}

// keep records an audit entry to be written when the unit ends.
func (u *unit) keep(e pendingAudit) {
	u.mu.Lock()
	u.pending = append(u.pending, e)
	u.mu.Unlock()
}

// takePending hands up to n of the unit's audit entries to a caller that
// inserts them in one of its own statements (see bookOnPostgres), saving
// the unit's INSERT at its end; they are written again if the unit fails,
// and the caller puts them back if its statement is undone.
func (u *unit) takePending(n int) []pendingAudit {
	u.mu.Lock()
	defer u.mu.Unlock()
	taken := slices.Clone(u.pending[:min(n, len(u.pending))])
	u.pending = slices.Delete(u.pending, 0, len(taken))
	u.written = append(u.written, taken...)
	return taken
}

// putBack returns entries taken by takePending whose statement was undone
// (rolled back to a savepoint): the unit writes them at its end.
func (u *unit) putBack(taken []pendingAudit) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.written = u.written[:len(u.written)-len(taken)]
	u.pending = append(slices.Clone(taken), u.pending...)
}

// auditChunk is the most entries one INSERT writes, well under both
// engines' limits on bound parameters.
const auditChunk = 100

// flushAudit writes the entries in one INSERT (in chunks of auditChunk).
func (s *Store) flushAudit(ctx context.Context, tx querier, entries []pendingAudit) error {
	for len(entries) > 0 {
		chunk := entries[:min(auditChunk, len(entries))]
		entries = entries[len(chunk):]
		query, args := auditInsert(chunk)
		if _, err := s.exec(ctx, tx, query, args...); err != nil {
			return err
		}
	}
	return nil
}

// auditInsert is the INSERT of entries into audit_log and its arguments.
func auditInsert(entries []pendingAudit) (string, []any) {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (at, actor_id, actor_login, actor_role, action, entity, entity_id, patient_id, remote_addr, detail) VALUES `)
	args := make([]any, 0, 10*len(entries))
	for i, e := range entries {
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
	return b.String(), args
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
