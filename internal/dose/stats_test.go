package dose_test

import (
	"testing"

	"repere/internal/dose"
	"repere/internal/stats"
)

func TestCompareUsesTheMedianOfASample(t *testing.T) {
	ref := 100.0
	sample := make([]float64, 30)
	for i := range sample {
		sample[i] = 50
	}
	sample[29] = 5000 // one patient far above: the median does not move
	for _, tt := range []struct {
		name   string
		values []float64
		ref    *float64
		want   dose.Comparison
	}{
		{"no reference", sample, nil, dose.NoReference},
		{"one high patient in a typical sample", sample, &ref, dose.AtOrBelow},
		{"too few acts", sample[:29], &ref, dose.SampleTooSmall},
		{"typical patient above", append(make([]float64, 0, 30), repeat(150, 30)...), &ref, dose.Above},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vals := append([]float64(nil), tt.values...)
			if got := dose.Compare(stats.Describe(vals), tt.ref); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
