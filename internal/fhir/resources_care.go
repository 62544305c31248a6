package fhir

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"repere/internal/practice"
)

// slotHorizonDays is how far a Slot search looks without an upper bound.
const slotHorizonDays = 60

func (h *handler) readReferral(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	r, err := h.src.Referral(ctx, n)
	if err != nil {
		return nil, err
	}
	return ServiceRequestFrom(r, h.actName(r.ActID)), nil
}

func (h *handler) searchReferrals(ctx context.Context, p *params) ([]found, int, error) {
	q := ReferralQuery{Page: p.page, IDs: p.idList(), Sort: p.sort, Changed: p.changed()}
	if toks := p.tokens("identifier"); toks != nil {
		m := &IdentifierMatch{}
		for _, t := range toks {
			switch {
			case t.system == SystemReferral:
				if id, ok := numericID(t.value); ok {
					m.IDs = append(m.IDs, id)
				}
			case !t.hasSystem:
				if id, ok := numericID(t.value); ok {
					m.IDs = append(m.IDs, id)
				}
				m.External = append(m.External, Identifier{Value: t.value})
			default:
				m.External = append(m.External, Identifier{System: t.system, Value: t.value})
			}
		}
		q.Identifier = m
	}
	q.PatientIDs = both(p.refList("patient", "Patient"), p.refList("subject", "Patient"))
	statuses, given := codes(p, "status", requestStatuses)
	q.Statuses = statuses
	authored := p.dates("authored", true)
	q.AuthoredFrom, q.AuthoredTo = authored.days()
	if err := p.check(); err != nil || given && len(statuses) == 0 || authored.empty() {
		return nil, 0, err
	}
	list, total, err := h.src.SearchReferrals(ctx, q)
	out := make([]found, len(list))
	for i, r := range list {
		out[i] = found{strconv.FormatInt(r.ID, 10), ServiceRequestFrom(r, h.actName(r.ActID))}
	}
	return out, total, err
}

func (h *handler) readAppointment(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	a, err := h.src.Appointment(ctx, n)
	if err != nil {
		return nil, err
	}
	return AppointmentFrom(a, h.actName(a.ActID), h.opts.Location), nil
}

func (h *handler) searchAppointments(ctx context.Context, p *params) ([]found, int, error) {
	q := AppointmentQuery{Page: p.page, IDs: p.idList(), Sort: p.sort, Changed: p.changed()}
	for _, t := range p.tokens("identifier") {
		switch {
		case t.system == SystemAppt:
			id, _ := numericID(t.value)
			q.IDs = both(q.IDs, []int64{id})
		case t.system == SystemAccession || !t.hasSystem:
			q.AccessionNumbers = append(q.AccessionNumbers, t.value)
		default:
			q.AccessionNumbers = []string{}
		}
	}
	q.PatientIDs = p.refList("patient", "Patient")
	q.ReferralIDs = p.refList("based-on", "ServiceRequest")
	statuses, given := codes(p, "status", appointmentStatuses)
	q.Statuses = statuses
	date := p.dates("date", false)
	q.From, q.To = date.from, date.to
	if err := p.check(); err != nil || given && len(statuses) == 0 || date.empty() {
		return nil, 0, err
	}
	list, total, err := h.src.SearchAppointments(ctx, q)
	out := make([]found, len(list))
	for i, a := range list {
		out[i] = found{strconv.FormatInt(a.ID, 10), AppointmentFrom(a, h.actName(a.ActID), h.opts.Location)}
	}
	return out, total, err
}

// ctRooms are the rooms that have a Schedule.
func (h *handler) ctRooms(ctx context.Context) ([]practice.Room, error) {
	rooms, err := h.src.Rooms(ctx)
	return slices.DeleteFunc(rooms, func(r practice.Room) bool { return r.Kind != practice.CT }), err
}

func (h *handler) readSchedule(ctx context.Context, id string) (any, error) {
	rooms, err := h.ctRooms(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		if strconv.FormatInt(r.ID, 10) == id {
			return ScheduleFrom(r), nil
		}
	}
	return nil, ErrNotFound
}

