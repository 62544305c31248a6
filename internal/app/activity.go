package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/dose"
	"repere/internal/practice"
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
}

// Activity computes the activity figures: acts done, cancellations and
// no-shows, room and monitoring occupancy (booked minutes against opening
// hours; closures are not subtracted), the referral-to-act delay, the
// waiting list's fills and the overrides with their reasons.
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
	d := dose.Describe(delays)
	g.DelayN, g.DelayMedian, g.DelayP90 = d.N, d.Median, d.P90
}

// occupancy compares each room's booked minutes with its opening hours
// over the period (a monitoring place without hours is open day and night).
func (a *App) occupancy(ctx context.Context, q ActivityQuery, booked map[int64]int) ([]RoomOccupancy, error) {
	rooms, err := a.store.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	hours, err := a.store.OpeningHours(ctx)
	if err != nil {
		return nil, err
	}
	var out []RoomOccupancy
	for _, room := range rooms {
		if !room.Active {
			continue
		}
		weekly := map[time.Weekday]int{}
		for _, h := range hours {
			if h.ResourceKind == practice.ResourceRoom && h.ResourceID == room.ID {
				weekly[time.Weekday(h.Weekday)] += h.EndMinute - h.StartMinute
			}
		}
		monitoring := room.Kind != practice.CT
		if len(weekly) == 0 && monitoring {
			for d := time.Sunday; d <= time.Saturday; d++ {
				weekly[d] = 24 * 60
			}
		}
		r := RoomOccupancy{Name: room.Name, Monitoring: monitoring, BookedMinutes: booked[room.ID]}
		for day := q.From.In(a.loc); day.Before(q.To); day = day.AddDate(0, 0, 1) {
			r.OpenMinutes += weekly[day.Weekday()]
		}
		if r.OpenMinutes > 0 {
			r.Rate = float64(r.BookedMinutes) / float64(r.OpenMinutes)
		}
		out = append(out, r)
	}
	return out, nil
}
