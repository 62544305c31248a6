package store_test

import (
	"context"
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
