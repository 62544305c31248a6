package schedule

import (
	"slices"
	"time"
)

const (
	secondsPerMinute = 60
	secondsPerDay    = 24 * 60 * 60
)

// piece is a stretch of a local day during which the zone's offset does not
// change, so the local clock advances with the instant: the clock at x is
// clock + (x - from). A day has one piece, or two on a daylight-saving change.
type piece struct {
	from, to int64 // Unix seconds
	clock    int64 // local seconds after midnight at from
}

// localDay is one calendar day of the site, as the instants it covers.
type localDay struct {
	start, end int64 // Unix seconds of this day's midnight and the next one's
	year       int
	month      time.Month
	day        int
	weekday    time.Weekday
	pieces     [3]piece
	pieceCount int
}

func (p *Planner) makeDay(year int, month time.Month, day int) localDay {
	midnight := time.Date(year, month, day, 0, 0, 0, 0, p.loc)
	d := localDay{
		start:   midnight.Unix(),
		end:     time.Date(year, month, day+1, 0, 0, 0, 0, p.loc).Unix(),
		year:    midnight.Year(),
		month:   midnight.Month(),
		day:     midnight.Day(),
		weekday: midnight.Weekday(),
	}
	for x := d.start; x < d.end && d.pieceCount < len(d.pieces); {
		local := time.Unix(x, 0).In(p.loc)
		to := d.end
		if _, zoneEnd := local.ZoneBounds(); !zoneEnd.IsZero() && zoneEnd.Unix() < to {
			to = zoneEnd.Unix()
		}
		hour, minute, second := local.Clock()
		d.pieces[d.pieceCount] = piece{from: x, to: to, clock: int64(hour*3600 + minute*60 + second)}
		d.pieceCount++
		x = to
	}
	return d
}

func (p *Planner) nextDay(d localDay) localDay { return p.makeDay(d.year, d.month, d.day+1) }

func (p *Planner) dayOf(x int64) localDay {
	local := time.Unix(x, 0).In(p.loc)
	return p.makeDay(local.Date())
}

func (d *localDay) piecesOf() []piece { return d.pieces[:d.pieceCount] }

// instantAt is the first instant of the day whose local clock reads at least
// clock seconds after midnight: the clock time itself, or the end of the
// daylight-saving gap it falls in.
func (d *localDay) instantAt(clock int64) int64 {
	for _, pc := range d.piecesOf() {
		if clock < pc.clock {
			return pc.from
		}
		if clock < pc.clock+(pc.to-pc.from) {
			return pc.from + clock - pc.clock
		}
	}
	return d.end
}

// appendOpenings appends to dst the instants when the local clock of this day
// is inside one of the weekly spans, in increasing order, joined to what dst
// already ends with when they touch.
func (d *localDay) appendOpenings(dst []span, spans []clockSpan) []span {
	for _, pc := range d.piecesOf() {
		pieceEnd := pc.clock + (pc.to - pc.from)
		for _, cs := range spans {
			from, to := max(cs.from, pc.clock), min(cs.to, pieceEnd)
			if from >= to {
				continue
			}
			dst = appendJoined(dst, span{pc.from + from - pc.clock, pc.from + to - pc.clock})
		}
	}
	return dst
}

// appendJoined appends s, merging it with the last span when they touch or
// overlap.
func appendJoined(dst []span, s span) []span {
	if n := len(dst); n > 0 && s.from <= dst[n-1].to {
		dst[n-1].to = max(dst[n-1].to, s.to)
		return dst
	}
	return append(dst, s)
}

// dayCache keeps the local days a search has met, in order, so that the
// days around the searched one are computed once.
type dayCache struct {
	planner *Planner
	days    []localDay
}

// containing returns the index of the day that contains x, computing the
// days up to it. Indexes stay valid until a call with an x before every
// cached day.
func (c *dayCache) containing(x int64) int {
	if len(c.days) == 0 {
		c.days = append(c.days, c.planner.dayOf(x))
	}
	for x < c.days[0].start {
		first := c.days[0]
		c.days = slices.Insert(c.days, 0, c.planner.makeDay(first.year, first.month, first.day-1))
	}
	i := int((x - c.days[0].start) / secondsPerDay)
	i = min(max(i, 0), len(c.days)-1)
	for i > 0 && c.days[i].start > x {
		i--
	}
	for x >= c.days[i].end {
		if i+1 == len(c.days) {
			c.days = append(c.days, c.planner.nextDay(c.days[i]))
		}
		i++
	}
	return i
}

// openings returns the calendar's opening hours over [lo, hi), in buf's
// storage.
func (c *dayCache) openings(buf []span, cal *calendar, lo, hi int64) []span {
	dst := buf[:0]
	for i := c.containing(lo); c.days[i].start < hi; i++ {
		day := &c.days[i]
		dst = day.appendOpenings(dst, cal.weekly[day.weekday])
		if day.end >= hi {
			break
		}
		c.containing(day.end) // make sure the next day exists
	}
	return clipSpans(dst, lo, hi)
}

// clipSpans trims spans to [lo, hi) in place, dropping what falls outside.
func clipSpans(spans []span, lo, hi int64) []span {
	kept := spans[:0]
	for _, s := range spans {
		s.from, s.to = max(s.from, lo), min(s.to, hi)
		if s.from < s.to {
			kept = append(kept, s)
		}
	}
	return kept
}

// appendGrid appends the instants of [from, to) within the day whose local
// clock is a multiple of step seconds after midnight.
func (d *localDay) appendGrid(dst []int64, from, to, step int64) []int64 {
	for _, pc := range d.piecesOf() {
		lo, hi := max(from, pc.from), min(to, pc.to)
		if lo >= hi {
			continue
		}
		clock := pc.clock + lo - pc.from
		aligned := (clock + step - 1) / step * step
		for x := pc.from + aligned - pc.clock; x < hi; x += step {
			dst = append(dst, x)
		}
	}
	return dst
}
