// Package stats holds the small statistics the dashboards share:
// distributions for box plots (dose per act, activity delays) and
// proportions with their confidence intervals. What is about dose alone
// (reference levels) stays in package dose.
package stats

import "math"

// Wilson returns the Wilson score 95 % interval of a proportion of
// successes out of n (Wilson 1927; Newcombe 1998, method 3): unlike the
// normal approximation it stays within [0, 1] and is usable for the small
// counts of a practice. n = 0 gives [0, 1].
func Wilson(successes, n int) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	p := float64(successes) / float64(n)
	nf := float64(n)
	denom := 1 + z*z/nf
	centre := (p + z*z/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / denom
	return math.Max(0, centre-half), math.Min(1, centre+half)
}
