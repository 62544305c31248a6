package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"repere/internal/schedule"
)

// Half-days of the slot search's filter.
const (
	Morning   = "am" // starts before 13:00
	Afternoon = "pm" // starts from 13:00
)

// SlotFilter narrows the booking page's slot search.
type SlotFilter struct {
	Day     time.Time // any instant of the one day wanted; zero: every day
	HalfDay string    // Morning, Afternoon or "" for both
	// RoomID, RadiologistID and PlaceID keep one resource of the kind (0: any).
	RoomID, RadiologistID, PlaceID int64
	// From is the day a page starts on (the previous page's Next); zero:
	// the earliest start.
	From time.Time
}

// SlotDay is one day of a slot search, its slots in time order.
type SlotDay struct {
	Day   time.Time // local midnight
	Slots []schedule.Slot
}

// SlotPage is one page of a slot search: a few days with slots.
type SlotPage struct {
	Days  []SlotDay
	Next  time.Time // the day the next page starts on; zero when the horizon is reached
	Names Names
}

// Slot search shape: days with slots per page, slots per day (spaced by
// slotSpacing so that a day shows its morning and its afternoon rather than
// twelve starts five minutes apart), and how far ahead a search looks.
const (
	searchDaysPerPage = 3
	searchSlotsPerDay = 8
	slotSpacing       = 30 * time.Minute
	searchWeeks       = 6
)

// afternoonMinute is where the afternoon starts, in minutes from midnight.
const afternoonMinute = 13 * 60

// SearchSlots lists the act's free slots from earliest in time order, grouped
// by day, as narrowed by the filter, one page at a time. Every slot is one the
// booking check accepts (the same plan, the same planner).
func (a *App) SearchSlots(ctx context.Context, p ActPlan, earliest time.Time, f SlotFilter) (SlotPage, error) {
	from := earliest
	if !f.From.IsZero() && f.From.After(from) {
		from = f.From
	}
	until := a.midnight(earliest).AddDate(0, 0, 7*searchWeeks)
	if !f.Day.IsZero() {
		day := a.midnight(f.Day)
		if day.After(from) {
			from = day
		}
		if next := day.AddDate(0, 0, 1); next.Before(until) {
			until = next
		}
	}
	if !from.Before(until) {
		return SlotPage{}, nil
	}
	// Most pages fill within a week: loading six weeks of bookings costs
	// more than the search (see searchHorizons).
	for _, days := range []int{7, 7 * searchWeeks} {
		limit := a.midnight(from).AddDate(0, 0, days)
		if until.Before(limit) {
			limit = until
		}
		page, err := a.searchPage(ctx, p, f, from, limit)
		if full := len(page.Days) == searchDaysPerPage; full && page.Next.IsZero() && limit.Before(until) {
			page.Next = page.Days[len(page.Days)-1].Day.AddDate(0, 0, 1)
		}
		if err != nil || len(page.Days) == searchDaysPerPage || !limit.Before(until) {
			return page, err
		}
	}
	return SlotPage{}, nil
}

// searchPage searches the days of [from, until) for one page.
func (a *App) searchPage(ctx context.Context, p ActPlan, f SlotFilter, from, until time.Time) (SlotPage, error) {
	var page SlotPage
	pl, err := a.loadPlan(ctx, p, from, until)
	page.Names = pl.Names
	if err != nil {
		return page, err
	}
	keep(&pl, f)
	planner, err := schedule.New(pl.Practice)
	if errors.Is(err, schedule.ErrNoResource) {
		return page, nil
	}
	if err != nil {
		return page, err
	}
	for day := a.midnight(from); day.Before(until); day = day.AddDate(0, 0, 1) {
		if len(page.Days) == searchDaysPerPage {
			page.Next = day
			break
		}
		slots, err := a.slotsOfDay(planner, pl.Need, day, max64(from, day), until, f.HalfDay)
		if errors.Is(err, schedule.ErrNoResource) {
			return page, nil
		}
		if err != nil {
			return page, err
		}
		if len(slots) > 0 {
			page.Days = append(page.Days, SlotDay{Day: day, Slots: slots})
		}
	}
	return page, nil
}

// slotsOfDay is one day's slots in time order, spaced, within the half-day.
func (a *App) slotsOfDay(planner *schedule.Planner, need schedule.Need, day, from, until time.Time, halfDay string) ([]schedule.Slot, error) {
	end := day.AddDate(0, 0, 1)
	noon := time.Date(day.Year(), day.Month(), day.Day(), afternoonMinute/60, afternoonMinute%60, 0, 0, a.loc)
	switch halfDay {
	case Morning:
		end = noon
	case Afternoon:
		if noon.After(from) {
			from = noon
		}
	}
	if until.Before(end) {
		end = until
	}
	if !from.Before(end) {
		return nil, nil
	}
	// Every start of the day (one per 5 minutes at most), then the spaced few.
	q := schedule.Query{Window: schedule.Window{Earliest: from, Latest: end}, Count: 24 * 12, StepMinutes: 5, ShortestActMinutes: a.shortestAct()}
	all, err := planner.NextSlots(need, q)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(x, y schedule.Slot) int { return x.Start.Compare(y.Start) })
	var out []schedule.Slot
	for _, s := range all {
		if len(out) == searchSlotsPerDay {
			break
		}
		if len(out) == 0 || s.Start.Sub(out[len(out)-1].Start) >= slotSpacing {
			out = append(out, s)
		}
	}
	return out, nil
}

// keep narrows a plan to the filter's room, radiologist and place.
func keep(pl *Plan, f SlotFilter) {
	if f.RoomID != 0 {
		pl.Practice.Rooms = slices.DeleteFunc(pl.Practice.Rooms, func(r schedule.Resource) bool { return r.ID != f.RoomID })
	}
	if f.RadiologistID != 0 {
		pl.Practice.Radiologists = slices.DeleteFunc(pl.Practice.Radiologists, func(r schedule.Resource) bool { return r.ID != f.RadiologistID })
		pl.Need.Radiologists = slices.DeleteFunc(pl.Need.Radiologists, func(id int64) bool { return id != f.RadiologistID })
	}
	if f.PlaceID != 0 && pl.Need.Monitoring.PlaceKind() != "" {
		pl.Practice.Places = slices.DeleteFunc(pl.Practice.Places, func(p schedule.Place) bool { return p.ID != f.PlaceID })
	}
}

// midnight is the start of t's day in the practice's zone.
func (a *App) midnight(t time.Time) time.Time {
	y, m, d := t.In(a.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, a.loc)
}

func max64(x, y time.Time) time.Time {
	if x.After(y) {
		return x
	}
	return y
}
