package schedule

import "cmp"

// fit is a Fit in seconds, as the search compares it.
type fit struct {
	wasted int64 // seconds in gaps shorter than the shortest act
	snug   int   // hold ends touching a boundary
}

func (f fit) plus(g fit) fit { return fit{f.wasted + g.wasted, f.snug + g.snug} }

// betterThan is the ranking rule of the package documentation, without the
// start: less waste, then more snug ends.
func (f fit) betterThan(g fit) bool {
	return f.wasted < g.wasted || f.wasted == g.wasted && f.snug > g.snug
}

func (f fit) public() Fit {
	return Fit{WastedMinutes: int((f.wasted + secondsPerMinute - 1) / secondsPerMinute), SnugEnds: f.snug}
}

// fitIn scores the hold [from, to) cut from the free window w by the gaps it
// leaves on either side.
func fitIn(w span, from, to, shortest int64) fit {
	var f fit
	for _, gap := range [2]int64{from - w.from, w.to - to} {
		switch {
		case gap == 0:
			f.snug++
		case gap < shortest:
			f.wasted += gap
		}
	}
	return f
}

// candidate is a feasible start with the best resource of each pool.
type candidate struct {
	start   int64
	members [maxPools]int // per pool, the index of the chosen calendar in its set
	fit     fit
}

// compareCandidates orders the candidates of one day by rank.
func compareCandidates(a, b candidate) int {
	if c := cmp.Compare(a.fit.wasted, b.fit.wasted); c != 0 {
		return c
	}
	if c := cmp.Compare(b.fit.snug, a.fit.snug); c != 0 {
		return c
	}
	return cmp.Compare(a.start, b.start)
}
