package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/practice"
	"repere/internal/schedule"
)

// practicePage is the administration of rooms, radiologists' acts, opening
// hours and closures. Form holds what was typed in the form that was refused.
type practicePage struct {
	// Tab is the section shown (one of Tabs): the page is one section at a
	// time, so none is taller than a screen or two.
	Tab          string
	Tabs         []string
	Sites        []practice.Site
	Rooms        []practice.Room
	Radiologists []auth.User
	ActsOf       map[int64][]string
	Acts         []*catalog.Act
	HoursWeeks   []hoursWeek // one row per resource with opening hours
	Closures     []closureRow
	Resources    []resourceOption // what takes opening hours and closures
	FeedOptions  []resourceOption // what has a calendar feed: CT rooms and radiologists
	Teams        []practice.AnaesthesiaTeam
	Settings     practice.Settings
	Physicians   []practice.Physician
	Discharge    string           // the ward discharge time in effect, HH:MM
	Fees         map[int64]string // radiologist id -> extra fee in euros, as shown
	Conventions  map[int64]string // radiologist id -> convention (billing.Conventions)
	Sectors      []string
	Weekdays     []int
	Kinds        []string
	Errors       []string
	Form         map[string]string
	Feeds        []feedRow
	NewFeedURL   string // shown once after creation
}

type feedRow struct {
	ID                int64
	Resource, Created string
}

type resourceOption struct{ Value, Label string }

type hoursRow struct {
	practice.OpeningHours
	Time  string // 08:00–12:30
	Label string // the resource, the day and the time: what the delete button removes
}

// hoursWeek is one resource's weekly hours, a cell per weekday (in the
// order of practicePage.Weekdays, Monday first): a practice of ten rooms
// and radiologists reads as ten rows, not a hundred.
type hoursWeek struct {
	Resource string
	Days     [][]hoursRow
}

type closureRow struct {
	practice.Closure
	Resource, Span string
}

func (s *Server) loadPracticePage(r *http.Request) (practicePage, error) {
	ctx := r.Context()
	l := localizer(r)
	p := practicePage{Tab: practiceTab(r), Tabs: practiceTabs, Acts: s.catalog.Acts(), Weekdays: []int{1, 2, 3, 4, 5, 6, 0}, Form: map[string]string{},
		Kinds: roomKinds}
	var err error
	if p.Sites, err = s.store.Sites(ctx); err != nil {
		return p, err
	}
	if p.Rooms, err = s.store.Rooms(ctx); err != nil {
		return p, err
	}
	if p.Radiologists, err = s.store.Radiologists(ctx); err != nil {
		return p, err
	}
	if p.ActsOf, err = s.store.RadiologistActs(ctx); err != nil {
		return p, err
	}
	if p.Teams, err = s.store.AnaesthesiaTeams(ctx); err != nil {
		return p, err
	}
	if p.Settings, err = s.store.Settings(ctx); err != nil {
		return p, err
	}
	if p.Physicians, err = s.store.Physicians(ctx); err != nil {
		return p, err
	}
	p.Discharge = hhmm(cmp.Or(p.Settings.WardDischargeMinute, schedule.DefaultWardDischargeMinute))
	fees, err := s.store.RadiologistBilling(ctx)
	if err != nil {
		return p, err
	}
	p.Fees, p.Conventions, p.Sectors = map[int64]string{}, map[int64]string{}, billing.Conventions
	for id, r := range fees {
		p.Fees[id] = strconv.FormatFloat(r.ExtraFee.EUR(), 'f', 2, 64)
		p.Conventions[id] = r.Convention
	}
	names := map[string]string{}
	add := func(kind string, id int64, label string, feed bool) {
		key := kind + ":" + itoa(id)
		names[key] = label
		p.Resources = append(p.Resources, resourceOption{key, label})
		if feed {
			p.FeedOptions = append(p.FeedOptions, resourceOption{key, label})
		}
	}
	for _, room := range p.Rooms {
		if room.Kind == practice.CT {
			add(practice.ResourceRoom, room.ID, room.Name, true)
		}
	}
	for _, u := range p.Radiologists {
		add(practice.ResourceRadiologist, u.ID, u.DisplayName, true)
	}
	// Recovery places and ward beds without hours are open around the clock.
	for _, room := range p.Rooms {
		if room.Kind != practice.CT {
			add(practice.ResourceRoom, room.ID, room.Name+" ("+l.T("room_kind."+room.Kind)+")", false)
		}
	}
	for _, t := range p.Teams {
		add(practice.ResourceAnaesthesia, t.ID, t.Name+" ("+l.T("practice.anaesthesia_tag")+")", false)
	}
	hours, err := s.store.OpeningHours(ctx)
	if err != nil {
		return p, err
	}
	p.HoursWeeks = weekOfHours(hours, names, p.Weekdays, func(weekday int) string { return l.T(fmt.Sprintf("weekday.%d", weekday)) })
	feeds, err := s.store.Feeds(ctx)
	if err != nil {
		return p, err
	}
	for _, f := range feeds {
		p.Feeds = append(p.Feeds, feedRow{f.ID, names[f.ResourceKind+":"+itoa(f.ResourceID)], l.DateTime(f.CreatedAt.In(s.loc())) + " · " + f.CreatedBy})
	}
	closures, err := s.store.Closures(ctx, s.now())
	if err != nil {
		return p, err
	}
	loc := s.loc()
	for _, c := range closures {
		p.Closures = append(p.Closures, closureRow{c, names[c.ResourceKind+":"+itoa(c.ResourceID)], l.DateTime(c.From.In(loc)) + " → " + l.DateTime(c.To.In(loc))})
	}
	return p, nil
}

