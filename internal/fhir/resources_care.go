package fhir

import (
	"context"
	"errors"
	"slices"
	"strconv"

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

// sameID merges two ways of naming one record: none is set when they differ.
func sameID(a, b int64, none *bool) int64 {
	if a != 0 && b != 0 && a != b || a < 0 || b < 0 {
		*none = true
	}
	return max(a, b)
}

func (h *handler) searchReferrals(ctx context.Context, p *params) ([]found, int, error) {
	q := ReferralQuery{Page: p.page}
	none := false
	q.ID = sameID(p.id(), 0, &none)
	if v := p.single("identifier"); v != "" {
		system, value, hasSystem := token(v)
		id, ok := numericID(value)
		none = none || !ok || hasSystem && system != SystemReferral
		q.ID = sameID(q.ID, id, &none)
	}
	q.PatientID = sameID(p.ref("patient", "Patient"), p.ref("subject", "Patient"), &none)
	statuses, given := codes(p, "status", requestStatuses)
	q.Statuses = statuses
	authored := p.dates("authored", true)
	q.AuthoredFrom, q.AuthoredTo = authored.days()
	if err := p.check(); err != nil || none || given && len(statuses) == 0 || authored.empty() {
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
	q := AppointmentQuery{Page: p.page}
	none := false
	q.ID = sameID(p.id(), 0, &none)
	if v := p.single("identifier"); v != "" {
		system, value, hasSystem := token(v)
		switch {
		case system == SystemAppt:
			id, ok := numericID(value)
			none = none || !ok
			q.ID = sameID(q.ID, id, &none)
		case system == SystemAccession || !hasSystem:
			q.AccessionNumber = value
		default:
			none = true
		}
	}
	q.PatientID = sameID(p.ref("patient", "Patient"), 0, &none)
	q.ReferralID = sameID(p.ref("based-on", "ServiceRequest"), 0, &none)
	statuses, given := codes(p, "status", appointmentStatuses)
	q.Statuses = statuses
	date := p.dates("date", false)
	q.From, q.To = date.from, date.to
	if err := p.check(); err != nil || none || given && len(statuses) == 0 || date.empty() {
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
	id := p.single("_id")
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
		if id != "" && rid != id || active != "" && strconv.FormatBool(r.Active) != active {
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
	slots, err := h.src.FreeSlots(ctx, actID, from, to, p.page.Offset+p.page.Count)
	if err != nil {
		return nil, 0, err
	}
	out := make([]found, 0, len(slots))
	name := h.actName(actID)
	for _, s := range slots {
		out = append(out, found{"", SlotFrom(s, actID, name, h.opts.Location)})
	}
	list, total := pageOf(out, p.page)
	return list, total, nil
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
	none := false
	referralID := sameID(p.id(), p.ref("based-on", "ServiceRequest"), &none)
	patientID := sameID(p.ref("patient", "Patient"), p.ref("subject", "Patient"), &none)
	completed, given := codes(p, "status", screeningStatuses)
	if referralID == 0 && patientID == 0 {
		p.bad("_id", "a QuestionnaireResponse search needs _id, based-on or patient")
	}
	if err := p.check(); err != nil || none || given && len(completed) == 0 {
		return nil, 0, err
	}
	ids := []int64{referralID}
	if referralID == 0 {
		referrals, _, err := h.src.SearchReferrals(ctx, ReferralQuery{PatientID: patientID, Page: Page{Count: MaxCount}})
		if err != nil {
			return nil, 0, err
		}
		ids = ids[:0]
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
		if patientID != 0 && s.PatientID != patientID || given && !slices.Contains(completed, s.Completed) {
			continue
		}
		out = append(out, found{strconv.FormatInt(id, 10), QuestionnaireResponseFrom(s, h.opts.Location)})
	}
	list, total := pageOf(out, p.page)
	return list, total, nil
}
