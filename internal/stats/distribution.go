package stats

import (
	"math"
	"slices"
)

// Distribution summarises a sample (doses, delays) for a box plot: quartiles by
// linear interpolation between order statistics (Hyndman and Fan's type 7,
// the default of R and of spreadsheets' PERCENTILE.INC), whiskers at the
// most extreme values within 1.5 interquartile ranges, and the values
// beyond them as outliers.
type Distribution struct {
	N                     int
	Min, Q1, Median, Q3   float64
	Max                   float64
	P90                   float64
	Mean                  float64
	LowWhisker, HighWhisk float64
	Outliers              []float64
}

// Describe computes the distribution of values (which it sorts); the zero
// Distribution when there are none.
func Describe(values []float64) Distribution {
	if len(values) == 0 {
		return Distribution{}
	}
	slices.Sort(values)
	d := Distribution{N: len(values), Min: values[0], Max: values[len(values)-1],
		Q1: Quantile(values, 0.25), Median: Quantile(values, 0.5), Q3: Quantile(values, 0.75), P90: Quantile(values, 0.9)}
	var sum float64
	for _, v := range values {
		sum += v
	}
	d.Mean = sum / float64(len(values))
	iqr := d.Q3 - d.Q1
	low, high := d.Q1-1.5*iqr, d.Q3+1.5*iqr
	d.LowWhisker, d.HighWhisk = d.Max, d.Min
	for _, v := range values {
		if v < low || v > high {
			if len(d.Outliers) < 200 {
				d.Outliers = append(d.Outliers, v)
			}
			continue
		}
		d.LowWhisker, d.HighWhisk = math.Min(d.LowWhisker, v), math.Max(d.HighWhisk, v)
	}
	return d
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted values, type 7.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * q
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
