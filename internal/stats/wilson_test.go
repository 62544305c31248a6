package stats_test

import (
	"math"
	"testing"

	"repere/internal/stats"
)

func TestWilson(t *testing.T) {
	// Newcombe 1998, table I: 81/263 gives 0.2553-0.3662; 0/10 gives 0-0.2775.
	for _, tt := range []struct {
		k, n      int
		low, high float64
	}{{81, 263, 0.2553, 0.3662}, {0, 10, 0, 0.2775}, {15, 148, 0.0624, 0.1605}} {
		low, high := stats.Wilson(tt.k, tt.n)
		if math.Abs(low-tt.low) > 0.0001 || math.Abs(high-tt.high) > 0.0001 {
			t.Errorf("Wilson(%d, %d) = %.4f-%.4f, want %.4f-%.4f", tt.k, tt.n, low, high, tt.low, tt.high)
		}
	}
	if low, high := stats.Wilson(0, 0); low != 0 || high != 1 {
		t.Error("no observation")
	}
}
