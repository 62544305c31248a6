package dose_test

import (
	"math"
	"testing"

	"repere/internal/dose"
)

func TestDescribe(t *testing.T) {
	// R: quantile(c(10, 20, 30, 40, 1000), type = 7) gives 20, 30, 40.
	d := dose.Describe([]float64{1000, 30, 10, 40, 20})
	if d.N != 5 || d.Q1 != 20 || d.Median != 30 || d.Q3 != 40 || d.Min != 10 || d.Max != 1000 || d.Mean != 220 {
		t.Fatalf("%+v", d)
	}
	if d.HighWhisk != 40 || d.LowWhisker != 10 || len(d.Outliers) != 1 || d.Outliers[0] != 1000 {
		t.Fatalf("whiskers %v-%v outliers %v", d.LowWhisker, d.HighWhisk, d.Outliers)
	}
	if q := dose.Quantile([]float64{1, 2, 3, 4}, 0.75); q != 3.25 {
		t.Fatalf("P75 of 1..4 = %v, want 3.25", q)
	}
	if d := dose.Describe(nil); d.N != 0 {
		t.Fatal("empty sample")
	}
	if !math.IsNaN(dose.Quantile(nil, 0.5)) {
		t.Fatal("quantile of nothing")
	}
}

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
			if got := dose.Compare(dose.Describe(vals), tt.ref); got != tt.want {
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
