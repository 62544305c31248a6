package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestReadUnit: store reads inside a read unit share one transaction, their
// audit entries are committed when the unit ends (not before; on a failure
// too, since the reads happened),
// and on SQLite a write inside it fails rather than taking the write lock.
func TestReadUnit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ctx := audit.WithActor(context.Background(), audit.Actor{Login: "unit.reader", Role: "secretary"})
		entries := func() int {
			var n int
			if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE actor_login = 'unit.reader'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		c := &store.Counter{}
		ctx = store.WithCounter(ctx, c)
		err := s.ReadUnit(ctx, func(ctx context.Context) error {
			for range 3 {
				if _, err := s.Patient(ctx, f.patientID); err != nil {
					return err
				}
			}
			if !s.InUnit(ctx) || entries() != 0 {
				t.Errorf("inside the unit: in unit %v, %d audit entries already visible", s.InUnit(ctx), entries())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := entries(); n != 3 {
			t.Fatalf("%d audit entries after the unit, want 3", n)
		}
		want := int64(1) // PostgreSQL: the unit's transaction
		if s.Engine() == store.SQLite {
			want = 2 // the read transaction, then the audit's short write
		}
		if c.Transactions() != want {
			t.Errorf("%d transactions, want %d", c.Transactions(), want)
		}
		failure := errors.New("page failed")
		err = s.ReadUnit(ctx, func(ctx context.Context) error {
			s.Patient(ctx, f.patientID)
			return failure
		})
		// The page failed after its read: the read stays traced.
		if !errors.Is(err, failure) || entries() != 4 {
			t.Fatalf("failed unit: %v, %d entries (want the error and the read's entry)", err, entries())
		}
		if s.Engine() == store.SQLite {
			err = s.ReadUnit(ctx, func(ctx context.Context) error {
				_, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Lecture", FirstNames: "Seule", BirthDate: "1980-01-01", Sex: "M"})
				return err
			})
			if err == nil {
				t.Error("a write inside a SQLite read unit succeeded")
			}
			// The connection is usable for writes again afterwards.
			if _, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Après", FirstNames: "Lecture", BirthDate: "1980-01-01", Sex: "M"}); err != nil {
				t.Fatalf("write after a read unit: %v", err)
			}
		}
	})
}

// TestPostgresReusesPreparedStatements: pgx prepares each query once per
// connection and reuses it (its statement cache), so a page's queries are
// parsed and planned once per connection, not at each call. The pool keeps
// its connections (and so their caches) between requests.
func TestPostgresReusesPreparedStatements(t *testing.T) {
	s := storetest.OpenPostgres(t)
	f := newPractice(t, s)
	s.SetMaxConns(1) // one connection: the one the next query inspects
	for range 3 {
		if _, err := s.Patient(f.ctx, f.patientID); err != nil {
			t.Fatal(err)
		}
	}
	var prepared int
	if err := s.DB().QueryRowContext(f.ctx, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM patients WHERE id = $1'`).Scan(&prepared); err != nil {
		t.Fatal(err)
	}
	if prepared != 1 {
		t.Fatalf("%d prepared statements for the patient query on the connection, want 1 (prepared once, reused)", prepared)
	}
}

// TestReadUnitsDoNotExhaustThePool: more units at once than the pool has
// connections, each reading through the pool (Rooms) and through a
// transaction (Patient): every statement of a unit runs on its one
// connection, so they all finish (they once deadlocked: each unit held a
// connection and waited for a second one).
func TestReadUnitsDoNotExhaustThePool(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		s.SetMaxConns(2)
		ctx, cancel := context.WithTimeout(f.ctx, 20*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					err := s.ReadUnit(ctx, func(ctx context.Context) error {
						if _, err := s.Rooms(ctx); err != nil {
							return err
						}
						_, err := s.Patient(ctx, f.patientID)
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// TestCancelledReadUnitLeavesAWritableConnection: a request that goes away
// in the middle of its read unit (database/sql then rolls the transaction
// back by itself) must not hand the pool a connection still under SQLite's
// query_only: with one connection, the next write uses that very one.
func TestCancelledReadUnitLeavesAWritableConnection(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		s.SetMaxConns(1)
		ctx, cancel := context.WithCancel(f.ctx)
		s.ReadUnit(ctx, func(ctx context.Context) error {
			if _, err := s.Patient(ctx, f.patientID); err != nil {
				return err
			}
			cancel()
			time.Sleep(50 * time.Millisecond) // database/sql's rollback on cancel runs meanwhile
			return nil
		})
		if _, err := s.CreatePatient(f.ctx, patient.Patient{BirthName: "Annulée", FirstNames: "Requête", BirthDate: "1980-01-01", Sex: "F"}); err != nil {
			t.Fatalf("write after a cancelled read unit: %v", err)
		}
	})
}

// TestReadUnitAuditSurvivesAHungUpClient: the client goes away after the
// page read a patient; whether the page then ends well or fails, the read
// stays in the audit log.
func TestReadUnitAuditSurvivesAHungUpClient(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		for _, fails := range []bool{false, true} {
			before, err := s.SearchAudit(f.ctx, audit.Filter{PatientID: f.patientID, Action: "read", Entity: "patient"})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(f.ctx)
			s.ReadUnit(ctx, func(ctx context.Context) error {
				if _, err := s.Patient(ctx, f.patientID); err != nil {
					return err
				}
				cancel()
				if fails {
					return errors.New("the page failed after reading")
				}
				return nil
			})
			after, err := s.SearchAudit(f.ctx, audit.Filter{PatientID: f.patientID, Action: "read", Entity: "patient"})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 {
				t.Errorf("page failing %v: %d audit entries for the read, want %d", fails, len(after), len(before)+1)
			}
		}
	})
}

// TestFailedWriteUnitTracesItsReadsOnly: a write unit that fails after
// reading and writing is rolled back whole; the audit keeps the trace of
// what it read, never an entry for a write that did not happen.
func TestFailedWriteUnitTracesItsReadsOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ctx := audit.WithActor(context.Background(), audit.Actor{Login: "unit.writer", Role: "secretary"})
		actions := func() []string {
			rows, err := s.DB().QueryContext(ctx, `SELECT action FROM audit_log WHERE actor_login = 'unit.writer' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var a string
				rows.Scan(&a)
				out = append(out, a)
			}
			return out
		}
		failure := errors.New("use case refused")
		var created int64
		err := s.WriteUnit(ctx, func(ctx context.Context) error {
			if _, err := s.Patient(ctx, f.patientID); err != nil {
				return err
			}
			id, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Annulé", FirstNames: "Jamais", BirthDate: "1980-01-01", Sex: "M"})
			created = id
			if err != nil {
				return err
			}
			return failure
		})
		if !errors.Is(err, failure) {
			t.Fatalf("unit: %v", err)
		}
		if got := actions(); len(got) != 1 || got[0] != "read" {
			t.Fatalf("audit after the failed unit: %v, want the read only", got)
		}
		if _, err := s.Patient(ctx, created); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the rolled-back patient is there: %v", err)
		}
	})
}
