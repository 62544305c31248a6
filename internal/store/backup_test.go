package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"repere/internal/store"
	"repere/internal/storetest"
)

// TestMigrateSetsApplicationID: every migrated SQLite database carries
// Repère's application id, and migrate refuses another application's
// database instead of adding Repère's tables to it.
func TestMigrateSetsApplicationID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.OpenSQLite(t)
	var id int64
	if err := s.DB().QueryRow(`PRAGMA application_id`).Scan(&id); err != nil || id != store.ApplicationID {
		t.Fatalf("application id of a migrated database: %#x %v", id, err)
	}
	cases := []struct{ name, setup string }{
		{"another application's id", `PRAGMA application_id = 0x47504B47`},
		{"another application's tables", `CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "other.db")
			raw, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(c.setup); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			st, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); !errors.Is(err, store.ErrForeignDatabase) {
				t.Fatalf("migrate: %v", err)
			}
			var tables int
			st.DB().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name IN ('goose_db_version', 'patients')`).Scan(&tables)
			if tables != 0 {
				t.Error("Repère tables were added to another application's database")
			}
		})
	}
}

// TestDatabaseLock: servers share the lock, a restore needs it alone.
func TestDatabaseLock(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "repere.db")
	serverA, err := store.LockShared(db)
	if err != nil {
		t.Fatal(err)
	}
	serverB, err := store.LockShared(db)
	if err != nil {
		t.Fatalf("a second server: %v", err)
	}
	if _, err := store.LockExclusive(db); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("restore beside two servers: %v", err)
	}
	serverA.Release()
	if _, err := store.LockExclusive(db); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("restore beside one server: %v", err)
	}
	serverB.Release()
	restore, err := store.LockExclusive(db)
	if err != nil {
		t.Fatalf("restore once the servers stopped: %v", err)
	}
	if _, err := store.LockShared(db); !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), db+".lock") {
		t.Fatalf("a server starting during a restore: %v", err)
	}
	restore.Release()
	pg, err := store.LockExclusive("postgres://h/db")
	if err != nil {
		t.Fatalf("PostgreSQL needs no lock: %v", err)
	}
	pg.Release()
}
