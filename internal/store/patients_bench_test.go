package store_test

import (
	"context"
	"fmt"
	"testing"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

var benchNames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"}
var benchFirst = []string{"Zoé", "Élodie", "François", "Jérôme", "Amélie", "Noël", "Gaëlle", "Hervé", "Lucie", "Agnès"}

// BenchmarkSearchPatients measures the search box on 20,000 patients: a name
// prefix, a name and first name, a birth date and a phone prefix.
func BenchmarkSearchPatients(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var s *store.Store
			if engine == "sqlite" {
				s = storetest.OpenSQLite(b)
			} else {
				s = storetest.OpenPostgres(b)
			}
			ctx := audit.WithActor(context.Background(), secretary)
			for i := 0; i < 20000; i++ {
				p := patient.Patient{BirthName: fmt.Sprintf("%s%d", benchNames[i%len(benchNames)], i/len(benchNames)%50), FirstNames: benchFirst[i%len(benchFirst)],
					BirthDate: fmt.Sprintf("19%02d-%02d-%02d", 30+i%70, 1+i%12, 1+i%28), Sex: "F", Phone: fmt.Sprintf("06%08d", i)}
				if _, err := s.CreatePatient(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
			queries := []string{"lef", "lefèvre1 zo", "1975-06-18", "0600012"}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.SearchPatients(ctx, queries[i%len(queries)], 50); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
