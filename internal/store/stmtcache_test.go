package store_test

import (
	"context"
	"strings"
	"testing"

	"repere/internal/patient"
	"repere/internal/storetest"
)

// TestCompiledStatementsReused: on SQLite the statements a read or a write
// runs are kept compiled, one cache per pool, and a kept statement runs with
// each call's own arguments; a read unit stays read-only with them.
func TestCompiledStatementsReused(t *testing.T) {
	s := storetest.OpenSQLite(t)
	f := newPractice(t, s)
	names := map[int64]string{f.patientID: "Lefèvre"}
	for _, n := range []string{"Arnaud", "Bonnet"} { // the INSERT runs thrice: prepared after its first run
		id, err := s.CreatePatient(f.ctx, patient.Patient{BirthName: n, FirstNames: "Test", BirthDate: "1980-01-01", Sex: "M"})
		if err != nil {
			t.Fatal(err)
		}
		names[id] = n
	}
	read := func() {
		t.Helper()
		for id, want := range names {
			err := s.ReadUnit(f.ctx, func(ctx context.Context) error {
				p, err := s.Patient(ctx, id)
				if err != nil {
					return err
				}
				if p.BirthName != want {
					t.Errorf("patient %d read as %q, want %q", id, p.BirthName, want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	read() // the first reads prepare the statement in the background
	write, reads := s.PreparedStatements()
	if write == 0 || reads == 0 {
		t.Fatalf("%d write and %d read statements kept compiled, want some of each", write, reads)
	}
	read() // now from the kept statements, each with its id
	id, err := s.CreatePatient(f.ctx, patient.Patient{BirthName: "Carré", FirstNames: "Test", BirthDate: "1980-01-01", Sex: "F"})
	if err != nil {
		t.Fatal(err)
	}
	names[id] = "Carré"
	read()
	for range 2 { // the second time with the INSERT compiled on the read pool too
		err := s.ReadUnit(f.ctx, func(ctx context.Context) error {
			_, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Lecture", FirstNames: "Seule", BirthDate: "1980-01-01", Sex: "M"})
			return err
		})
		if err == nil {
			t.Fatal("a write inside a read unit succeeded")
		}
		s.PreparedStatements()
	}
}

// TestListStatementsNotKept: a statement built for a list's length (more
// than 32 placeholders) is not kept compiled; a fixed one is.
func TestListStatementsNotKept(t *testing.T) {
	s := storetest.OpenSQLite(t)
	list := func(n int) string {
		return "SELECT id FROM patients WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	}
	if !s.KeepsCompiled(list(2)) {
		t.Error("a statement with 2 placeholders is not kept")
	}
	if s.KeepsCompiled(list(500)) {
		t.Error("a statement with 500 placeholders is kept")
	}
}
