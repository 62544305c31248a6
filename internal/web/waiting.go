package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/store"
)

type waitingRow struct {
	store.WaitingEntry
	ActName  string
	Proposal string // link to book the freed slot, when it fits
}

type waitingPage struct {
	Entries []waitingRow
	Freed   *booking.Appointment
	When    string
}

// waitingList shows the referrals waiting for a slot. After a cancellation
// (?freed=appointment id) it proposes the freed slot to every entry it fits:
// an act needing at most the freed room and monitoring time, the same kind of
// monitoring place, a date inside the entry's window, and the freed slot's
// radiologist performing the act.
func (s *Server) waitingList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l := localizer(r)
	entries, err := s.store.WaitingList(ctx)
	if err != nil {
		return err
	}
	var page waitingPage
	if id, _ := strconv.ParseInt(r.URL.Query().Get("freed"), 10, 64); id != 0 {
		list, err := s.store.ListAppointments(ctx, store.AppointmentFilter{ID: id})
		if err != nil {
			return err
		}
		if len(list) == 1 && list[0].Start.After(s.now()) {
			page.Freed = &list[0]
			page.When = l.Date(list[0].Start.In(s.loc())) + " " + l.Time(list[0].Start.In(s.loc()))
		}
	}
	actsOf, err := s.store.RadiologistActs(ctx)
	if err != nil {
		return err
	}
	rooms, err := s.store.Rooms(ctx)
	if err != nil {
		return err
	}
	kindOf := map[int64]string{}
	for _, room := range rooms {
		kindOf[room.ID] = room.Kind
	}
	for _, e := range entries {
		row := waitingRow{WaitingEntry: e, ActName: e.ActID}
		act, ok := s.catalog.Act(e.ActID)
		if ok {
			row.ActName = act.Name.In(l.Lang)
		}
		if f := page.Freed; f != nil && ok && !e.HasAppointment && act.RoomMinutes.Value <= f.RoomMinutes &&
			kindOf[f.PlaceID] == placeKinds[act.Monitoring.Place] && act.Monitoring.Minutes <= f.MonitoringMinutes &&
			slices.Contains(actsOf[f.RadiologistID], e.ActID) && inWindow(f.Start.In(s.loc()), e.Earliest, e.Latest) {
			start := f.Start.In(s.loc())
			q := url.Values{"date": {start.Format(time.DateOnly)}, "time": {start.Format("15:04")}, "room_id": {itoa(f.RoomID)},
				"radiologist_id": {itoa(f.RadiologistID)}, "place_id": {itoa(f.PlaceID)}}
			row.Proposal = "/staff/referrals/" + itoa(e.ReferralID) + "?" + q.Encode()
		}
		page.Entries = append(page.Entries, row)
	}
	return s.render(w, r, http.StatusOK, "waiting", "waiting.title", "waiting", page)
}

func inWindow(t time.Time, earliest, latest string) bool {
	day := t.Format(time.DateOnly)
	return (earliest == "" || day >= earliest) && (latest == "" || day <= latest)
}

// addToWaitingList puts a referral on the waiting list from its page; a
// refusal (app.AddToWaitingList) shows the page again with the form open,
// what was typed kept and what is wrong said.
func (s *Server) addToWaitingList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	req := app.WaitingRequest{ReferralID: id, Earliest: strings.TrimSpace(r.PostFormValue("earliest")),
		Latest: strings.TrimSpace(r.PostFormValue("latest")), Notes: strings.TrimSpace(r.PostFormValue("notes"))}
	_, err = s.app.AddToWaitingList(r.Context(), req)
	refusal, refused := app.AsRefusal(err)
	if !refused {
		if err != nil {
			return err
		}
		s.flash(r, "waiting.added")
		http.Redirect(w, r, "/staff/waiting", http.StatusSeeOther)
		return nil
	}
	status := http.StatusConflict
	if refusal.Invalid {
		status = http.StatusUnprocessableEntity
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		if !p.CanBook { // the page has no waiting-list form to say it by
			return refusal
		}
		p.WaitForm.Earliest, p.WaitForm.Latest, p.WaitForm.Notes = req.Earliest, req.Latest, req.Notes
		p.WaitForm.Errors = s.app.Messages(refusal, localizer(r))
		return s.render(w, r, status, "referral", "referral.title", "referrals", p)
	}}, w, r)
}

// removeFromWaitingList takes an entry off the list.
func (s *Server) removeFromWaitingList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.CloseWaitingEntry(r.Context(), id, "removed"); errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusConflict, "waiting.err.gone")
	} else if err != nil {
		return err
	}
	s.flash(r, "waiting.removed")
	http.Redirect(w, r, "/staff/waiting", http.StatusSeeOther)
	return nil
}
