package store_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"repere/internal/store"
	"repere/internal/storetest"
)

// TestCheckWritable: the write probe passes on a healthy database and names
// a read-only one (SQLite's query_only, PostgreSQL's
// default_transaction_read_only) and a full disk, where a ping still passes.
func TestCheckWritable(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.CheckWritable(ctx); err != nil {
			t.Fatalf("healthy database: %v", err)
		}
		var rows int
		s.DB().QueryRow(`SELECT COUNT(*) FROM health_probe`).Scan(&rows)
		for range 5 {
			s.CheckWritable(ctx)
		}
		var after int
		s.DB().QueryRow(`SELECT COUNT(*) FROM health_probe`).Scan(&after)
		if rows != 1 || after != 1 {
			t.Errorf("health_probe holds %d then %d rows, want 1", rows, after)
		}

		if s.Engine() == store.SQLite {
			// Polled for months, the probe must not grow the file.
			size := func() int64 {
				t.Helper()
				if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
					t.Fatal(err)
				}
				var pages, pageSize int64
				s.DB().QueryRow(`PRAGMA page_count`).Scan(&pages)
				s.DB().QueryRow(`PRAGMA page_size`).Scan(&pageSize)
				return pages * pageSize
			}
			before := size()
			for range 300 {
				if err := s.CheckWritable(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if after := size(); after != before {
				t.Errorf("300 probes grew the database from %d to %d bytes", before, after)
			}
			s.SetMinFreeBytes(math.MaxUint64)
			if err := s.CheckWritable(ctx); !errors.Is(err, store.ErrDiskFull) {
				t.Errorf("disk below the free-space floor: %v", err)
			}
			s.SetMinFreeBytes(store.DefaultMinFreeBytes)
		}

		// One connection, made read-only, so every query uses it.
		s.DB().SetMaxOpenConns(1)
		readOnly := `PRAGMA query_only = 1`
		if s.Engine() == store.Postgres {
			readOnly = `SET default_transaction_read_only = on`
		}
		if _, err := s.DB().Exec(readOnly); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
		if err := s.CheckWritable(ctx); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("read-only database: %v", err)
		}
	})
}
