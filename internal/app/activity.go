package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/practice"
	"repere/internal/schedule"
	"repere/internal/stats"
	"repere/internal/store"
)

// ActivityQuery selects the period of the activity figures and their groups.
type ActivityQuery struct {
	From, To time.Time
	GroupBy  string // "act" (default), "room", "radiologist"
}

// ActivityGroup is the activity of one act type, room or radiologist.
type ActivityGroup struct {
	Key, Label                      string
	Booked, Done, Cancelled, NoShow int
	CancelRate, NoShowRate          float64 // of the acts booked in the period
	RoomMinutes, MonitorMinutes     int     // booked, acts not cancelled
	// Delay from the referral's arrival to the act done, in days.
	DelayN                int
	DelayMedian, DelayP90 float64
}

// RoomOccupancy is a room's booked minutes against its opening hours.
type RoomOccupancy struct {
	Name                       string
	Monitoring                 bool // a recovery chair, bed or ward bed
	BookedMinutes, OpenMinutes int
	Rate                       float64
}

// MonthCount is the number of acts done in one month.
type MonthCount struct {
	Month string // YYYY-MM
	Done  int
}

// ActivityReport is the activity of a period.
type ActivityReport struct {
	Query          ActivityQuery
	Groups         []ActivityGroup
	Total          ActivityGroup
	Rooms          []RoomOccupancy
	Months         []MonthCount
	Overrides      []store.Override
	WaitingEntries int
	WaitingFilled  int
	// Verdicts: the screenings validated by a radiologist in the period,
	// by verdict, in the order clear, review, incomplete, contraindicated.
	Verdicts []VerdictCount
}

// VerdictCount is how many screenings were validated with one verdict.
type VerdictCount struct {
	Verdict string
	N       int
}

// Activity computes the activity figures: acts done, cancellations and
// no-shows, room and monitoring occupancy (booked minutes against open
// minutes: opening hours less closures), the referral-to-act delay, the
// waiting list's fills, the screenings validated by verdict and the
// overrides with their reasons.
func (a *App) Activity(ctx context.Context, q ActivityQuery) (ActivityReport, error) {
	if q.GroupBy != "room" && q.GroupBy != "radiologist" {
		q.GroupBy = "act"
	}
	out := ActivityReport{Query: q}
	raw, err := a.store.ActivityOf(ctx, q.From, q.To)
	if err != nil {
		return out, err
	}
	labels, err := a.groupLabels(ctx, q.GroupBy)
	if err != nil {
		return out, err
	}
	groups := map[string]*ActivityGroup{}
	delays := map[string][]float64{}
	booked := map[int64]int{}
	months := map[string]int{}
	for _, act := range raw.Acts {
		key := activityKey(act, q.GroupBy)
		g := groups[key]
		if g == nil {
			g = &ActivityGroup{Key: key, Label: labels[key]}
			if q.GroupBy == "act" {
				g.Label = a.actName(key)
			}
			groups[key] = g
		}
		for _, target := range []*ActivityGroup{g, &out.Total} {
			countAct(target, act)
		}
		if booking.Status(act.Status) == booking.Done {
			days := act.Start.Sub(act.ReferralAt).Hours() / 24
			delays[key] = append(delays[key], days)
			delays[""] = append(delays[""], days)
			months[act.Start.In(a.loc).Format("2006-01")]++
		}
		if booking.Status(act.Status) != booking.Cancelled {
			booked[act.RoomID] += act.RoomMinutes
			if act.PlaceID != 0 {
				booked[act.PlaceID] += act.MonitorMinutes
			}
		}
	}
	for key, g := range groups {
		finishGroup(g, delays[key])
		out.Groups = append(out.Groups, *g)
	}
	finishGroup(&out.Total, delays[""])
	slices.SortFunc(out.Groups, func(x, y ActivityGroup) int { return strings.Compare(x.Label, y.Label) })
	for m := q.From.In(a.loc); m.Before(q.To); m = time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, a.loc) {
		key := m.Format("2006-01")
		out.Months = append(out.Months, MonthCount{Month: key, Done: months[key]})
	}
	if out.Rooms, err = a.occupancy(ctx, q, booked); err != nil {
		return out, err
	}
	out.Overrides, out.WaitingEntries, out.WaitingFilled = raw.Overrides, raw.WaitingEntries, raw.WaitingFilled
	for _, v := range []string{"clear", "review", "incomplete", "contraindicated"} {
		if n := raw.Verdicts[v]; n > 0 {
			out.Verdicts = append(out.Verdicts, VerdictCount{v, n})
		}
	}
	return out, nil
}

func activityKey(act store.ActivityAct, by string) string {
	switch by {
	case "room":
		return fmt.Sprint(act.RoomID)
	case "radiologist":
		return fmt.Sprint(act.RadiologistID)
	}
	return act.ActID
}

func countAct(g *ActivityGroup, act store.ActivityAct) {
	g.Booked++
	switch booking.Status(act.Status) {
	case booking.Done:
		g.Done++
	case booking.Cancelled:
		g.Cancelled++
		return
	case booking.NoShow:
		g.NoShow++
	}
	g.RoomMinutes += act.RoomMinutes
	g.MonitorMinutes += act.MonitorMinutes
}

