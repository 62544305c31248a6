package schedule

import (
	"errors"
	"fmt"
	"slices"
)

// ErrNoResource is returned by a search when the practice has no resource
// of a kind the act needs (no radiologist performing it, no ward bed, no
// anaesthesia): no slot can ever be found, whatever the calendars.
var ErrNoResource = errors.New("schedule: the practice has no resource the act needs")

// maxPools is the number of resource kinds an act can hold at once.
const maxPools = 4

// pool is the resources of one kind that can serve a need, and how the need
// holds one of them relative to the act's start.
type pool struct {
	set     *resourceSet
	members []int // indexes in set.calendars, in the practice's order
	offset  int64 // the hold starts this many seconds after the act's start
	length  int64 // and lasts this many seconds,
	// or, for an overnight stay, until the discharge time of the morning
	// after the act's day if that is later.
	overnight      bool
	dischargeClock int64 // seconds after local midnight

	// For the day being searched or checked:
	releaseAt int64  // the overnight discharge instant, 0 otherwise
	windows   []span // free windows of every member, one run per member
	bounds    []int  // member i's windows are windows[bounds[i]:bounds[i+1]]
	starts    []span // act starts at which some member can take the hold
}

// newPools lists the pools a need holds: room and radiologist always, then
// the monitoring place and the anaesthesia when needed. Unknown radiologist
// ids are skipped, and a pool may end up empty.
func (p *Planner) newPools(need Need) ([]*pool, error) {
	if err := need.validate(); err != nil {
		return nil, err
	}
	act := int64(need.RoomMinutes) * secondsPerMinute
	pools := []*pool{
		{set: &p.rooms, members: allMembers(&p.rooms), length: act + int64(need.TurnoverMinutes)*secondsPerMinute},
		{set: &p.radiologists, members: radiologistMembers(&p.radiologists, need.Radiologists), length: act},
	}
	if kind := need.Monitoring.PlaceKind(); kind != "" {
		pools = append(pools, &pool{
			set:            &p.places,
			members:        placeMembers(&p.places, kind),
			offset:         act,
			length:         int64(need.MonitoringMinutes) * secondsPerMinute,
			overnight:      need.Monitoring == OvernightInWard,
			dischargeClock: p.wardDischarge,
		})
	}
	if need.Anaesthesia {
		pools = append(pools, &pool{set: &p.anaesthesia, members: allMembers(&p.anaesthesia), length: act})
	}
	return pools, nil
}

func (need Need) validate() error {
	switch {
	case need.RoomMinutes <= 0 || need.RoomMinutes > 24*60:
		return fmt.Errorf("schedule: room minutes %d not between 1 and 1440", need.RoomMinutes)
	case need.TurnoverMinutes < 0 || need.TurnoverMinutes > 24*60:
		return fmt.Errorf("schedule: turnover minutes %d not between 0 and 1440", need.TurnoverMinutes)
	case need.MonitoringMinutes < 0 || need.MonitoringMinutes > 48*60:
		return fmt.Errorf("schedule: monitoring minutes %d not between 0 and 2880", need.MonitoringMinutes)
	}
	switch need.Monitoring {
	case "", NoMonitoring, OvernightInWard:
	case InRecoveryChair, InRecoveryBed:
		if need.MonitoringMinutes == 0 {
			return fmt.Errorf("schedule: monitoring in a %s needs its minutes", need.Monitoring.PlaceKind())
		}
	default:
		return fmt.Errorf("schedule: unknown monitoring %q", need.Monitoring)
	}
	return nil
}

func allMembers(set *resourceSet) []int {
	members := make([]int, len(set.calendars))
	for i := range members {
		members[i] = i
	}
	return members
}

// radiologistMembers keeps the practice's order, which is the order of
// preference, whatever the order of the act's list.
func radiologistMembers(set *resourceSet, ids []int64) []int {
	members := make([]int, 0, len(ids))
	for i, cal := range set.calendars {
		if slices.Contains(ids, cal.id) {
			members = append(members, i)
		}
	}
	return members
}

func placeMembers(set *resourceSet, kind PlaceKind) []int {
	var members []int
	for i, cal := range set.calendars {
		if cal.placeKind == kind {
			members = append(members, i)
		}
	}
	return members
}

// reserve sizes the day buffers for a busy day, about sixteen free windows
// per member, so that they rarely grow.
func (pl *pool) reserve() {
	pl.windows = make([]span, 0, 16*len(pl.members))
	pl.bounds = make([]int, 0, len(pl.members)+1)
	pl.starts = make([]span, 0, 16*len(pl.members))
}

// holdAt is what the pool's resource is held for when the act starts at start.
func (pl *pool) holdAt(start int64) span {
	from := start + pl.offset
	return span{from, max(from+pl.length, pl.releaseAt)}
}

// enterDay sets what depends on the act's day: the overnight discharge.
func (pl *pool) enterDay(days *dayCache, day localDay) {
	pl.releaseAt = 0
	if pl.overnight {
		next := days.days[days.containing(day.end)]
		pl.releaseAt = next.instantAt(pl.dischargeClock)
	}
}

// load computes the members' free windows around the act starts in
// [firstStart, lastStart] and the starts at which one of them can take the
// hold. The windows reach shortest seconds beyond the holds so that every
// gap a hold leaves is either measured exactly or known to be long enough.
func (pl *pool) load(r *reader, firstStart, lastStart, shortest int64) {
	lo := pl.holdAt(firstStart).from - shortest
	hi := pl.holdAt(lastStart).to + shortest
	pl.windows = pl.windows[:0]
	pl.bounds = append(pl.bounds[:0], 0)
	pl.starts = pl.starts[:0]
	for _, m := range pl.members {
		before := len(pl.windows)
		pl.windows = r.appendFree(pl.windows, &pl.set.calendars[m], lo, hi)
		pl.bounds = append(pl.bounds, len(pl.windows))
		for _, w := range pl.windows[before:] {
			pl.starts = pl.appendStarts(pl.starts, w)
		}
	}
	pl.starts = unite(pl.starts)
}

// appendStarts appends the act starts whose hold fits in the free window w.
func (pl *pool) appendStarts(dst []span, w span) []span {
	if pl.releaseAt > w.to {
		return dst
	}
	first := w.from - pl.offset
	last := w.to - pl.offset - pl.length
	if first > last {
		return dst
	}
	return append(dst, span{first, last + 1})
}

// best picks the member whose free window fits the hold of an act starting
// at start best, the first listed winning ties.
func (pl *pool) best(start, shortest int64) (member int, score fit, ok bool) {
	hold := pl.holdAt(start)
	for i, m := range pl.members {
		w, found := covering(pl.windows[pl.bounds[i]:pl.bounds[i+1]], hold.from, hold.to)
		if !found {
			continue
		}
		if f := fitIn(w, hold.from, hold.to, shortest); !ok || f.betterThan(score) {
			member, score, ok = m, f, true
		}
	}
	return member, score, ok
}
