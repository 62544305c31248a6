package store_test

import (
	"context"
	"slices"
	"testing"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestPatientSearchAndDuplicates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), secretary)
		for _, p := range []patient.Patient{
			{BirthName: "Lefèvre", FirstNames: "Zoé", BirthDate: "1991-04-12", Sex: "F", Phone: "06 12 34 56 78"},
			{BirthName: "Caron", UsedName: "Dupré-Lenoir", FirstNames: "Françoise Marie", BirthDate: "1958-09-30", Sex: "F", Phone: "+33 6 98 76 54 32"},
			{BirthName: "Le Goff", FirstNames: "Gaëlle", BirthDate: "1995-03-08", Sex: "F"},
			{BirthName: "Lefebvre", FirstNames: "Paul", BirthDate: "1970-01-01", Sex: "M"},
		} {
			if _, err := s.CreatePatient(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			q    string
			want []string // first names found, in order
		}{
			{"lef", []string{"Paul", "Zoé"}},
			{"LEFEVRE", []string{"Zoé"}},
			{"lefèvre zo", []string{"Zoé"}},
			{"dupre", []string{"Françoise Marie"}},
			{"dupre lenoir", []string{"Françoise Marie"}},
			{"francoise", []string{"Françoise Marie"}},
			{"le goff", []string{"Gaëlle"}},
			{"1958-09-30", []string{"Françoise Marie"}},
			{"30/09/1958", []string{"Françoise Marie"}},
			{"0698", []string{"Françoise Marie"}},
			{"06 12 34", []string{"Zoé"}},
			{"zzz", nil},
			{"", []string{"Françoise Marie", "Gaëlle", "Paul", "Zoé"}},
		}
		for _, c := range cases {
			got, err := s.SearchPatients(ctx, c.q, 10)
			if err != nil {
				t.Fatalf("search %q: %v", c.q, err)
			}
			var names []string
			for _, p := range got {
				names = append(names, p.FirstNames)
			}
			if len(names) != len(c.want) {
				t.Errorf("search %q found %v, want %v", c.q, names, c.want)
				continue
			}
			for i := range names {
				if names[i] != c.want[i] {
					t.Errorf("search %q found %v, want %v", c.q, names, c.want)
				}
			}
		}
		dups, err := s.PossibleDuplicates(ctx, patient.Patient{BirthName: "LEFEVRE", FirstNames: "zoe", BirthDate: "1991-04-12"})
		if err != nil || len(dups) != 1 {
			t.Fatalf("duplicates of Zoé Lefèvre: %v %v", dups, err)
		}
		if dups, _ := s.PossibleDuplicates(ctx, patient.Patient{BirthName: "Lefèvre", FirstNames: "Zoé", BirthDate: "1991-04-13"}); len(dups) != 0 {
			t.Fatalf("another birth date is not a duplicate: %v", dups)
		}
		if dups, _ := s.PossibleDuplicates(ctx, patient.Patient{BirthName: "Dupré Lenoir", FirstNames: "Françoise-Marie", BirthDate: "1958-09-30"}); len(dups) != 1 {
			t.Fatalf("used name not matched for duplicates: %v", dups)
		}
		p := dups[0]
		p.Phone = "07 00 00 00 00"
		if err := s.UpdatePatient(ctx, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SearchPatients(ctx, "0700", 10); len(got) != 1 {
			t.Fatal("updated phone not searchable")
		}
	})
}

// TestSearchWildcardsAreLiteral: % _ and \ typed in a search find only the
// names holding them (LIKE wildcards escaped, on both engines).
func TestSearchWildcardsAreLiteral(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), secretary)
		for _, p := range []patient.Patient{
			{BirthName: "Taux %Plein", FirstNames: "Anne", BirthDate: "1980-01-01", Sex: "F"},
			{BirthName: "Snake _Case", FirstNames: "Bob", BirthDate: "1980-01-02", Sex: "M"},
			{BirthName: `Back \Slash`, FirstNames: "Carl", BirthDate: "1980-01-03", Sex: "M"},
			{BirthName: "Martin", FirstNames: "Zoé", BirthDate: "1980-01-04", Sex: "F"},
		} {
			if _, err := s.CreatePatient(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		firstNames := func(ps []patient.Patient) []string {
			out := []string{}
			for _, p := range ps {
				out = append(out, p.FirstNames)
			}
			return out
		}
		for _, tt := range []struct {
			name string
			want []string
		}{{"%", []string{"Anne"}}, {"_", []string{"Bob"}}, {`\`, []string{"Carl"}}, {"_case", []string{"Bob"}}, {"%plein", []string{"Anne"}}, {"s%e", []string{}}, {"_a", []string{}}} {
			found, total, err := s.FindPatients(ctx, store.PatientSearch{Name: tt.name, Limit: 10})
			if got := firstNames(found); err != nil || total != len(tt.want) || !slices.Equal(got, tt.want) {
				t.Errorf("API search name=%q: %v (%d in all) %v, want %v", tt.name, got, total, err, tt.want)
			}
		}
		for _, tt := range []struct {
			q    string
			want []string
		}{{"martin %", []string{}}, {"martin _", []string{}}, {"martin zo", []string{"Zoé"}}, {`carl \`, []string{"Carl"}}, {`martin \`, []string{}}} {
			found, err := s.SearchPatients(ctx, tt.q, 10)
			if got := firstNames(found); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("staff search %q: %v %v, want %v", tt.q, got, err, tt.want)
			}
		}
	})
}
