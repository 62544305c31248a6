package web

import (
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/practice"
)

// timeGrid is the day's planning as a time grid: one row per 5 minutes,
// one column per CT room (or per radiologist), the monitoring places
// alongside. Cards sit on the rows of their times; the drop cells, every
// quarter of an hour, take a card dragged onto them to its move form.
type timeGrid struct {
	Rows        int
	Hours       []gridMark
	Columns     []gridColumn
	first, last int // minutes of the day the rows cover
}

type gridMark struct {
	Label string
	Row   int
}

type gridColumn struct {
	ID, Name string
	Place    bool // a monitoring place: cards show its use after the act
	// DropField is the move form's field a drop onto this column sets
	// (room_id or radiologist_id), DropValue its value; "" for places.
	DropField, DropValue string
	Cards                []gridCard
	Drops                []gridDrop
	Lanes                int // the week's columns: one lane per CT room
}

// gridCard holds, flat, what the grid shows of a card: html/template looks
// a field promoted from an embedded struct up by a breadth-first search
// that allocates, for every card and every field (6 % of the planning
// page's CPU when gridCard embedded boardCard, which embeds the appointment).
type gridCard struct {
	ID, ReferralID                                        int64
	ActID, ActName, PatientName, RoomName, PlaceName      string
	RadiologistName, PerformedStatus, From, To, PlaceTill string
	Status                                                booking.Status
	Safety                                                *app.Safety
	Row, Span                                             int
	Lane                                                  int    // the week's lane (1 for the first CT room)
	MoveLink                                              string // the keyboard's (and the drop's) way to move it
}

func newGridCard(c boardCard) gridCard {
	return gridCard{ID: c.ID, ReferralID: c.ReferralID, ActID: c.ActID, ActName: c.ActName, PatientName: c.PatientName,
		RoomName: c.RoomName, PlaceName: c.PlaceName, RadiologistName: c.RadiologistName, PerformedStatus: c.PerformedStatus,
		From: c.From, To: c.To, PlaceTill: c.PlaceTill, Status: c.Status, Safety: c.Safety}
}

type gridDrop struct {
	Row        int
	Date, Time string
}

// gridMinutes are the grid's default hours; a day with acts outside them
// widens the grid to the hour.
const (
	gridFirstMinute = 7 * 60
	gridLastMinute  = 19 * 60
	gridStep        = 5
)

// gridRows sizes a grid for the cards starting in [from, to) (widening the
// default hours to theirs) and returns how to place an interval of a day on
// its rows.
func (s *Server) gridRows(cards []boardCard, from, to time.Time) (*timeGrid, func(day time.Time, start, end time.Time) (int, int)) {
	loc := s.loc()
	first, last := gridFirstMinute, gridLastMinute
	for _, c := range cards {
		if c.Start.Before(from) || !c.Start.Before(to) {
			continue
		}
		first = min(first, minuteOfDay(c.Start, loc)/60*60)
		if c.RoomEnd.Sub(c.Start) < 24*time.Hour && minuteOfDay(c.RoomEnd, loc) > minuteOfDay(c.Start, loc) {
			last = max(last, (minuteOfDay(c.RoomEnd, loc)+59)/60*60)
		} else {
			last = 24 * 60
		}
	}
	g := &timeGrid{Rows: (last - first) / gridStep, first: first, last: last}
	for m := first; m < last; m += 60 {
		g.Hours = append(g.Hours, gridMark{Label: time.Date(2000, 1, 1, m/60, 0, 0, 0, time.UTC).Format("15") + " h", Row: (m-first)/gridStep + 1})
	}
	place := func(day time.Time, from, to time.Time) (row, span int) {
		next := day.AddDate(0, 0, 1)
		start := first
		if !from.Before(day) {
			start = max(first, minuteOfDay(from, loc))
		}
		end := last
		if to.Before(next) {
			end = min(last, minuteOfDay(to, loc))
		}
		row = (start-first)/gridStep + 1
		span = max(1, (end-start+gridStep-1)/gridStep)
		if row > g.Rows {
			row = g.Rows
		}
		if row+span-1 > g.Rows {
			span = g.Rows - row + 1
		}
		return row, span
	}
	return g, place
}

// minuteOfDay is t's wall-clock minute in loc (a DST day keeps its clock).
func minuteOfDay(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	return t.Hour()*60 + t.Minute()
}

