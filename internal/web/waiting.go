package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/i18n"
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

// addToWaitingList puts a referral on the waiting list from its page.
func (s *Server) addToWaitingList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	earliest, latest := strings.TrimSpace(r.PostFormValue("earliest")), strings.TrimSpace(r.PostFormValue("latest"))
	notes := strings.TrimSpace(r.PostFormValue("notes"))
	refused := func(problems []string) error {
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadReferralPage(r)
			if err != nil {
				return err
			}
			p.WaitForm.Earliest, p.WaitForm.Latest, p.WaitForm.Notes, p.WaitForm.Errors = earliest, latest, notes, problems
			return s.render(w, r, http.StatusUnprocessableEntity, "referral", "referral.title", "referrals", p)
		}}, w, r)
	}
	if problems := waitingWindowProblems(localizer(r), earliest, latest); len(problems) > 0 {
		return refused(problems)
	}
	_, err = s.store.AddToWaitingList(r.Context(), id, earliest, latest, notes)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return refused([]string{localizer(r).T("waiting.err.already")})
	case errors.Is(err, store.ErrReferralClosed):
		return refused([]string{localizer(r).T("waiting.err.closed")})
	case err != nil:
		return err
	}
	s.flash(r, "waiting.added")
	http.Redirect(w, r, "/staff/waiting", http.StatusSeeOther)
	return nil
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

// waitingWindowProblems says what is wrong with a waiting-list window: a
// date that cannot be read, or an end before its start.
func waitingWindowProblems(l *i18n.Localizer, earliest, latest string) []string {
	var problems []string
	for _, d := range []struct{ value, label string }{{earliest, "waiting.earliest"}, {latest, "waiting.latest"}} {
		if _, err := time.Parse(time.DateOnly, d.value); d.value != "" && err != nil {
			problems = append(problems, l.T("waiting.err.date", "Field", l.T(d.label)))
		}
	}
	if len(problems) == 0 && earliest != "" && latest != "" && latest < earliest {
		problems = append(problems, l.T("waiting.err.order", "Earliest", l.T("waiting.earliest"), "Latest", l.T("waiting.latest")))
	}
	return problems
}
