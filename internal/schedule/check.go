package schedule

import (
	"fmt"
	"slices"
	"strings"
)

// Problem says why a booking cannot be confirmed. The values are stable
// keys the web layer can translate.
type Problem string

const (
	TooEarly        Problem = "too_early"        // starts before the window's earliest instant
	TooLate         Problem = "too_late"         // starts at or after the window's latest instant
	Missing         Problem = "missing"          // the act needs this resource and none is given
	NotNeeded       Problem = "not_needed"       // a resource is given that the act does not hold
	UnknownResource Problem = "unknown_resource" // no such resource in the practice
	NotQualified    Problem = "not_qualified"    // the radiologist does not perform this act
	WrongPlaceKind  Problem = "wrong_place_kind" // the place is not of the kind the monitoring needs
	OutsideHours    Problem = "outside_hours"    // the hold is not inside the opening hours
	Closed          Problem = "closed"           // a dated closure or absence overlaps the hold
	Busy            Problem = "busy"             // an existing booking overlaps the hold
)

// Conflict is one reason why a booking cannot be confirmed.
type Conflict struct {
	Kind    ResourceKind // "" for a window problem
	ID      int64
	Problem Problem
	Hold    Interval // what the act would hold of the resource
	Blocker Interval // the closure or booking in the way, for Closed and Busy
}

func (c Conflict) String() string {
	const clock = "Mon 2 Jan 15:04"
	hold := fmt.Sprintf("%s-%s", c.Hold.Start.Format(clock), c.Hold.End.Format("15:04"))
	switch c.Problem {
	case TooEarly:
		return fmt.Sprintf("the act at %s starts before the earliest allowed instant", c.Hold.Start.Format(clock))
	case TooLate:
		return fmt.Sprintf("the act at %s starts after the latest allowed instant", c.Hold.Start.Format(clock))
	case Missing:
		return fmt.Sprintf("the act needs a %s and none is given", c.Kind)
	case NotNeeded:
		return fmt.Sprintf("%s %d is given but the act needs none", c.Kind, c.ID)
	case UnknownResource:
		return fmt.Sprintf("%s %d is not a resource of the practice", c.Kind, c.ID)
	case NotQualified:
		return fmt.Sprintf("radiologist %d does not perform this act", c.ID)
	case WrongPlaceKind:
		return fmt.Sprintf("place %d is not of the kind the monitoring needs", c.ID)
	case OutsideHours:
		return fmt.Sprintf("%s %d is not open over %s", c.Kind, c.ID, hold)
	case Closed:
		return fmt.Sprintf("%s %d is closed or absent from %s to %s, during %s", c.Kind, c.ID,
			c.Blocker.Start.Format(clock), c.Blocker.End.Format(clock), hold)
	case Busy:
		return fmt.Sprintf("%s %d is already booked %s-%s, during %s", c.Kind, c.ID,
			c.Blocker.Start.Format(clock), c.Blocker.End.Format("15:04"), hold)
	}
	return fmt.Sprintf("%s %d: %s", c.Kind, c.ID, c.Problem)
}

// Conflicts is the error Check returns when a booking cannot be confirmed;
// get it with errors.As to show each reason.
type Conflicts []Conflict

func (cs Conflicts) Error() string {
	reasons := make([]string, len(cs))
	for i, c := range cs {
		reasons[i] = c.String()
	}
	return "schedule: cannot book: " + strings.Join(reasons, "; ")
}

