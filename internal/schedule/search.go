package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// search is the state of one NextSlots call; its buffers are reused from
// one day to the next.
type search struct {
	planner  *Planner
	reader   *reader
	pools    []*pool
	earliest int64 // Unix seconds; no start before
	until    int64 // Unix seconds; every start before
	step     int64 // seconds; starts are local multiples of it
	shortest int64 // seconds; shorter gaps are wasted
	count    int

	feasible, scratch []span
	grid              []int64
	candidates        []candidate
	slots             []Slot
}

// NextSlots returns the next feasible slots for the need, best first (see
// the package documentation for the ranking), one per start instant. It
// returns fewer than the query's count when the window holds fewer, and
// ErrNoResource (wrapped) when the practice lacks a kind of resource the
// need holds.
func (p *Planner) NextSlots(need Need, q Query) ([]Slot, error) {
	s, err := p.newSearch(need, q)
	if err != nil {
		return nil, err
	}
	days := &s.reader.days
	// The day before is cached first so that the windows around the first
	// day never prepend to the cache while a day is being searched.
	days.containing(s.earliest - secondsPerDay)
	day := days.days[days.containing(s.earliest)]
	for day.start < s.until && len(s.slots) < s.count {
		s.searchDay(day)
		day = days.days[days.containing(day.end)]
	}
	return s.slots, nil
}

func (p *Planner) newSearch(need Need, q Query) (*search, error) {
	pools, err := p.newPools(need)
	if err != nil {
		return nil, err
	}
	for _, pl := range pools {
		if len(pl.members) == 0 {
			return nil, fmt.Errorf("%w: no %s for this act", ErrNoResource, pl.set.kind)
		}
	}
	if q.Earliest.IsZero() {
		return nil, errors.New("schedule: the query has no earliest instant")
	}
	count := cmp.Or(q.Count, DefaultCount)
	step := cmp.Or(q.StepMinutes, DefaultStepMinutes)
	shortest := cmp.Or(q.ShortestActMinutes, DefaultShortestActMinutes)
	switch {
	case count < 0:
		return nil, fmt.Errorf("schedule: slot count %d is negative", count)
	case step < 0 || step > 24*60:
		return nil, fmt.Errorf("schedule: step of %d minutes not between 1 and 1440", step)
	case shortest < 0 || shortest > 24*60:
		return nil, fmt.Errorf("schedule: shortest act of %d minutes not between 1 and 1440", shortest)
	}
	for _, pl := range pools {
		pl.reserve()
	}
	return &search{
		planner:  p,
		reader:   p.newReader(),
		pools:    pools,
		earliest: ceilUnix(q.Earliest),
		until:    ceilUnix(q.Until()),
		step:     int64(step) * secondsPerMinute,
		shortest: int64(shortest) * secondsPerMinute,
		count:    count,
		// Room for a busy day, so that the buffers rarely grow. The slots
		// and the candidates are sized to what a day gives (rankDay): a day's
		// search asks for every 5-minute start (288), and made room for
		// them all up front, 75 KB a day, most of a slot search's memory.
		feasible: make([]span, 0, 32),
		scratch:  make([]span, 0, 32),
		grid:     make([]int64, 0, 64),
	}, nil
}

// searchDay narrows the day's possible starts pool by pool, the rooms
// first since they are open the least, then ranks what is left.
func (s *search) searchDay(day localDay) {
	from, to := max(day.start, s.earliest), min(day.end, s.until)
	if from >= to {
		return
	}
	s.feasible = append(s.feasible[:0], span{from, to})
	for _, pl := range s.pools {
		pl.enterDay(&s.reader.days, day)
		pl.load(s.reader, s.feasible[0].from, s.feasible[len(s.feasible)-1].to-1, s.shortest)
		s.scratch = intersect(s.scratch[:0], s.feasible, pl.starts)
		s.feasible, s.scratch = s.scratch, s.feasible
		if len(s.feasible) == 0 {
			return
		}
	}
	s.rankDay(day)
}

// rankDay scores every start of the day's grid that all pools allow, and
// keeps the best ones.
func (s *search) rankDay(day localDay) {
	s.grid = s.grid[:0]
	for _, f := range s.feasible {
		s.grid = day.appendGrid(s.grid, f.from, f.to, s.step)
	}
	s.candidates = slices.Grow(s.candidates[:0], len(s.grid))
	for _, start := range s.grid {
		if c, ok := s.choose(start); ok {
			s.candidates = append(s.candidates, c)
		}
	}
	slices.SortFunc(s.candidates, compareCandidates)
	wanted := min(len(s.candidates), s.count-len(s.slots))
	s.slots = slices.Grow(s.slots, wanted)
	for _, c := range s.candidates[:wanted] {
		s.slots = append(s.slots, s.slot(c))
	}
}

// choose picks each pool's best resource for an act starting at start.
// Every pool allows the start by construction; ok is false only if that
// invariant were broken, in which case the start is left out rather than
// offered with a resource that is not free.
func (s *search) choose(start int64) (c candidate, ok bool) {
	c.start = start
	for k, pl := range s.pools {
		member, score, found := pl.best(start, s.shortest)
		if !found {
			return c, false
		}
		c.members[k] = member
		c.fit = c.fit.plus(score)
	}
	return c, true
}

func (s *search) slot(c candidate) Slot {
	slot := Slot{Booking: Booking{Start: s.planner.at(c.start)}, Fit: c.fit.public()}
	for k, pl := range s.pools {
		id := pl.set.calendars[c.members[k]].id
		hold := s.planner.interval(pl.holdAt(c.start))
		switch pl.set.kind {
		case KindRoom:
			slot.RoomID, slot.Room = id, hold
		case KindRadiologist:
			slot.RadiologistID, slot.Act = id, hold
		case KindPlace:
			slot.PlaceID, slot.Monitoring = id, hold
		case KindAnaesthesia:
			slot.AnaesthesiaID = id
		}
	}
	return slot
}

// at is the instant x in the site's zone.
func (p *Planner) at(x int64) time.Time { return time.Unix(x, 0).In(p.loc) }

func (p *Planner) interval(s span) Interval { return Interval{p.at(s.from), p.at(s.to)} }
