package schedule

import (
	"cmp"
	"slices"
	"time"
)

// reference is a brute-force slot finder written from the rules of the
// package documentation, minute by minute over a few days, sharing no code
// with the search: every input must fall on whole minutes.
type reference struct {
	practice Practice
	need     Need
	query    Query
	base     time.Time   // the first minute covered
	local    []time.Time // the minutes covered, in the site's zone
	rooms    [][]bool    // per resource, free at each minute
	rads     [][]bool
	places   [][]bool
	anaes    [][]bool
}

// referenceSlot is one feasible start with the best resource of each kind.
type referenceSlot struct {
	start, day int              // minute index and local date key (yyyymmdd)
	ids        [maxPools]int64  // room, radiologist, then place and anaesthesia if needed
	holds      [maxPools][2]int // minute indexes [from, to) of each hold
	wasted     int              // minutes
	snug       int              // hold ends touching a boundary
}

func newReference(p Practice, need Need, q Query) *reference {
	first := q.Earliest.In(p.Location)
	base := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, p.Location)
	end := q.Until().Add(72 * time.Hour)
	r := &reference{practice: p, need: need, query: q, base: base}
	for t := base; t.Before(end); t = t.Add(time.Minute) {
		r.local = append(r.local, t.In(p.Location))
	}
	for _, res := range p.Rooms {
		r.rooms = append(r.rooms, r.freeMinutes(res))
	}
	for _, res := range p.Radiologists {
		r.rads = append(r.rads, r.freeMinutes(res))
	}
	for _, place := range p.Places {
		r.places = append(r.places, r.freeMinutes(place.Resource))
	}
	for _, res := range p.Anaesthesia {
		r.anaes = append(r.anaes, r.freeMinutes(res))
	}
	return r
}

// freeMinutes marks the minutes when the local clock is inside an opening
// and no closure or booking covers the minute.
func (r *reference) freeMinutes(res Resource) []bool {
	free := make([]bool, len(r.local))
	for i, t := range r.local {
		minute := t.Hour()*60 + t.Minute()
		for _, h := range res.Hours {
			if h.Weekday == t.Weekday() && h.StartMinute <= minute && minute < h.EndMinute {
				free[i] = true
			}
		}
	}
	for _, iv := range slices.Concat(res.Closures, res.Busy) {
		for i := r.index(iv.Start); i < r.index(iv.End); i++ {
			if i >= 0 && i < len(free) {
				free[i] = false
			}
		}
	}
	return free
}

// index is the minute index of t, which must fall on a whole minute.
func (r *reference) index(t time.Time) int { return int(t.Sub(r.base) / time.Minute) }

func freeOver(free []bool, from, to int) bool {
	if from < 0 || to > len(free) {
		return false
	}
	for i := from; i < to; i++ {
		if !free[i] {
			return false
		}
	}
	return true
}

// gapFit measures the free minutes before and after the hold, up to the
// shortest act: zero is snug, less than the shortest act is wasted.
func gapFit(free []bool, from, to, shortest int) (wasted, snug int) {
	before := 0
	for before < shortest && from-before-1 >= 0 && free[from-before-1] {
		before++
	}
	after := 0
	for after < shortest && to+after < len(free) && free[to+after] {
		after++
	}
	for _, gap := range []int{before, after} {
		if gap == 0 {
			snug++
		} else if gap < shortest {
			wasted += gap
		}
	}
	return wasted, snug
}

// holds are the minute ranges each kind is held for an act starting at i.
func (r *reference) holds(i int) (room, act, place [2]int) {
	actEnd := i + r.need.RoomMinutes
	room = [2]int{i, actEnd + r.need.TurnoverMinutes}
	act = [2]int{i, actEnd}
	placeEnd := actEnd + r.need.MonitoringMinutes
	if r.need.Monitoring == OvernightInWard {
		day := r.local[i]
		dischargeMinute := cmp.Or(r.practice.WardDischargeMinute, DefaultWardDischargeMinute)
		discharge := time.Date(day.Year(), day.Month(), day.Day()+1, 0, dischargeMinute, 0, 0, r.practice.Location)
		placeEnd = max(placeEnd, r.index(discharge))
	}
	return room, act, [2]int{actEnd, placeEnd}
}

