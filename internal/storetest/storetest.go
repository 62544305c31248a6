// Package storetest opens fresh, migrated databases of both engines for tests,
// and gives the tests their clock.
//
// REPERE_TEST_NOW (RFC 3339) sets the instant at which the tests' clock
// starts (it then runs on); without it the clock is the machine's. The suite
// must pass whatever it says: a Saturday, a DST change, New Year's Eve.
//
// SQLite runs in a temporary file. PostgreSQL needs a server: its URL comes from
// REPERE_TEST_POSTGRES (scripts/test starts a throwaway cluster and sets it).
// Without it the PostgreSQL half is skipped, except under CI=true where a
// missing engine fails the test instead.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/clock"
	"repere/internal/store"
)

var (
	clockOnce sync.Once
	testClock clock.Clock
)

// Clock is the clock every test of this process shares: it starts at
// REPERE_TEST_NOW when set, or is the machine's clock.
func Clock() clock.Clock {
	clockOnce.Do(func() {
		testClock = clock.System{}
		if v := os.Getenv("REPERE_TEST_NOW"); v != "" {
			start, err := time.Parse(time.RFC3339, v)
			if err != nil {
				panic("REPERE_TEST_NOW must be RFC 3339, e.g. 2026-12-05T09:00:00+01:00: " + err.Error())
			}
			testClock = clock.StartingAt(start)
		}
	})
	return testClock
}

// Now is Clock().Now().
func Now() time.Time { return Clock().Now() }

// Engines runs fn once per database engine, each with a fresh migrated
// store; under go test -short, on SQLite only (the quick loop while
// working: the test command runs both).
func Engines(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	if testing.Short() {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite returns a migrated store on a new SQLite file.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "test.db"))
}

// PostgresURL returns the URL of a fresh, empty schema on the test server,
// dropped when the test ends. It skips (or fails under CI) without a server.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("PostgreSQL is tested by the full test command, not under -short")
	}
	base := os.Getenv("REPERE_TEST_POSTGRES")
	if base == "" {
		Require(t, "PostgreSQL (set REPERE_TEST_POSTGRES or run scripts/test)")
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open test postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	// An extension exists once per database: install btree_gist in public,
	// which every test schema's search_path includes, so a test dropping its
	// schema never takes the extension away from the others.
	if _, err := admin.Exec("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"); err != nil && !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("install btree_gist: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("REPERE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres returns a migrated store on a fresh PostgreSQL schema.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, PostgresURL(t))
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetClock(func() time.Time { return Now().UTC() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Require skips the test for lack of component, or fails it under CI=true,
// where every component must be present.
func Require(t testing.TB, component string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI=true but is missing", component)
	}
	t.Skipf("%s not available; skipped (run scripts/test to provide it)", component)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// PatientTables lists, from the schema itself, the tables that hold a
// patient's data: patients, every table with a patient_id, appointment_id or
// referral_id column, and every table with a foreign key to one of those
// (consent_events, resource_busy...). Tests compare it with what the export
// and the retention rules cover, so a table added later cannot be forgotten.
func PatientTables(t testing.TB, s *store.Store) []string {
	t.Helper()
	columns, fks := schemaOf(t, s)
	holding := map[string]bool{"patients": true}
	for table, cols := range columns {
		for _, c := range cols {
			if c == "patient_id" || c == "appointment_id" || c == "referral_id" {
				holding[table] = true
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for table, targets := range fks {
			for _, target := range targets {
				if holding[target] && !holding[table] {
					holding[table], changed = true, true
				}
			}
		}
	}
	var out []string
	for table := range holding {
		out = append(out, table)
	}
	sort.Strings(out)
	return out
}

// schemaOf reads every table's columns and the tables its foreign keys point to.
func schemaOf(t testing.TB, s *store.Store) (columns, fks map[string][]string) {
	t.Helper()
	colQuery := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
	fkQuery := `SELECT m.name, f."table" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
	if s.Engine() == store.Postgres {
		colQuery = `SELECT c.table_name, c.column_name FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`
		fkQuery = `SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc
			JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema
			WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`
	}
	read := func(q string) map[string][]string {
		rows, err := s.DB().Query(q)
		if err != nil {
			t.Fatalf("read the schema: %v", err)
		}
		defer rows.Close()
		out := map[string][]string{}
		for rows.Next() {
			var table, other string
			if err := rows.Scan(&table, &other); err != nil {
				t.Fatal(err)
			}
			if table != "goose_db_version" && !strings.HasPrefix(table, "sqlite_") {
				out[table] = append(out[table], other)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return read(colQuery), read(fkQuery)
}

// AssertNowhere fails the test when needle is still readable anywhere: in any
// column of any table on both engines, and on SQLite in the bytes of the
// database file and its WAL, before and after a checkpoint.
func AssertNowhere(t testing.TB, s *store.Store, needle string) {
	t.Helper()
	columns, _ := schemaOf(t, s)
	for table := range columns {
		rows, err := s.DB().Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range values {
				var text string
				switch v := v.(type) {
				case string:
					text = v
				case []byte:
					text = string(v)
				}
				if strings.Contains(text, needle) {
					t.Errorf("%q is still in %s.%s", needle, table, cols[i])
				}
			}
		}
		rows.Close()
	}
	if s.Engine() != store.SQLite {
		return // PostgreSQL's files are the server's: see docs/security.md on VACUUM
	}
	var seq int
	var name, path string
	if err := s.DB().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	grep := func(when string) {
		for _, f := range []string{path, path + "-wal"} {
			data, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if strings.Contains(string(data), needle) {
				t.Errorf("%q is still readable in the bytes of %s (%s)", needle, filepath.Base(f), when)
			}
		}
	}
	grep("as left by the erasure")
	if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	grep("after a checkpoint")
}
