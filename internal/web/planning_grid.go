package web

import (
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/practice"
)

// timeGrid is the day's planning as a time grid: one row per 5 minutes,
// one column per CT room (or per radiologist), the monitoring places
// alongside. Cards sit on the rows of their times; the drop cells, every
// quarter of an hour, take a card dragged onto them to its move form.
type timeGrid struct {
	Rows    int
	Hours   []gridMark
	Columns []gridColumn
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
}

type gridCard struct {
	boardCard
	Row, Span int
	MoveLink  string // the keyboard's (and the drop's) way to move it
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

// minuteOfDay is t's wall-clock minute in loc (a DST day keeps its clock).
func minuteOfDay(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	return t.Hour()*60 + t.Minute()
}

// newTimeGrid lays out a day's appointments; byRadiologist puts one column
// per radiologist instead of one per CT room.
func (s *Server) newTimeGrid(day time.Time, cards []boardCard, rooms []practice.Room, doctors []auth.User, byRadiologist, canMove bool) *timeGrid {
	loc := s.loc()
	next := day.AddDate(0, 0, 1)
	first, last := gridFirstMinute, gridLastMinute
	for _, c := range cards {
		if c.Start.Before(day) || !c.Start.Before(next) {
			continue
		}
		first = min(first, minuteOfDay(c.Start, loc)/60*60)
		if end := c.RoomEnd; end.Before(next) {
			last = max(last, (minuteOfDay(end, loc)+59)/60*60)
		} else {
			last = 24 * 60
		}
	}
	g := &timeGrid{Rows: (last - first) / gridStep}
	for m := first; m < last; m += 60 {
		g.Hours = append(g.Hours, gridMark{Label: time.Date(2000, 1, 1, m/60, 0, 0, 0, time.UTC).Format("15") + " h", Row: (m-first)/gridStep + 1})
	}
	place := func(from, to time.Time) (row, span int) {
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
				gc := gridCard{boardCard: c}
				gc.Row, gc.Span = place(c.Start, c.RoomEnd)
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
				gc := gridCard{boardCard: c}
				gc.Row, gc.Span = place(c.RoomEnd, c.PlaceEnd)
				col.Cards = append(col.Cards, gc)
			}
		}
		if len(col.Cards) > 0 {
			g.Columns = append(g.Columns, col)
		}
	}
	return g
}