// slots lists every feasible start of the window, best first.
func (r *reference) slots() []referenceSlot {
	step := cmp.Or(r.query.StepMinutes, DefaultStepMinutes)
	var found []referenceSlot
	for i, t := range r.local {
		if t.Before(r.query.Earliest) || !t.Before(r.query.Until()) || (t.Hour()*60+t.Minute())%step != 0 {
			continue
		}
		if s, ok := r.slotAt(i); ok {
			found = append(found, s)
		}
	}
	slices.SortFunc(found, func(a, b referenceSlot) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.wasted, b.wasted), cmp.Compare(b.snug, a.snug), cmp.Compare(a.start, b.start))
	})
	return found
}

func (r *reference) slotAt(i int) (referenceSlot, bool) {
	t := r.local[i]
	s := referenceSlot{start: i, day: t.Year()*10000 + int(t.Month())*100 + t.Day()}
	room, act, place := r.holds(i)
	type kind struct {
		free  [][]bool
		ids   []int64
		hold  [2]int
		allow func(k int) bool
	}
	kinds := []kind{
		{r.rooms, resourceIDs(r.practice.Rooms), room, func(int) bool { return true }},
		{r.rads, resourceIDs(r.practice.Radiologists), act, func(k int) bool {
			return slices.Contains(r.need.Radiologists, r.practice.Radiologists[k].ID)
		}},
	}
	if placeKind := r.need.Monitoring.PlaceKind(); placeKind != "" {
		kinds = append(kinds, kind{r.places, placeIDs(r.practice.Places), place, func(k int) bool {
			return r.practice.Places[k].Kind == placeKind
		}})
	}
	if r.need.Anaesthesia {
		kinds = append(kinds, kind{r.anaes, resourceIDs(r.practice.Anaesthesia), act, func(int) bool { return true }})
	}
	shortest := cmp.Or(r.query.ShortestActMinutes, DefaultShortestActMinutes)
	for n, kd := range kinds {
		best, bestWasted, bestSnug := -1, 0, 0
		for k, free := range kd.free {
			if !kd.allow(k) || !freeOver(free, kd.hold[0], kd.hold[1]) {
				continue
			}
			wasted, snug := gapFit(free, kd.hold[0], kd.hold[1], shortest)
			if best < 0 || wasted < bestWasted || wasted == bestWasted && snug > bestSnug {
				best, bestWasted, bestSnug = k, wasted, snug
			}
		}
		if best < 0 {
			return s, false
		}
		s.ids[n], s.holds[n] = kd.ids[best], kd.hold
		s.wasted += bestWasted
		s.snug += bestSnug
	}
	return s, true
}

func resourceIDs(resources []Resource) []int64 {
	ids := make([]int64, len(resources))
	for i, res := range resources {
		ids[i] = res.ID
	}
	return ids
}

func placeIDs(places []Place) []int64 {
	ids := make([]int64, len(places))
	for i, place := range places {
		ids[i] = place.ID
	}
	return ids
}

// feasible tells whether a proposed booking takes only free minutes of the
// named resources, as the reference sees it.
func (r *reference) feasible(b Booking) bool {
	i := r.index(b.Start)
	if b.Start.Before(r.query.Earliest) || (!r.query.Latest.IsZero() && !b.Start.Before(r.query.Latest)) {
		return false
	}
	room, act, place := r.holds(i)
	ok := r.takes(r.rooms, resourceIDs(r.practice.Rooms), b.RoomID, room) &&
		slices.Contains(r.need.Radiologists, b.RadiologistID) &&
		r.takes(r.rads, resourceIDs(r.practice.Radiologists), b.RadiologistID, act)
	if kind := r.need.Monitoring.PlaceKind(); kind != "" {
		k := slices.Index(placeIDs(r.practice.Places), b.PlaceID)
		ok = ok && k >= 0 && r.practice.Places[k].Kind == kind && r.takes(r.places, placeIDs(r.practice.Places), b.PlaceID, place)
	} else {
		ok = ok && b.PlaceID == 0
	}
	if r.need.Anaesthesia {
		ok = ok && r.takes(r.anaes, resourceIDs(r.practice.Anaesthesia), b.AnaesthesiaID, act)
	} else {
		ok = ok && b.AnaesthesiaID == 0
	}
	return ok
}

func (r *reference) takes(free [][]bool, ids []int64, id int64, hold [2]int) bool {
	k := slices.Index(ids, id)
	return k >= 0 && freeOver(free[k], hold[0], hold[1])
}
