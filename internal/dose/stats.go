package dose

import "repere/internal/stats"

// MinSampleForReference is the smallest sample whose median is compared
// with a reference level: the French DRL procedure collects at least 30
// patients per examination (ASN decision 2019-DC-0667, for the surveys the
// practices send); fewer acts say nothing of the practice.
const MinSampleForReference = 30

// Comparison is the median of a sample set against a reference level.
type Comparison string

// Comparisons.
const (
	NoReference    Comparison = "no_reference"
	SampleTooSmall Comparison = "sample_too_small"
	AtOrBelow      Comparison = "at_or_below"
	Above          Comparison = "above"
)

// Compare compares the median of a sample of n acts with a reference
// level (nil: none). Single patients are never compared: a reference level
// is for the practice's typical patient, not a limit.
func Compare(d stats.Distribution, reference *float64) Comparison {
	switch {
	case reference == nil:
		return NoReference
	case d.N < MinSampleForReference:
		return SampleTooSmall
	case d.Median > *reference:
		return Above
	}
	return AtOrBelow
}
