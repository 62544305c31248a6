package web

import (
	"context"
	"errors"
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
	When, Room, Radiologist, Place, Anaesthesia string
	Link                                        string // the referral page with the booking form prefilled
}

// slotNames names rooms and places, radiologists and anaesthesia teams:
// their ids come from different tables and may be equal.
type slotNames struct{ rooms, doctors, teams map[int64]string }

// plan is what the slot search and the booking check read for one act.
type plan struct {
	practice schedule.Practice
	need     schedule.Need
	names    slotNames
}

// actPlan says what an act needs and what can serve it.
type actPlan struct {
	act         *catalog.Act
	variant     string
	anaesthesia bool // an anaesthesia team attends (general anaesthesia, or chosen for local-or-general)
	except      int64
}

// needsAnaesthesia reports whether an act always needs an anaesthesia team,
// and whether it may (local anaesthesia or general, chosen at booking).
func needsAnaesthesia(act *catalog.Act) (always, optional bool) {
	switch act.Anaesthesia.Value {
	case catalog.AnaesthesiaGeneral:
		return true, false
	case catalog.AnaesthesiaLocalOrGA:
		return false, true
	}
	return false, false
}

// loadPlan loads, for acts starting from earliest to until, the rooms, the
// radiologists who perform the act, the places of the act's monitoring kind
// and the anaesthesia teams, with their opening hours, closures and busy
// intervals (except those of the appointment being moved). A monitoring
// place without opening hours is open around the clock.
func (s *Server) loadPlan(ctx context.Context, a actPlan, earliest, until time.Time) (plan, error) {
	pl := plan{practice: schedule.Practice{Location: s.cfg.Location},
		names: slotNames{rooms: map[int64]string{}, doctors: map[int64]string{}, teams: map[int64]string{}}}
	rooms, err := s.store.Rooms(ctx)
	if err != nil {
		return pl, err
	}
	doctors, err := s.store.Radiologists(ctx)
	if err != nil {
		return pl, err
	}
	actsOf, err := s.store.RadiologistActs(ctx)
	if err != nil {
		return pl, err
	}
	teams, err := s.store.AnaesthesiaTeams(ctx)
	if err != nil {
		return pl, err
	}
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return pl, err
	}
	hours, err := s.store.OpeningHours(ctx)
	if err != nil {
		return pl, err
	}
	closures, err := s.store.Closures(ctx, earliest.AddDate(0, 0, -1))
	if err != nil {
		return pl, err
	}
	busy, err := s.store.BusyIntervals(ctx, earliest.AddDate(0, 0, -1), until.AddDate(0, 0, 3))
	if err != nil {
		return pl, err
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
			if b.Kind == busyKind && b.ResourceID == id && b.AppointmentID != a.except {
				r.Busy = append(r.Busy, schedule.Interval{Start: b.From, End: b.To})
			}
		}
		return r
	}
	p := &pl.practice
	p.WardDischargeMinute = settings.WardDischargeMinute
	wantPlace := schedule.Monitoring(a.act.Monitoring.Place).PlaceKind()
	for _, room := range rooms {
		pl.names.rooms[room.ID] = room.Name
		switch {
		case !room.Active:
		case room.Kind == practice.CT:
			p.Rooms = append(p.Rooms, resource(practice.ResourceRoom, "room", room.ID))
		case schedule.PlaceKind(room.Kind) == wantPlace:
			place := resource(practice.ResourceRoom, "place", room.ID)
			if len(place.Hours) == 0 {
				place.Hours = schedule.EveryDay(0, 24*60)
			}
			p.Places = append(p.Places, schedule.Place{Resource: place, Kind: wantPlace})
		}
	}
	var qualified []int64
	for _, d := range doctors {
		pl.names.doctors[d.ID] = d.DisplayName
		if slices.Contains(actsOf[d.ID], a.act.ID) {
			p.Radiologists = append(p.Radiologists, resource(practice.ResourceRadiologist, "radiologist", d.ID))
			qualified = append(qualified, d.ID)
		}
	}
	for _, t := range teams {
		pl.names.teams[t.ID] = t.Name
		if t.Active {
			p.Anaesthesia = append(p.Anaesthesia, resource(practice.ResourceAnaesthesia, "anaesthesia", t.ID))
		}
	}
	pl.need = schedule.Need{RoomMinutes: roomMinutes(a.act, a.variant), TurnoverMinutes: settings.TurnoverMinutes, Radiologists: qualified,
		Monitoring: schedule.Monitoring(a.act.Monitoring.Place), MonitoringMinutes: a.act.Monitoring.Minutes, Anaesthesia: a.anaesthesia}
	return pl, nil
}

// searchHorizons are the successive windows a search loads, in days: most
// searches find their slots within three days, and loading a quarter of
// bookings from the database costs far more than the search itself
// (BenchmarkReferralPageYear: 80 ms per page with the quarter, 11 ms so).
var searchHorizons = []int{3, 14, schedule.DefaultHorizonDays}

// nextSlots proposes the next feasible slots for a referral's act.
func (s *Server) nextSlots(ctx context.Context, l *i18n.Localizer, referralID int64, a actPlan, earliest time.Time, count int) ([]slotView, error) {
	var slots []schedule.Slot
	var pl plan
	for _, days := range searchHorizons {
		q := schedule.Query{Window: schedule.Window{Earliest: earliest, Latest: earliest.AddDate(0, 0, days)}, Count: count, StepMinutes: 5, ShortestActMinutes: s.shortestAct()}
		var err error
		if pl, err = s.loadPlan(ctx, a, earliest, q.Until()); err != nil {
			return nil, err
		}
		slots, err = schedule.NextSlots(pl.practice, pl.need, q)
		if errors.Is(err, schedule.ErrNoResource) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if len(slots) >= count {
			break
		}
	}
	out := make([]slotView, 0, len(slots))
	for _, sl := range slots {
		start := sl.Start.In(s.cfg.Location)
		v := url.Values{"date": {start.Format(time.DateOnly)}, "time": {start.Format("15:04")}, "room_id": {itoa(sl.RoomID)},
			"radiologist_id": {itoa(sl.RadiologistID)}, "place_id": {itoa(sl.PlaceID)}}
		if a.variant != "" {
			v.Set("variant", a.variant)
		}
		if sl.AnaesthesiaID != 0 {
			v.Set("anaesthesia_id", itoa(sl.AnaesthesiaID))
			v.Set("with_anaesthesia", "1")
		}
		out = append(out, slotView{When: l.Date(start) + " " + l.Time(start), Room: pl.names.rooms[sl.RoomID], Radiologist: pl.names.doctors[sl.RadiologistID],
			Place: pl.names.rooms[sl.PlaceID], Anaesthesia: pl.names.teams[sl.AnaesthesiaID],
			Link: "/staff/referrals/" + itoa(referralID) + "?" + v.Encode() + "#book-h"})
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
