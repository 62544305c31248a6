package web

import (
	"context"
	"net/url"
	"slices"
	"time"

	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/practice"
	"repere/internal/schedule"
)

// slotView is one proposed slot on the referral page.
type slotView struct {
	When, Room, Radiologist, Place string
	Link                           string // the referral page with the booking form prefilled
}

// slotNames names rooms and places, and radiologists: their ids come from
// different tables and may be equal.
type slotNames struct{ rooms, doctors map[int64]string }

// practiceFor loads, for a search from earliest to until, what the slot
// search reads: rooms, radiologists who perform the act, places of the act's
// kind, their opening hours, closures and busy intervals. Monitoring places
// have no opening hours of their own yet: they are taken as always open.
func (s *Server) practiceFor(ctx context.Context, act *catalog.Act, earliest, until time.Time) (schedule.Practice, slotNames, error) {
	p := schedule.Practice{Location: s.cfg.Location}
	names := slotNames{rooms: map[int64]string{}, doctors: map[int64]string{}}
	rooms, err := s.store.Rooms(ctx)
	if err != nil {
		return p, names, err
	}
	doctors, err := s.store.Radiologists(ctx)
	if err != nil {
		return p, names, err
	}
	actsOf, err := s.store.RadiologistActs(ctx)
	if err != nil {
		return p, names, err
	}
	hours, err := s.store.OpeningHours(ctx)
	if err != nil {
		return p, names, err
	}
	closures, err := s.store.Closures(ctx, earliest.AddDate(0, 0, -1))
	if err != nil {
		return p, names, err
	}
	busy, err := s.store.BusyIntervals(ctx, earliest.AddDate(0, 0, -1), until.AddDate(0, 0, 3))
	if err != nil {
		return p, names, err
	}
	resource := func(kind, busyKind string, id int64) schedule.Resource {
		r := schedule.Resource{ID: id}
		for _, h := range hours {
			if h.ResourceKind == kind && h.ResourceID == id {
				r.Hours = append(r.Hours, schedule.WeeklyHours{Weekday: time.Weekday(h.Weekday), StartMinute: h.StartMinute, EndMinute: h.EndMinute})
			}
		}
		for _, c := range closures {
			if c.ResourceKind == kind && c.ResourceID == id {
				r.Closures = append(r.Closures, schedule.Interval{Start: c.From, End: c.To})
			}
		}
		for _, b := range busy {
			if b.Kind == busyKind && b.ResourceID == id {
				r.Busy = append(r.Busy, schedule.Interval{Start: b.From, End: b.To})
			}
		}
		return r
	}
	wantPlace := schedule.Monitoring(act.Monitoring.Place).PlaceKind()
	for _, room := range rooms {
		names.rooms[room.ID] = room.Name
		switch {
		case !room.Active:
		case room.Kind == practice.CT:
			p.Rooms = append(p.Rooms, resource(practice.ResourceRoom, "room", room.ID))
		case schedule.PlaceKind(room.Kind) == wantPlace:
			place := resource("place", "place", room.ID)
			place.Hours = schedule.EveryDay(0, 24*60)
			p.Places = append(p.Places, schedule.Place{Resource: place, Kind: wantPlace})
		}
	}
	for _, d := range doctors {
		names.doctors[d.ID] = d.DisplayName
		if slices.Contains(actsOf[d.ID], act.ID) {
			p.Radiologists = append(p.Radiologists, resource(practice.ResourceRadiologist, "radiologist", d.ID))
		}
	}
	return p, names, nil
}

// nextSlots proposes the next feasible slots for a referral's act.
func (s *Server) nextSlots(ctx context.Context, l *i18n.Localizer, referralID int64, act *catalog.Act, variant string, earliest time.Time, count int) ([]slotView, error) {
	q := schedule.Query{Window: schedule.Window{Earliest: earliest}, Count: count, StepMinutes: 5, ShortestActMinutes: s.shortestAct()}
	p, names, err := s.practiceFor(ctx, act, earliest, q.Until())
	if err != nil {
		return nil, err
	}
	var doctors []int64
	for _, r := range p.Radiologists {
		doctors = append(doctors, r.ID)
	}
	need := schedule.Need{RoomMinutes: roomMinutes(act, variant), Radiologists: doctors,
		Monitoring: schedule.Monitoring(act.Monitoring.Place), MonitoringMinutes: act.Monitoring.Minutes,
		Anaesthesia: false} // anaesthesia resources are not modelled yet
	slots, err := schedule.NextSlots(p, need, q)
	if err != nil {
		return nil, err
	}
	out := make([]slotView, 0, len(slots))
	for _, sl := range slots {
		start := sl.Start.In(s.cfg.Location)
		v := url.Values{"date": {start.Format(time.DateOnly)}, "time": {start.Format("15:04")}, "room_id": {itoa(sl.RoomID)},
			"radiologist_id": {itoa(sl.RadiologistID)}, "place_id": {itoa(sl.PlaceID)}}
		if variant != "" {
			v.Set("variant", variant)
		}
		out = append(out, slotView{When: l.Date(start) + " " + l.Time(start), Room: names.rooms[sl.RoomID], Radiologist: names.doctors[sl.RadiologistID],
			Place: names.rooms[sl.PlaceID], Link: "/staff/referrals/" + itoa(referralID) + "?" + v.Encode() + "#book-h"})
	}
	return out, nil
}

// shortestAct is the shortest room time of the catalogue: a gap shorter than
// it cannot take any act.
func (s *Server) shortestAct() int {
	shortest := 0
	for _, a := range s.catalog.Acts() {
		if shortest == 0 || a.RoomMinutes.Value < shortest {
			shortest = a.RoomMinutes.Value
		}
	}
	return shortest
}
