package stats_test

import (
	"math"
	"testing"

	"repere/internal/stats"
)

func TestDescribe(t *testing.T) {
	// R: quantile(c(10, 20, 30, 40, 1000), type = 7) gives 20, 30, 40.
	d := stats.Describe([]float64{1000, 30, 10, 40, 20})
	if d.N != 5 || d.Q1 != 20 || d.Median != 30 || d.Q3 != 40 || d.Min != 10 || d.Max != 1000 || d.Mean != 220 {
		t.Fatalf("%+v", d)
	}
	if d.HighWhisk != 40 || d.LowWhisker != 10 || len(d.Outliers) != 1 || d.Outliers[0] != 1000 {
		t.Fatalf("whiskers %v-%v outliers %v", d.LowWhisker, d.HighWhisk, d.Outliers)
	}
	if q := stats.Quantile([]float64{1, 2, 3, 4}, 0.75); q != 3.25 {
		t.Fatalf("P75 of 1..4 = %v, want 3.25", q)
	}
	if d := stats.Describe(nil); d.N != 0 {
		t.Fatal("empty sample")
	}
	if !math.IsNaN(stats.Quantile(nil, 0.5)) {
		t.Fatal("quantile of nothing")
	}
}
