package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/practice"
	"repere/internal/store"
)

// calendarFeed serves a room's or a radiologist's appointments as iCalendar,
// from 7 days back to 90 days ahead. The secret token in the URL is the only
// credential, because calendar applications cannot sign in; so the feed names
// patients by initials only, the act and the place, nothing more.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSuffix(r.PathValue("token"), ".ics")
	feed, err := s.store.FeedByToken(r.Context(), token)
	if err != nil {
		return err
	}
	ctx := audit.WithActor(r.Context(), audit.Actor{Login: "calendar-feed:" + itoa(feed.ID), Role: "system", RemoteAddr: remoteAddr(r)})
	filter := store.AppointmentFilter{From: s.now().AddDate(0, 0, -7), To: s.now().AddDate(0, 0, 90), Statuses: []booking.Status{booking.Booked, booking.Done}}
	if feed.ResourceKind == practice.ResourceRoom {
		filter.RoomID = feed.ResourceID
	} else {
		filter.RadiologistID = feed.ResourceID
	}
	list, err := s.store.ListAppointments(ctx, filter)
	if err != nil {
		return err
	}
	cal := ics.NewCalendarFor("Repère")
	cal.SetMethod(ics.MethodPublish)
	name, err := s.feedName(r.Context(), feed)
	if err != nil {
		return err
	}
	cal.SetXWRCalName(name)
	cal.SetName(name)
	now := s.now()
	for _, a := range list {
		// One UID per appointment and feed kind, on the practice's host: the
		// room's feed, the radiologist's and the patient's file hold the same
		// act at different times, so they are different events (RFC 5545).
		ev := cal.AddEvent(fmt.Sprintf("appointment-%d-%s@%s", a.ID, feed.ResourceKind, s.app.Host()))
		ev.SetDtStampTime(now)
		ev.SetStartAt(a.Start)
		ev.SetEndAt(a.RoomEnd)
		name := a.ActID
		if act, ok := s.catalog.Act(a.ActID); ok {
			name = act.Name.In("fr")
		}
		ev.SetSummary(name + " — " + initials(a.PatientName))
		ev.SetLocation(a.RoomName)
		ev.SetDescription(a.RadiologistName + "\n" + a.AccessionNumber)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// feedName names a feed in calendar applications: the practice, then the
// room or the radiologist.
func (s *Server) feedName(ctx context.Context, f store.Feed) (string, error) {
	sys := audit.WithActor(ctx, audit.System("calendar-feed"))
	if f.ResourceKind == practice.ResourceRoom {
		rooms, err := s.store.Rooms(sys)
		for _, r := range rooms {
			if r.ID == f.ResourceID {
				return s.cfg.PracticeName + " — " + r.Name, err
			}
		}
		return s.cfg.PracticeName, err
	}
	doctors, err := s.store.Radiologists(sys)
	for _, d := range doctors {
		if d.ID == f.ResourceID {
			return s.cfg.PracticeName + " — " + d.DisplayName, err
		}
	}
	return s.cfg.PracticeName, err
}

// initials turns "DUPRÉ Françoise (née CARON)" into "F. D.".
func initials(displayName string) string {
	if i := strings.Index(displayName, " ("); i >= 0 {
		displayName = displayName[:i]
	}
	parts := strings.Fields(displayName)
	if len(parts) < 2 {
		return "?"
	}
	first := func(s string) string { r, _ := utf8.DecodeRuneInString(s); return string(r) }
	return strings.ToUpper(first(parts[1])) + ". " + strings.ToUpper(first(parts[0])) + "."
}

// createFeed makes a subscription link for a room or a radiologist (admin).
func (s *Server) createFeed(w http.ResponseWriter, r *http.Request) error {
	kind, id, ok := parseResource(r.PostFormValue("resource"))
	if !ok {
		return errStatus(http.StatusUnprocessableEntity, "practice.err.resource")
	}
	// The feed and its audit entry in the use case's unit of work, then
	// the page showing its address once, in a read unit.
	token, err := s.app.CreateFeed(r.Context(), kind, id)
	if _, refused := app.AsRefusal(err); refused {
		return errStatus(http.StatusUnprocessableEntity, "practice.err.resource")
	}
	if err != nil {
		return err
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadPracticePage(r)
		if err != nil {
			return err
		}
		p.NewFeedURL = s.baseURL(r) + "/calendar/" + token + ".ics"
		return s.render(w, r, http.StatusCreated, "practice", "practice.title", "admin", p)
	}}, w, r)
}