func finishGroup(g *ActivityGroup, delays []float64) {
	if g.Booked > 0 {
		g.CancelRate, g.NoShowRate = float64(g.Cancelled)/float64(g.Booked), float64(g.NoShow)/float64(g.Booked)
	}
	d := stats.Describe(delays)
	g.DelayN, g.DelayMedian, g.DelayP90 = d.N, d.Median, d.P90
}

// occupancy compares each room's booked minutes with its open minutes over
// the period: its weekly hours (roomHours, the booking's), less its dated
// closures.
func (a *App) occupancy(ctx context.Context, q ActivityQuery, booked map[int64]int) ([]RoomOccupancy, error) {
	rooms, err := a.store.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	hours, err := a.store.OpeningHours(ctx)
	if err != nil {
		return nil, err
	}
	closures, err := a.store.Closures(ctx, q.From)
	if err != nil {
		return nil, err
	}
	var out []RoomOccupancy
	for _, room := range rooms {
		if !room.Active {
			continue
		}
		monitoring := room.Kind != practice.CT
		weekly := map[time.Weekday][][2]int{}
		for _, h := range roomHours(room, rooms, hours) {
			weekly[h.Weekday] = append(weekly[h.Weekday], [2]int{h.StartMinute, h.EndMinute})
		}
		var closed []practice.Closure
		for _, c := range closures {
			if c.ResourceKind == practice.ResourceRoom && c.ResourceID == room.ID {
				closed = append(closed, c)
			}
		}
		r := RoomOccupancy{Name: room.Name, Monitoring: monitoring, BookedMinutes: booked[room.ID]}
		for day := q.From.In(a.loc); day.Before(q.To); day = day.AddDate(0, 0, 1) {
			for _, span := range weekly[day.Weekday()] {
				r.OpenMinutes += openMinutes(day, span, closed)
			}
		}
		if r.OpenMinutes > 0 {
			r.Rate = float64(r.BookedMinutes) / float64(r.OpenMinutes)
		}
		out = append(out, r)
	}
	return out, nil
}

// openMinutes is the part of one day's opening span (minutes from the
// day's midnight) that no closure covers.
func openMinutes(day time.Time, span [2]int, closures []practice.Closure) int {
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, span[0], 0, 0, day.Location())
	to := time.Date(day.Year(), day.Month(), day.Day(), 0, span[1], 0, 0, day.Location())
	open := to.Sub(from)
	// Closures may overlap each other: subtract the union of their parts
	// inside the span, walking them by start.
	var parts [][2]time.Time
	for _, c := range closures {
		s, e := maxTime(c.From, from), minTime(c.To, to)
		if s.Before(e) {
			parts = append(parts, [2]time.Time{s, e})
		}
	}
	slices.SortFunc(parts, func(x, y [2]time.Time) int { return x[0].Compare(y[0]) })
	var covered time.Duration
	var reach time.Time
	for _, p := range parts {
		if p[0].Before(reach) {
			p[0] = reach
		}
		if p[0].Before(p[1]) {
			covered += p[1].Sub(p[0])
			reach = p[1]
		}
	}
	return int((open - covered) / time.Minute)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// roomHours is the weekly opening of a room or monitoring place: its own
// hours; for a monitoring place that has none, a ward bed's day and night
// and the other places' the CT rooms' day (from the earliest opening to the
// latest closing of each weekday): a recovery chair is staffed while the
// practice is open. The slot search and the occupancy figures both read it.
func roomHours(room practice.Room, rooms []practice.Room, hours []practice.OpeningHours) []schedule.WeeklyHours {
	var own []schedule.WeeklyHours
	for _, h := range hours {
		if h.ResourceKind == practice.ResourceRoom && h.ResourceID == room.ID {
			own = append(own, schedule.WeeklyHours{Weekday: time.Weekday(h.Weekday), StartMinute: h.StartMinute, EndMinute: h.EndMinute})
		}
	}
	switch {
	case len(own) > 0 || room.Kind == practice.CT:
		return own
	case room.Kind == practice.WardBed:
		return schedule.EveryDay(0, 24*60)
	}
	isCT := map[int64]bool{}
	for _, r := range rooms {
		isCT[r.ID] = r.Kind == practice.CT && r.Active
	}
	var ctDay [7]*[2]int // the CT rooms' day by weekday: earliest start, latest end
	for _, h := range hours {
		if h.ResourceKind != practice.ResourceRoom || !isCT[h.ResourceID] {
			continue
		}
		if d := ctDay[h.Weekday]; d == nil {
			ctDay[h.Weekday] = &[2]int{h.StartMinute, h.EndMinute}
		} else {
			d[0], d[1] = min(d[0], h.StartMinute), max(d[1], h.EndMinute)
		}
	}
	for d, span := range ctDay {
		if span != nil {
			own = append(own, schedule.WeeklyHours{Weekday: time.Weekday(d), StartMinute: span[0], EndMinute: span[1]})
		}
	}
	return own
}
