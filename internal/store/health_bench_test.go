package store_test

import (
	"context"
	"testing"

	"repere/internal/store"
	"repere/internal/storetest"
)

// BenchmarkCheckWritable measures the /healthz write probe, polled by load
// balancers and monitoring (docs/performance.md).
func BenchmarkCheckWritable(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(engine.name, func(b *testing.B) {
			s := engine.open(b)
			ctx := context.Background()
			for b.Loop() {
				if err := s.CheckWritable(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
