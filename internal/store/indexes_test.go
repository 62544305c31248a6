package store_test

import (
	"regexp"
	"testing"

	"repere/internal/store"
	"repere/internal/storetest"
)

// TestLookupColumnsAreIndexed checks, on both engines, that the columns a
// frequent lookup finds its rows by lead an index: without one each lookup
// scans the table, and the tables grow with the practice's history.
func TestLookupColumnsAreIndexed(t *testing.T) {
	lookups := []struct{ table, column, by string }{
		{"portal_codes", "code_hash", "a letter or SMS code sign-in (UseLetterCode)"},
		{"portal_codes", "patient_id", "a portal code sign-in (UsePortalCode)"},
		{"appointments", "accession_number", "a dose report or MPPS message"},
		{"appointments", "study_instance_uid", "a dose report or MPPS message"},
		{"performed_steps", "study_instance_uid", "an MPPS message"},
		{"appointments", "room_id", "a console's worklist query, by its station's room (WorklistRows)"},
	}
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		q := `SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`
		if s.Engine() == store.Postgres {
			q = `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()`
		}
		rows, err := s.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		defs := map[string][]string{}
		for rows.Next() {
			var table, def string
			if err := rows.Scan(&table, &def); err != nil {
				t.Fatal(err)
			}
			defs[table] = append(defs[table], def)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for _, l := range lookups {
			leads := regexp.MustCompile(`\(\s*"?` + l.column + `"?\s*[,)]`)
			found := false
			for _, def := range defs[l.table] {
				found = found || leads.MatchString(def)
			}
			if !found {
				t.Errorf("no index on %s starts with %s, which %s looks up by (indexes: %q)", l.table, l.column, l.by, defs[l.table])
			}
		}
	})
}
