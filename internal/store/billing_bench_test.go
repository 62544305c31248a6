package store_test

import (
	"context"
	"fmt"
	"testing"

	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/store"
	"repere/internal/storetest"
)

// BenchmarkSaveTariffImport stores an extract the size of the whole CCAM on
// both grids (30,000 rows) in one import, on SQLite and PostgreSQL.
func BenchmarkSaveTariffImport(b *testing.B) {
	rows := make([]billing.Tariff, 0, 30000)
	for i := 0; i < 15000; i++ {
		for _, grid := range []string{billing.GridOPTAM, billing.GridNonOPTAM} {
			rows = append(rows, billing.Tariff{Code: fmt.Sprintf("ABC%c%03d", 'A'+i/1000, i%1000), Label: "Libellé", Activity: 1, Grid: grid,
				Amount: billing.Cents(i), From: "2026-01-01", Source: "bench", Status: catalog.Confirmed})
		}
	}
	ctx := audit.WithActor(context.Background(), audit.Actor{Login: "bench", Role: "admin"})
	for name, open := range map[string]func(testing.TB) *store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			for b.Loop() {
				if _, err := s.SaveTariffImport(ctx, billing.Import{FileName: "ccam.csv", Rows: len(rows)}, rows); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