func hhmm(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// parseClock reads "HH:MM" as minutes from midnight; "24:00" is allowed as an end.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, false
	}
	return hh*60 + mm, true
}

// parseResource reads a "kind:id" option value; the application checks
// the resource is the practice's.
func parseResource(v string) (string, int64, bool) {
	kind, id, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	ok := err == nil && n > 0 && slices.Contains([]string{practice.ResourceRoom, practice.ResourceRadiologist, practice.ResourceAnaesthesia}, kind)
	return kind, n, ok
}

func (s *Server) practiceAdmin(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPracticePage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "practice", "practice.title", "admin", p)
}

// practiceForms are the forms of the practice page, by action: each checks
// what was typed and calls its use case (one unit of work of the
// application), giving back the problems to show.
var practiceForms = map[string]func(s *Server, r *http.Request) ([]string, error){
	"room": (*Server).saveRoom, "acts": (*Server).saveRadiologistActs, "hours": (*Server).addHours, "closure": (*Server).addClosure,
	"anaesthesia": (*Server).saveTeam, "settings": (*Server).saveSettings, "physician": (*Server).savePhysician, "fee": (*Server).saveFee,
	"delete-hours": func(s *Server, r *http.Request) ([]string, error) {
		return nil, s.app.DeleteOpeningHours(r.Context(), formID(r, "id"))
	},
	"delete-closure": func(s *Server, r *http.Request) ([]string, error) {
		return nil, s.app.DeleteClosure(r.Context(), formID(r, "id"))
	},
	"revoke-feed": func(s *Server, r *http.Request) ([]string, error) {
		return nil, s.app.RevokeFeed(r.Context(), formID(r, "id"))
	},
}

// practiceChange handles every form of the page. The change is the use
// case's one unit of work; the page is read only for a refused form, which
// shows again with its errors and what was typed, in a read unit of its own.
func (s *Server) practiceChange(w http.ResponseWriter, r *http.Request) error {
	action := r.PathValue("action")
	form, ok := practiceForms[action]
	if !ok {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	problems, err := form(s, r)
	if refusal, ok := app.AsRefusal(err); ok {
		for _, reason := range refusal.Reasons {
			problems = append(problems, reason.Key)
		}
		err = nil
	}
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadPracticePage(r)
			if err != nil {
				return err
			}
			for k := range r.PostForm {
				p.Form[k] = r.PostFormValue(k)
			}
			p.Form["_action"] = action // which form to refill
			l := localizer(r)
			for _, key := range problems {
				p.Errors = append(p.Errors, l.T(key))
			}
			return s.render(w, r, http.StatusUnprocessableEntity, "practice", "practice.title", "admin", p)
		}}, w, r)
	}
	s.flash(r, "practice.saved")
	http.Redirect(w, r, "/admin/practice?tab="+practiceTab(r), http.StatusSeeOther)
	return nil
}

