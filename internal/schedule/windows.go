package schedule

import "slices"

// reader computes free windows of calendars. It keeps the local days it has
// met and scratch buffers, so it belongs to one search or check at a time.
type reader struct {
	days     dayCache
	open     []span
	unclosed []span
}

func (p *Planner) newReader() *reader {
	return &reader{
		days:     dayCache{planner: p, days: make([]localDay, 0, 8)},
		open:     make([]span, 0, 16),
		unclosed: make([]span, 0, 16),
	}
}

// appendFree appends to dst the calendar's free windows over [lo, hi):
// opening hours minus closures minus busy intervals, in increasing order.
func (r *reader) appendFree(dst []span, cal *calendar, lo, hi int64) []span {
	r.open = r.days.openings(r.open, cal, lo, hi)
	r.unclosed = subtract(r.unclosed[:0], r.open, cal.closures)
	return subtract(dst, r.unclosed, cal.busy)
}

// subtract appends to dst the parts of the sorted disjoint spans src that no
// blocker covers. Blockers are sorted with increasing ends, so a binary
// search skips the ones before src and the walk never goes back.
func subtract(dst, src, blockers []span) []span {
	if len(src) == 0 {
		return dst
	}
	next := firstEndingAfter(blockers, src[0].from)
	for _, s := range src {
		for next < len(blockers) && blockers[next].to <= s.from {
			next++
		}
		from := s.from
		for _, b := range blockers[next:] {
			if b.from >= s.to {
				break
			}
			if b.from > from {
				dst = append(dst, span{from, b.from})
			}
			from = max(from, b.to)
		}
		if from < s.to {
			dst = append(dst, span{from, s.to})
		}
	}
	return dst
}

// unite sorts spans and merges those that overlap or touch, in place.
func unite(spans []span) []span {
	if !slices.IsSortedFunc(spans, compareFrom) {
		slices.SortFunc(spans, compareFrom)
	}
	merged := spans[:0]
	for _, s := range spans {
		merged = appendJoined(merged, s)
	}
	return merged
}

// intersect appends to dst the instants in both sorted disjoint a and b.
func intersect(dst, a, b []span) []span {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := max(a[i].from, b[j].from), min(a[i].to, b[j].to)
		if from < to {
			dst = append(dst, span{from, to})
		}
		if a[i].to < b[j].to {
			i++
		} else {
			j++
		}
	}
	return dst
}

// covering returns the window of sorted disjoint windows that contains all
// of [from, to), if any.
func covering(windows []span, from, to int64) (span, bool) {
	i := firstEndingAfter(windows, from)
	if i == len(windows) || windows[i].from > from || windows[i].to < to {
		return span{}, false
	}
	return windows[i], true
}