// Check tells whether the booking satisfies the need within the window on
// the planner's calendars: nil, Conflicts naming every obstacle, or another
// error if the need itself is invalid. Unlike a search, it does not require
// the start to be on a step of the grid.
func (p *Planner) Check(need Need, w Window, b Booking) error {
	pools, err := p.newPools(need)
	if err != nil {
		return err
	}
	r := p.newReader()
	start := b.Start.Unix()
	act := p.interval(span{start, start + int64(need.RoomMinutes)*secondsPerMinute})
	var conflicts Conflicts
	if !w.Earliest.IsZero() && b.Start.Before(w.Earliest) {
		conflicts = append(conflicts, Conflict{Problem: TooEarly, Hold: act})
	}
	if !w.Latest.IsZero() && !b.Start.Before(w.Latest) {
		conflicts = append(conflicts, Conflict{Problem: TooLate, Hold: act})
	}
	day := r.days.days[r.days.containing(start)]
	held := map[ResourceKind]bool{}
	for _, pl := range pools {
		held[pl.set.kind] = true
		pl.enterDay(&r.days, day)
		conflicts = append(conflicts, p.checkHold(r, pl, b.idOf(pl.set.kind), start)...)
	}
	for _, kind := range []ResourceKind{KindPlace, KindAnaesthesia} {
		if id := b.idOf(kind); id != 0 && !held[kind] {
			conflicts = append(conflicts, Conflict{Kind: kind, ID: id, Problem: NotNeeded, Hold: act})
		}
	}
	if len(conflicts) > 0 {
		return conflicts
	}
	return nil
}

func (b Booking) idOf(kind ResourceKind) int64 {
	switch kind {
	case KindRoom:
		return b.RoomID
	case KindRadiologist:
		return b.RadiologistID
	case KindPlace:
		return b.PlaceID
	case KindAnaesthesia:
		return b.AnaesthesiaID
	}
	return 0
}

// checkHold lists what keeps one resource from taking its hold.
func (p *Planner) checkHold(r *reader, pl *pool, id, start int64) []Conflict {
	hold := pl.holdAt(start)
	conflict := Conflict{Kind: pl.set.kind, ID: id, Hold: p.interval(hold)}
	index, known := pl.set.byID[id]
	switch {
	case id == 0:
		conflict.Problem = Missing
		return []Conflict{conflict}
	case !known:
		conflict.Problem = UnknownResource
		return []Conflict{conflict}
	case !slices.Contains(pl.members, index):
		conflict.Problem = NotQualified
		if pl.set.kind == KindPlace {
			conflict.Problem = WrongPlaceKind
		}
		return []Conflict{conflict}
	}
	cal := &pl.set.calendars[index]
	var conflicts []Conflict
	if open := r.days.openings(r.open, cal, hold.from, hold.to); len(open) != 1 || open[0] != hold {
		conflicts = append(conflicts, withProblem(conflict, OutsideHours))
	}
	for _, blocker := range overlapping(cal.closures, hold) {
		conflicts = append(conflicts, p.blocked(conflict, Closed, blocker))
	}
	for _, blocker := range overlapping(cal.busy, hold) {
		conflicts = append(conflicts, p.blocked(conflict, Busy, blocker))
	}
	return conflicts
}

func withProblem(c Conflict, problem Problem) Conflict {
	c.Problem = problem
	return c
}

func (p *Planner) blocked(c Conflict, problem Problem, blocker span) Conflict {
	c.Problem, c.Blocker = problem, p.interval(blocker)
	return c
}

// overlapping returns the spans of sorted merged spans that overlap s.
func overlapping(spans []span, s span) []span {
	first := firstEndingAfter(spans, s.from)
	last := first
	for last < len(spans) && spans[last].from < s.to {
		last++
	}
	return spans[first:last]
}

// Holds returns what a booking would hold of each resource: the act, the room
// with its turnover, and the monitoring place (until the next-morning
// discharge for an overnight stay). The store records these intervals, so
// what is booked is exactly what the search and Check reasoned about.
func (p *Planner) Holds(need Need, b Booking) (Slot, error) {
	pools, err := p.newPools(need)
	if err != nil {
		return Slot{}, err
	}
	r := p.newReader()
	start := b.Start.Unix()
	day := r.days.days[r.days.containing(start)]
	slot := Slot{Booking: b, Act: p.interval(span{start, start + int64(need.RoomMinutes)*secondsPerMinute})}
	for _, pl := range pools {
		pl.enterDay(&r.days, day)
		switch pl.set.kind {
		case KindRoom:
			slot.Room = p.interval(pl.holdAt(start))
		case KindPlace:
			slot.Monitoring = p.interval(pl.holdAt(start))
		}
	}
	return slot, nil
}