func (h *handler) searchSchedules(ctx context.Context, p *params) ([]found, int, error) {
	ids := p.list("_id")
	active := p.single("active")
	if active != "" && active != "true" && active != "false" {
		p.bad("active", "must be true or false")
	}
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	rooms, err := h.ctRooms(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []found
	for _, r := range rooms {
		rid := strconv.FormatInt(r.ID, 10)
		if ids != nil && !slices.Contains(ids, rid) || active != "" && strconv.FormatBool(r.Active) != active {
			continue
		}
		out = append(out, found{rid, ScheduleFrom(r)})
	}
	list, total := pageOf(out, p.page)
	return list, total, nil
}

var slotStatuses = map[string][]bool{"free": {true}, "busy": nil, "busy-unavailable": nil, "busy-tentative": nil, "entered-in-error": nil}

func (h *handler) searchSlots(ctx context.Context, p *params) ([]found, int, error) {
	act := p.single("service-type")
	system, actID, hasSystem := token(act)
	if act == "" {
		p.bad("service-type", "is required: the act whose free slots are searched")
	}
	unknownAct := hasSystem && system != SystemAct
	if h.opts.Catalog != nil {
		_, ok := h.opts.Catalog.Act(actID)
		unknownAct = unknownAct || !ok
	}
	start := p.dates("start", false)
	free, given := codes(p, "status", slotStatuses)
	if p.page.Count < 0 {
		p.bad("_summary", "a Slot search cannot count (slots are computed a page at a time)")
	}
	if err := p.check(); err != nil || unknownAct || given && len(free) == 0 || start.empty() {
		return nil, 0, err
	}
	now := h.opts.Now()
	from := start.from
	if from.Before(now) {
		from = now
	}
	to := start.to
	if to.IsZero() {
		to = from.AddDate(0, 0, slotHorizonDays)
	}
	if !from.Before(to) {
		return nil, 0, nil
	}
	// One more than the page tells whether there is a next page; the total
	// is known only when the search found fewer.
	slots, err := h.src.FreeSlots(ctx, actID, from, to, p.page.Offset+p.page.Count+1)
	if err != nil {
		return nil, 0, err
	}
	out := make([]found, 0, len(slots))
	name := h.actName(actID)
	for _, s := range slots {
		sl := SlotFrom(s, actID, name, h.opts.Location)
		out = append(out, found{sl.ID, sl})
	}
	list, total := pageOf(out, p.page)
	if len(slots) > p.page.Offset+p.page.Count {
		total = unknownTotal
	}
	return list, total, nil
}

// unknownTotal is the total of a search that does not know it (Slot): the
// Bundle then has no total, and a next link while there may be more.
const unknownTotal = -1

// readSlot answers a slot found earlier while it is still free.
func (h *handler) readSlot(ctx context.Context, id string) (any, error) {
	actID, roomID, start, ok := parseSlotID(id, h.opts.Location)
	if !ok || h.opts.Catalog != nil && !h.actKnown(actID) {
		return nil, ErrNotFound
	}
	slots, err := h.src.FreeSlots(ctx, actID, start, start.Add(time.Minute), 50)
	if err != nil {
		return nil, err
	}
	for _, s := range slots {
		if s.RoomID == roomID && s.Act.Start.Equal(start) {
			return SlotFrom(s, actID, h.actName(actID), h.opts.Location), nil
		}
	}
	return nil, ErrNotFound
}

func (h *handler) actKnown(actID string) bool {
	_, ok := h.opts.Catalog.Act(actID)
	return ok
}

func (h *handler) readScreening(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	s, err := h.src.Screening(ctx, n)
	if err != nil {
		return nil, err
	}
	return QuestionnaireResponseFrom(s, h.opts.Location), nil
}

var screeningStatuses = map[string][]bool{"in-progress": {false}, "completed": {true}, "amended": nil, "entered-in-error": nil, "stopped": nil}

func (h *handler) searchScreenings(ctx context.Context, p *params) ([]found, int, error) {
	referralIDs := both(p.idList(), p.refList("based-on", "ServiceRequest"))
	patientIDs := both(p.refList("patient", "Patient"), p.refList("subject", "Patient"))
	completed, given := codes(p, "status", screeningStatuses)
	if referralIDs == nil && patientIDs == nil {
		p.bad("_id", "a QuestionnaireResponse search needs _id, based-on or patient")
	}
	if err := p.check(); err != nil || given && len(completed) == 0 {
		return nil, 0, err
	}
	ids := referralIDs
	if ids == nil {
		referrals, _, err := h.src.SearchReferrals(ctx, ReferralQuery{PatientIDs: patientIDs, Page: Page{Count: MaxCount}})
		if err != nil {
			return nil, 0, err
		}
		for _, r := range referrals {
			ids = append(ids, r.ID)
		}
	}
	var out []found
	for _, id := range ids {
		s, err := h.src.Screening(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if patientIDs != nil && !slices.Contains(patientIDs, s.PatientID) || given && !slices.Contains(completed, s.Completed) {
			continue
		}
		out = append(out, found{strconv.FormatInt(id, 10), QuestionnaireResponseFrom(s, h.opts.Location)})
	}
	list, total := pageOf(out, p.page)
	return list, total, nil
}