var roomKinds = []string{practice.CT, practice.RecoveryChair, practice.RecoveryBed, practice.WardBed}

func (s *Server) saveRoom(r *http.Request) ([]string, error) {
	name, ae, kind := strings.TrimSpace(r.PostFormValue("name")), strings.ToUpper(strings.TrimSpace(r.PostFormValue("station_ae_title"))), r.PostFormValue("kind")
	var problems []string
	if name == "" || longerThanLimit("name", name) {
		problems = append(problems, "practice.err.room_name")
	}
	if longerThanLimit("station_ae_title", ae) || strings.ContainsAny(ae, `\`) {
		problems = append(problems, "practice.err.ae_title")
	}
	id := formID(r, "id")
	if id == 0 && !slices.Contains(roomKinds, kind) {
		problems = append(problems, "practice.err.kind")
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return nil, s.app.SaveRoom(r.Context(), practice.Room{ID: id, Name: name, Kind: kind, StationAETitle: ae, Active: id == 0 || r.PostFormValue("active") == "on"})
}

func (s *Server) saveRadiologistActs(r *http.Request) ([]string, error) {
	return nil, s.app.SetRadiologistActs(r.Context(), formID(r, "id"), r.PostForm["act"])
}

func (s *Server) addHours(r *http.Request) ([]string, error) {
	var problems []string
	kind, id, ok := parseResource(r.PostFormValue("resource"))
	if !ok {
		problems = append(problems, "practice.err.resource")
	}
	day, err := strconv.Atoi(r.PostFormValue("weekday"))
	if err != nil || day < 0 || day > 6 {
		problems = append(problems, "practice.err.weekday")
	}
	start, ok1 := parseClock(r.PostFormValue("start"))
	end, ok2 := parseClock(r.PostFormValue("end"))
	if !ok1 || !ok2 || start >= end {
		problems = append(problems, "practice.err.hours")
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return nil, s.app.AddOpeningHours(r.Context(), practice.OpeningHours{ResourceKind: kind, ResourceID: id, Weekday: day, StartMinute: start, EndMinute: end})
}

func (s *Server) addClosure(r *http.Request) ([]string, error) {
	var problems []string
	kind, id, ok := parseResource(r.PostFormValue("resource"))
	if !ok {
		problems = append(problems, "practice.err.resource")
	}
	from, err1 := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("from"), s.loc())
	to, err2 := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("to"), s.loc())
	if err1 != nil || err2 != nil || !from.Before(to) {
		problems = append(problems, "practice.err.closure")
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return nil, s.app.AddClosure(r.Context(), practice.Closure{ResourceKind: kind, ResourceID: id, From: from, To: to, Reason: strings.TrimSpace(r.PostFormValue("reason"))})
}

func (s *Server) saveTeam(r *http.Request) ([]string, error) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || longerThanLimit("name", name) {
		return []string{"practice.err.room_name"}, nil
	}
	id := formID(r, "id")
	return nil, s.app.SaveAnaesthesiaTeam(r.Context(), practice.AnaesthesiaTeam{ID: id, Name: name, Active: id == 0 || r.PostFormValue("active") == "on"})
}

func (s *Server) saveSettings(r *http.Request) ([]string, error) {
	turnover, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("turnover")))
	discharge, ok := parseClock(r.PostFormValue("ward_discharge"))
	if err != nil || !ok {
		return []string{"practice.err.settings"}, nil
	}
	return nil, s.app.SaveSettings(r.Context(), practice.Settings{TurnoverMinutes: turnover, WardDischargeMinute: discharge})
}

// savePhysician adds or edits a referring physician. The RPPS number, when
// given, is the 11-digit national identifier of health professionals.
func (s *Server) savePhysician(r *http.Request) ([]string, error) {
	ph := practice.Physician{ID: formID(r, "id"), Name: strings.TrimSpace(r.PostFormValue("name")), RPPS: strings.TrimSpace(r.PostFormValue("rpps")),
		Email: strings.TrimSpace(r.PostFormValue("email"))}
	var problems []string
	if ph.Name == "" || longerThanLimit("name", ph.Name) {
		problems = append(problems, "practice.err.physician_name")
	}
	if ph.RPPS != "" && !validRPPS(ph.RPPS) {
		problems = append(problems, "practice.err.rpps")
	}
	if ph.Email != "" && (!strings.Contains(ph.Email, "@") || longerThanLimit("email", ph.Email)) {
		problems = append(problems, "practice.err.email")
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return nil, s.app.SavePhysician(r.Context(), ph)
}

// rppsLength is the number of digits of an RPPS number.
const rppsLength = 11

func validRPPS(s string) bool {
	if len(s) != rppsLength {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// saveFee sets a radiologist's extra fee (sector 2) shown on cost estimates.
func (s *Server) saveFee(r *http.Request) ([]string, error) {
	euros, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(cmp.Or(r.PostFormValue("fee"), "0")), ",", "."), 64)
	if err != nil || euros < 0 || euros > 1000 {
		return []string{"practice.err.fee"}, nil
	}
	convention := cmp.Or(r.PostFormValue("convention"), billing.Sector1)
	if !slices.Contains(billing.Conventions, convention) {
		return []string{"practice.err.convention"}, nil
	}
	return nil, s.app.SetRadiologistBilling(r.Context(), formID(r, "id"), billing.Radiologist{Convention: convention, ExtraFee: billing.Cents(math.Round(euros * 100))})
}

// practiceTabs are the sections of the practice page, in order.
var practiceTabs = []string{"rooms", "radiologists", "anaesthesia", "settings", "hours", "closures", "physicians", "feeds"}

// tabOfAction is the section each form of the page belongs to.
var tabOfAction = map[string]string{"room": "rooms", "acts": "radiologists", "fee": "radiologists", "anaesthesia": "anaesthesia",
	"settings": "settings", "hours": "hours", "delete-hours": "hours", "closure": "closures", "delete-closure": "closures",
	"physician": "physicians", "revoke-feed": "feeds"}

// practiceTab is the section to show: the form's (a refused or saved
// change shows its own section), else ?tab=, else the rooms.
func practiceTab(r *http.Request) string {
	if r.URL.Path == "/admin/feeds" {
		return "feeds"
	}
	if t, ok := tabOfAction[r.PathValue("action")]; ok {
		return t
	}
	if t := r.URL.Query().Get("tab"); slices.Contains(practiceTabs, t) {
		return t
	}
	return "rooms"
}

// weekOfHours lays hours out as one week per resource, in the order the
// resources first appear, each day's spans by start.
func weekOfHours(hours []practice.OpeningHours, names map[string]string, weekdays []int, dayName func(int) string) []hoursWeek {
	var out []hoursWeek
	row := map[string]int{}
	column := map[int]int{}
	for i, d := range weekdays {
		column[d] = i
	}
	for _, h := range hours {
		key := h.ResourceKind + ":" + itoa(h.ResourceID)
		i, ok := row[key]
		if !ok {
			i, row[key] = len(out), len(out)
			out = append(out, hoursWeek{Resource: names[key], Days: make([][]hoursRow, len(weekdays))})
		}
		c, ok := column[h.Weekday]
		if !ok {
			continue
		}
		span := hhmm(h.StartMinute) + "–" + hhmm(h.EndMinute)
		out[i].Days[c] = append(out[i].Days[c], hoursRow{OpeningHours: h, Time: span, Label: names[key] + ", " + dayName(h.Weekday) + " " + span})
	}
	for _, w := range out {
		for _, day := range w.Days {
			slices.SortFunc(day, func(a, b hoursRow) int { return a.StartMinute - b.StartMinute })
		}
	}
	return out
}
