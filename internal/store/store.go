// Package store keeps Repère's data in SQLite (embedded, the default) or
// PostgreSQL (several instances). Both engines run the same queries, written
// with `?` placeholders and rebound for PostgreSQL; each engine has its own
// migration folder with the same version numbers.
//
// Patient data is only reachable through methods that write an audit entry in
// the same transaction (see audit.go); a test checks that no method forgets it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names the database engine in use.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations
var migrations embed.FS

// Store is the handle on the database shared by the whole process.
type Store struct {
	db     *sql.DB
	engine Engine
	// readDB is SQLite's pool of read-only connections, on which the read
	// units run (nil on PostgreSQL).
	readDB *sql.DB
	// stmts and readStmts keep SQLite's compiled statements for db and
	// readDB (nil on PostgreSQL, whose driver keeps its own).
	stmts, readStmts *stmtCache
	now              func() time.Time
	// path is the SQLite file (empty on PostgreSQL); minFreeBytes is the
	// free space below which its disk counts as full (see CheckWritable).
	path         string
	minFreeBytes uint64
	// refreshPause, set by tests only, runs in RefreshSummaries just
	// before it deletes the changes it has seen.
	refreshPause func()
	// refreshBatchSize, set by tests only, replaces summaryBatch.
	refreshBatchSize int
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or else the path of a SQLite file (created if missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	engine, driverDSN, readDSN, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	driver := "sqlite"
	if engine == Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, driverDSN)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", engine, err)
	}
	if engine == SQLite {
		// One writer at a time is SQLite's rule; readers run beside it in WAL mode.
		db.SetMaxOpenConns(8)
	} else {
		db.SetMaxOpenConns(20)
	}
	// database/sql keeps 2 idle connections by default: under load the
	// others would be closed and reopened (on PostgreSQL a new backend and
	// an empty prepared-statement cache each time).
	db.SetMaxIdleConns(8)
	if engine == Postgres {
		db.SetMaxIdleConns(20)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", engine, err)
	}
	st := &Store{db: db, engine: engine, now: func() time.Time { return time.Now().UTC() }, minFreeBytes: DefaultMinFreeBytes}
	if engine == SQLite {
		st.path, _ = SQLitePath(dsn)
		// The read pool opens once the file exists, in WAL mode.
		rdb, err := sql.Open(driver, readDSN)
		if err == nil {
			rdb.SetMaxOpenConns(8)
			rdb.SetMaxIdleConns(8)
			rdb.SetConnMaxIdleTime(5 * time.Minute)
			err = rdb.PingContext(ctx)
			if err != nil {
				rdb.Close()
			}
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to %s database for reading: %w", engine, err)
		}
		st.readDB = rdb
		st.stmts, st.readStmts = newStmtCache(db), newStmtCache(rdb)
	}
	return st, nil
}

// parseDSN returns the engine of dsn and the driver's names for it: on
// SQLite, one for the connections that write and one for those of the read
// units.
func parseDSN(dsn string) (engine Engine, write, read string, err error) {
	if isPostgres(dsn) {
		return Postgres, dsn, "", nil
	}
	path, ok := SQLitePath(dsn)
	if !ok {
		return "", "", "", fmt.Errorf("database %q: empty SQLite path", dsn)
	}
	q := url.Values{}
	// secure_delete overwrites deleted and updated content with zeros, so an
	// erased patient leaves no readable bytes once the WAL is checkpointed
	// (see ErasePatient).
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "secure_delete(ON)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the lock at BEGIN, so two writers never deadlock on upgrade.
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	// The read units' connections are read-only for good: query_only set
	// and lifted around each unit would expire every compiled statement of
	// the connection (SQLite does so after any flag pragma).
	r := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "query_only(1)"} {
		r.Add("_pragma", p)
	}
	r.Set("_time_format", "sqlite")
	return SQLite, "file:" + path + "?" + q.Encode(), "file:" + path + "?" + r.Encode(), nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLitePath returns the file a SQLite database name designates (the default
// repere.db for an empty name), or false for a PostgreSQL URL or an empty path.
func SQLitePath(dsn string) (string, bool) {
	if dsn == "" {
		dsn = "repere.db"
	}
	if isPostgres(dsn) {
		return "", false
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path, path != ""
}

// SetMaxConns sizes the connection pool, on SQLite each of the two (0 keeps
// the default: 8 on SQLite, 20 on PostgreSQL). On PostgreSQL every instance
// holds up to this many server connections: keep instances × n under
// max_connections.
func (s *Store) SetMaxConns(n int) {
	if n > 0 {
		s.db.SetMaxOpenConns(n)
		s.db.SetMaxIdleConns(n)
		if s.readDB != nil {
			s.readDB.SetMaxOpenConns(n)
			s.readDB.SetMaxIdleConns(n)
		}
	}
}

// Engine reports which database engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// DB exposes the connection pool to packages that need raw access (backups, tests).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the connection pools (and the compiled statements).
func (s *Store) Close() error {
	if s.readDB != nil {
		s.stmts.close()
		s.readStmts.close()
		if err := s.readDB.Close(); err != nil {
			s.db.Close()
			return err
		}
	}
	return s.db.Close()
}

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Migrate applies every pending migration of the engine's folder.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	dialect := goose.DialectSQLite3
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, "migrations/"+string(s.engine))
	if err != nil {
		return nil, err
	}
	if s.engine == SQLite {
		if err := s.guardSQLiteSchema(ctx); err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
	}
	p, err := goose.NewProvider(dialect, s.db, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	if err != nil {
		return applied, fmt.Errorf("migrations: %w", err)
	}
	if s.engine == SQLite {
		if err := s.stampApplicationID(ctx); err != nil {
			return applied, fmt.Errorf("migrations: application id: %w", err)
		}
	}
	return applied, nil
}

// rebind turns `?` placeholders into `$1, $2…` for PostgreSQL. Queries in this
// package never contain a literal question mark.
func (s *Store) rebind(query string) string {
	if s.engine != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// within routes a statement sent to the pool itself (s.db) into the unit of
// work ctx carries, if any: inside a unit every statement runs on the unit's
// one connection. (A second connection per request would also deadlock the
// pool once every connection is held by a unit waiting for another.)
func (s *Store) within(ctx context.Context, q querier) querier {
	if db, ok := q.(*sql.DB); ok && db == s.db {
		if u := s.unitOf(ctx); u != nil {
			return u.tx
		}
	}
	return q
}

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	countStatement(ctx)
	q = s.within(ctx, q)
	if st := s.prepared(ctx, q, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.ExecContext(ctx, s.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx)
	q = s.within(ctx, q)
	if st := s.prepared(ctx, q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, s.rebind(query), args...)
}

func (s *Store) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	countStatement(ctx)
	q = s.within(ctx, q)
	if st := s.prepared(ctx, q, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.QueryRowContext(ctx, s.rebind(query), args...)
}

// insert runs an INSERT … RETURNING id and returns the new id.
func (s *Store) insert(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	var id int64
	err := s.queryRow(ctx, q, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// inTx runs fn in a transaction, committed when fn returns nil; inside a
// unit of work (see unit.go) fn joins the unit's transaction instead.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if u := s.unitOf(ctx); u != nil {
		return fn(u.tx)
	}
	return s.inOwnTx(ctx, fn)
}

// isUniqueViolation reports a unique-constraint failure on either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}
