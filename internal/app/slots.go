package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/practice"
	"repere/internal/schedule"
	"repere/internal/store"
)

// ActPlan says what an act needs and what can serve it.
type ActPlan struct {
	Act         *catalog.Act
	Variant     string
	Anaesthesia bool  // an anaesthesia team attends
	Except      int64 // the appointment being moved: its own holds do not count
}

// Names names rooms and places, radiologists and anaesthesia teams: their
// ids come from different tables and may be equal.
type Names struct{ Rooms, Doctors, Teams map[int64]string }

// Of names a resource of a conflict ("" when unknown).
func (n Names) Of(kind schedule.ResourceKind, id int64) string {
	switch kind {
	case schedule.KindRoom, schedule.KindPlace:
		return n.Rooms[id]
	case schedule.KindRadiologist:
		return n.Doctors[id]
	case schedule.KindAnaesthesia:
		return n.Teams[id]
	}
	return ""
}

// Plan is what the slot search and the booking check read for one act.
type Plan struct {
	Practice schedule.Practice
	Need     schedule.Need
	Names    Names
}

// RoomMinutes is the act's room time, or its variant's.
func RoomMinutes(act *catalog.Act, variant string) int {
	for _, v := range act.Variants {
		if v.ID == variant {
			return v.RoomMinutes.Value
		}
	}
	return act.RoomMinutes.Value
}

// loadPlan loads, for acts starting from earliest to until, the rooms, the
// radiologists who perform the act, the places of the act's monitoring kind
// and the anaesthesia teams, with their opening hours, closures and busy
// intervals (except those of the appointment being moved). A monitoring
// place without opening hours of its own has roomHours' default.
func (a *App) loadPlan(ctx context.Context, p ActPlan, earliest, until time.Time) (Plan, error) {
	pl := Plan{Practice: schedule.Practice{Location: a.loc}, Names: Names{Rooms: map[int64]string{}, Doctors: map[int64]string{}, Teams: map[int64]string{}}}
	rooms, err := a.store.Rooms(ctx)
	if err != nil {
		return pl, err
	}
	doctors, err := a.store.Radiologists(ctx)
	if err != nil {
		return pl, err
	}
	actsOf, err := a.store.RadiologistActs(ctx)
	if err != nil {
		return pl, err
	}
	teams, err := a.store.AnaesthesiaTeams(ctx)
	if err != nil {
		return pl, err
	}
	settings, err := a.store.Settings(ctx)
	if err != nil {
		return pl, err
	}
	hours, err := a.store.OpeningHours(ctx)
	if err != nil {
		return pl, err
	}
	closures, err := a.store.Closures(ctx, earliest.AddDate(0, 0, -1))
	if err != nil {
		return pl, err
	}
	busy, err := a.store.BusyIntervals(ctx, earliest.AddDate(0, 0, -1), until.AddDate(0, 0, 3))
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
			if b.Kind == busyKind && b.ResourceID == id && b.AppointmentID != p.Except {
				r.Busy = append(r.Busy, schedule.Interval{Start: b.From, End: b.To})
			}
		}
		return r
	}
	pr := &pl.Practice
	pr.WardDischargeMinute = settings.WardDischargeMinute
	wantPlace := schedule.Monitoring(p.Act.Monitoring.Place).PlaceKind()
	for _, room := range rooms {
		pl.Names.Rooms[room.ID] = room.Name
		switch {
		case !room.Active:
		case room.Kind == practice.CT:
			pr.Rooms = append(pr.Rooms, resource(practice.ResourceRoom, "room", room.ID))
		case schedule.PlaceKind(room.Kind) == wantPlace:
			place := resource(practice.ResourceRoom, "place", room.ID)
			place.Hours = roomHours(room, rooms, hours)
			pr.Places = append(pr.Places, schedule.Place{Resource: place, Kind: wantPlace})
		}
	}
	var qualified []int64
	for _, d := range doctors {
		pl.Names.Doctors[d.ID] = d.DisplayName
		if slices.Contains(actsOf[d.ID], p.Act.ID) {
			pr.Radiologists = append(pr.Radiologists, resource(practice.ResourceRadiologist, "radiologist", d.ID))
			qualified = append(qualified, d.ID)
		}
	}
	for _, t := range teams {
		pl.Names.Teams[t.ID] = t.Name
		if t.Active {
			pr.Anaesthesia = append(pr.Anaesthesia, resource(practice.ResourceAnaesthesia, "anaesthesia", t.ID))
		}
	}
	pl.Need = schedule.Need{RoomMinutes: RoomMinutes(p.Act, p.Variant), TurnoverMinutes: settings.TurnoverMinutes, Radiologists: qualified,
		Monitoring: schedule.Monitoring(p.Act.Monitoring.Place), MonitoringMinutes: p.Act.Monitoring.Minutes, Anaesthesia: p.Anaesthesia}
	return pl, nil
}