// newTimeGrid lays out a day's appointments; byRadiologist puts one column
// per radiologist instead of one per CT room.
func (s *Server) newTimeGrid(day time.Time, cards []boardCard, rooms []practice.Room, doctors []auth.User, byRadiologist, canMove bool) *timeGrid {
	g, place := s.gridRows(cards, day, day.AddDate(0, 0, 1))
	first, last := g.first, g.last
	drops := func() []gridDrop {
		var out []gridDrop
		for m := first; m < last; m += 15 {
			out = append(out, gridDrop{Row: (m-first)/gridStep + 1, Date: day.Format(time.DateOnly), Time: time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")})
		}
		return out
	}
	column := func(id, name, field, value string, match func(booking.Appointment) bool) gridColumn {
		col := gridColumn{ID: id, Name: name, DropField: field, DropValue: value}
		if canMove {
			col.Drops = drops()
		}
		for _, c := range cards {
			if match(c.Appointment) {
				gc := newGridCard(c)
				gc.Row, gc.Span = place(day, c.Start, c.RoomEnd)
				if canMove && c.Status == booking.Booked {
					gc.MoveLink = "/staff/appointments/" + itoa(c.ID) + "/move"
				}
				col.Cards = append(col.Cards, gc)
			}
		}
		return col
	}
	if byRadiologist {
		for _, d := range doctors {
			id := d.ID
			col := column("doc-"+itoa(id), d.DisplayName, "radiologist_id", itoa(id), func(a booking.Appointment) bool { return a.RadiologistID == id })
			if len(col.Cards) > 0 {
				g.Columns = append(g.Columns, col)
			}
		}
	} else {
		for _, r := range rooms {
			if r.Kind == practice.CT && r.Active {
				id := r.ID
				g.Columns = append(g.Columns, column("room-"+itoa(id), r.Name, "room_id", itoa(id), func(a booking.Appointment) bool { return a.RoomID == id }))
			}
		}
	}
	// The monitoring places used that day, alongside: each use from the
	// end of the act to the end of the watch.
	for _, r := range rooms {
		if r.Kind == practice.CT {
			continue
		}
		col := gridColumn{ID: "place-" + itoa(r.ID), Name: r.Name, Place: true}
		for _, c := range cards {
			if c.PlaceID == r.ID {
				gc := newGridCard(c)
				gc.Row, gc.Span = place(day, c.RoomEnd, c.PlaceEnd)
				col.Cards = append(col.Cards, gc)
			}
		}
		if len(col.Cards) > 0 {
			g.Columns = append(g.Columns, col)
		}
	}
	return g
}

// newWeekGrid lays out a week: one column per day, one lane per CT room
// inside it; a drop moves a card to that day and time, in its room.
func (s *Server) newWeekGrid(l dayNamer, monday time.Time, cards []boardCard, rooms []practice.Room, canMove bool) *timeGrid {
	g, place := s.gridRows(cards, monday, monday.AddDate(0, 0, 7))
	lanes := map[int64]int{}
	for _, r := range rooms {
		if r.Kind == practice.CT && r.Active {
			lanes[r.ID] = len(lanes) + 1
		}
	}
	for i := range 7 {
		day := monday.AddDate(0, 0, i)
		next := day.AddDate(0, 0, 1)
		// "lundi 30" of "lundi 30 novembre 2026": seven columns share the width.
		name := l.Date(day)
		if words := strings.Fields(name); len(words) > 2 {
			name = words[0] + " " + words[1]
		}
		col := gridColumn{ID: "day-" + day.Format(time.DateOnly), Name: name, Lanes: max(1, len(lanes))}
		if canMove {
			for m := g.first; m < g.last; m += 15 {
				col.Drops = append(col.Drops, gridDrop{Row: (m-g.first)/gridStep + 1, Date: day.Format(time.DateOnly), Time: time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")})
			}
		}
		for _, c := range cards {
			if c.Start.Before(day) || !c.Start.Before(next) {
				continue
			}
			gc := newGridCard(c)
			gc.Lane = max(1, lanes[c.RoomID])
			gc.Row, gc.Span = place(day, c.Start, c.RoomEnd)
			if canMove && c.Status == booking.Booked {
				gc.MoveLink = "/staff/appointments/" + itoa(c.ID) + "/move"
			}
			col.Cards = append(col.Cards, gc)
		}
		g.Columns = append(g.Columns, col)
	}
	return g
}

// dayNamer says a day in words (the localizer).
type dayNamer interface{ Date(time.Time) string }
