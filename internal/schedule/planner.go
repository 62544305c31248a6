package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Planner answers slot searches and booking checks on one snapshot of a
// practice's calendars. Building it sorts every busy list once, so one
// Planner can serve many searches; it is safe for concurrent use.
type Planner struct {
	loc          *time.Location
	rooms        resourceSet
	radiologists resourceSet
	places       resourceSet
	anaesthesia  resourceSet
	// wardDischarge is the overnight discharge time, in seconds after local midnight.
	wardDischarge int64
}

// ResourceKind names a kind of resource in conflicts and errors.
type ResourceKind string

const (
	KindRoom        ResourceKind = "room"
	KindRadiologist ResourceKind = "radiologist"
	KindPlace       ResourceKind = "place"
	KindAnaesthesia ResourceKind = "anaesthesia"
)

// span is a half-open interval of Unix seconds: the search works on integers
// so that its inner loops neither allocate nor compare time.Time values.
type span struct{ from, to int64 }

// clockSpan is a half-open interval of seconds after local midnight.
type clockSpan struct{ from, to int64 }

// calendar is one resource prepared for searching: weekly hours merged per
// weekday, closures and busy intervals sorted with overlaps merged so that
// their ends increase too and a binary search finds the first one that
// matters.
type calendar struct {
	id        int64
	placeKind PlaceKind // places only
	weekly    [7][]clockSpan
	closures  []span
	busy      []span
}

// resourceSet is the calendars of one kind, in the practice's order.
type resourceSet struct {
	kind      ResourceKind
	calendars []calendar
	byID      map[int64]int
}

func (set *resourceSet) lookup(id int64) (*calendar, bool) {
	i, ok := set.byID[id]
	if !ok {
		return nil, false
	}
	return &set.calendars[i], true
}

// New prepares a practice's calendars for searching.
func New(p Practice) (*Planner, error) {
	if p.Location == nil {
		return nil, errors.New("schedule: the practice has no time zone")
	}
	discharge := p.WardDischargeMinute
	if discharge == 0 {
		discharge = DefaultWardDischargeMinute
	}
	if discharge < 0 || discharge >= 24*60 {
		return nil, fmt.Errorf("schedule: ward discharge minute %d is not within a day", discharge)
	}
	planner := &Planner{loc: p.Location, wardDischarge: int64(discharge) * 60}
	var err error
	if planner.rooms, err = newResourceSet(KindRoom, p.Rooms, nil); err != nil {
		return nil, err
	}
	if planner.radiologists, err = newResourceSet(KindRadiologist, p.Radiologists, nil); err != nil {
		return nil, err
	}
	if planner.anaesthesia, err = newResourceSet(KindAnaesthesia, p.Anaesthesia, nil); err != nil {
		return nil, err
	}
	resources := make([]Resource, len(p.Places))
	kinds := make([]PlaceKind, len(p.Places))
	for i, place := range p.Places {
		if place.Kind != RecoveryChair && place.Kind != RecoveryBed && place.Kind != WardBed {
			return nil, fmt.Errorf("schedule: place %d has unknown kind %q", place.ID, place.Kind)
		}
		resources[i], kinds[i] = place.Resource, place.Kind
	}
	if planner.places, err = newResourceSet(KindPlace, resources, kinds); err != nil {
		return nil, err
	}
	return planner, nil
}

// NextSlots is New followed by NextSlots, for callers that search once.
func NextSlots(p Practice, need Need, q Query) ([]Slot, error) {
	planner, err := New(p)
	if err != nil {
		return nil, err
	}
	return planner.NextSlots(need, q)
}

func newResourceSet(kind ResourceKind, resources []Resource, placeKinds []PlaceKind) (resourceSet, error) {
	set := resourceSet{kind: kind, calendars: make([]calendar, len(resources)), byID: make(map[int64]int, len(resources))}
	for i, r := range resources {
		if r.ID == 0 {
			return set, fmt.Errorf("schedule: a %s has id 0", kind)
		}
		if _, dup := set.byID[r.ID]; dup {
			return set, fmt.Errorf("schedule: %s %d is listed twice", kind, r.ID)
		}
		cal, err := newCalendar(r)
		if err != nil {
			return set, fmt.Errorf("schedule: %s %d: %w", kind, r.ID, err)
		}
		if placeKinds != nil {
			cal.placeKind = placeKinds[i]
		}
		set.byID[r.ID] = i
		set.calendars[i] = cal
	}
	return set, nil
}

func newCalendar(r Resource) (calendar, error) {
	cal := calendar{id: r.ID}
	for _, h := range r.Hours {
		if h.Weekday < time.Sunday || h.Weekday > time.Saturday {
			return cal, fmt.Errorf("weekday %d does not exist", h.Weekday)
		}
		if h.StartMinute < 0 || h.EndMinute > 24*60 || h.StartMinute >= h.EndMinute {
			return cal, fmt.Errorf("opening %d-%d on %s is not a span of one day", h.StartMinute, h.EndMinute, h.Weekday)
		}
		cal.weekly[h.Weekday] = append(cal.weekly[h.Weekday], clockSpan{int64(h.StartMinute) * 60, int64(h.EndMinute) * 60})
	}
	for day := range cal.weekly {
		cal.weekly[day] = mergeClockSpans(cal.weekly[day])
	}
	var err error
	if cal.closures, err = sortedSpans(r.Closures); err != nil {
		return cal, fmt.Errorf("closure: %w", err)
	}
	if cal.busy, err = sortedSpans(r.Busy); err != nil {
		return cal, fmt.Errorf("booking: %w", err)
	}
	return cal, nil
}

func mergeClockSpans(spans []clockSpan) []clockSpan {
	slices.SortFunc(spans, func(a, b clockSpan) int { return cmp.Compare(a.from, b.from) })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.from <= merged[n-1].to {
			merged[n-1].to = max(merged[n-1].to, s.to)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// sortedSpans converts intervals to whole seconds, widening them outwards so
// that a sub-second booking edge never frees an instant that is taken. Only
// overlapping intervals are merged: touching ones stay apart so that a
// conflict names the booking it hits.
func sortedSpans(intervals []Interval) ([]span, error) {
	spans := make([]span, 0, len(intervals))
	for _, iv := range intervals {
		if iv.End.Before(iv.Start) {
			return nil, fmt.Errorf("%s ends before it starts", iv.Start.Format(time.RFC3339))
		}
		s := span{iv.Start.Unix(), ceilUnix(iv.End)}
		if s.from < s.to {
			spans = append(spans, s)
		}
	}
	if !slices.IsSortedFunc(spans, compareFrom) {
		slices.SortFunc(spans, compareFrom)
	}
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.from < merged[n-1].to {
			merged[n-1].to = max(merged[n-1].to, s.to)
			continue
		}
		merged = append(merged, s)
	}
	return slices.Clip(merged), nil
}

func compareFrom(a, b span) int { return cmp.Compare(a.from, b.from) }

// ceilUnix is t in Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// firstEndingAfter is the index of the first span of sorted (merged) spans
// that ends after x: the first one that can still overlap [x, ...).
func firstEndingAfter(spans []span, x int64) int {
	i, _ := slices.BinarySearchFunc(spans, x, func(s span, x int64) int {
		if s.to <= x {
			return -1
		}
		return 1
	})
	return i
}