// searchHorizons are the successive windows a search loads, in days: most
// searches find their slots within three days, and loading a quarter of
// bookings from the database costs far more than the search itself
// (BenchmarkReferralPageYear: 80 ms per page with the quarter, 11 ms so).
var searchHorizons = []int{3, 14, schedule.DefaultHorizonDays}

// NextSlots proposes the next feasible slots for an act from earliest, with
// the names of the resources they use.
func (a *App) NextSlots(ctx context.Context, p ActPlan, earliest time.Time, count int) ([]schedule.Slot, Names, error) {
	var slots []schedule.Slot
	var pl Plan
	for _, days := range searchHorizons {
		q := schedule.Query{Window: schedule.Window{Earliest: earliest, Latest: earliest.AddDate(0, 0, days)}, Count: count, StepMinutes: 5,
			ShortestActMinutes: a.shortestAct()}
		var err error
		if pl, err = a.loadPlan(ctx, p, earliest, q.Until()); err != nil {
			return nil, pl.Names, err
		}
		slots, err = schedule.NextSlots(pl.Practice, pl.Need, q)
		if errors.Is(err, schedule.ErrNoResource) {
			return nil, pl.Names, nil
		}
		if err != nil {
			return nil, pl.Names, err
		}
		if len(slots) >= count {
			break
		}
	}
	return slots, pl.Names, nil
}

// FreeSlots proposes up to count free slots for an act starting in
// [from, to), as the booking page would (the FHIR Slot search).
func (a *App) FreeSlots(ctx context.Context, actID string, from, to time.Time, count int) ([]schedule.Slot, error) {
	act, ok := a.catalog.Act(actID)
	if !ok {
		return nil, ErrNotFound
	}
	earliest := a.Now().Add(time.Hour)
	if from.After(earliest) {
		earliest = from
	}
	earliest = earliest.Truncate(5 * time.Minute)
	q := schedule.Query{Window: schedule.Window{Earliest: earliest, Latest: to}, Count: count, StepMinutes: 5, ShortestActMinutes: a.shortestAct()}
	pl, err := a.loadPlan(ctx, ActPlan{Act: act}, earliest, q.Until())
	if err != nil {
		return nil, err
	}
	slots, err := schedule.NextSlots(pl.Practice, pl.Need, q)
	if errors.Is(err, schedule.ErrNoResource) {
		return nil, nil
	}
	return slots, err
}

// shortestAct is the shortest room time of the catalogue: a gap shorter than
// it cannot take any act.
func (a *App) shortestAct() int {
	shortest := 0
	for _, act := range a.catalog.Acts() {
		if shortest == 0 || act.RoomMinutes.Value < shortest {
			shortest = act.RoomMinutes.Value
		}
	}
	return shortest
}

// ErrNotFound is a record that does not exist (or that the caller may not see).
var ErrNotFound = store.ErrNotFound

// appointment returns one appointment, or ErrNotFound.
func (a *App) appointment(ctx context.Context, id int64) (booking.Appointment, error) {
	list, err := a.store.ListAppointments(ctx, store.AppointmentFilter{ID: id})
	if err != nil {
		return booking.Appointment{}, err
	}
	if len(list) == 0 {
		return booking.Appointment{}, ErrNotFound
	}
	return list[0], nil
}

// Appointment returns one appointment, or ErrNotFound.
func (a *App) Appointment(ctx context.Context, id int64) (booking.Appointment, error) {
	return a.appointment(ctx, id)
}

func appointmentsOfReferral(id int64) store.AppointmentFilter {
	return store.AppointmentFilter{ReferralID: id}
}
