package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
)

// bookForm is the booking form, kept as typed when it is refused.
type bookForm struct {
	Date, Time, Variant            string
	RoomID, RadiologistID, PlaceID int64
	AnaesthesiaID                  int64
	WithAnaesthesia                bool // asked for an act under local or general anaesthesia
	Errors                         []string
	// FieldErrors are the reasons about one field, shown next to it (and
	// in Errors too, for the summary a screen reader hears first).
	FieldErrors map[string][]string
}

// moveForm is the move form of one appointment, kept as typed when refused.
type moveForm struct {
	AppointmentID int64
	bookForm
	Reason string
}

type referralPage struct {
	Referral     referral.Referral
	Act          *catalog.Act
	ActName      string
	History      []store.ReferralEvent
	Appointments []booking.Appointment
	Rooms        []practice.Room // CT rooms
	Places       []practice.Room // places of the kind the act's monitoring needs
	Radiologists []auth.User     // those who perform the act
	Teams        []practice.AnaesthesiaTeam
	// AnaesthesiaAlways: the act is under general anaesthesia; AnaesthesiaOptional:
	// local or general, chosen at booking.
	AnaesthesiaAlways, AnaesthesiaOptional bool
	Form                                   bookForm
	Move                                   moveForm
	CanBook                                bool
	// StatusChoices are the statuses staff may set by hand; StatusForm is
	// the refused status form as typed.
	// Screening is the questionnaire's verdict for the booked date.
	Screening       app.Screening
	Earliest        string // the holds' earliest start in words (the date alone at midnight)
	Clearance       string // the creatinine clearance in words, when computed
	Findings        []findingView
	Holds           []holdView
	ScreeningErrors []string
	OverrideRule    string // the finding whose override was refused, to reopen it
	NewLink         string // a patient link just made, shown once
	IsRadiologist   bool
	StatusChoices   []referral.Status
	StatusForm      struct {
		Status, Reason string
		Errors         []string
	}
	// WaitForm is the refused waiting-list form as typed.
	WaitForm struct {
		Earliest, Latest, Notes string
		Errors                  []string
	}
	Slots slotsView // the slot finder
	// Identity is the identity vigilance block; BookBlocked says why the
	// referral cannot be booked when a person must act first.
	Identity    identityView
	BookBlocked string
	Now         time.Time // "patient absent" is offered once an appointment's time has come
}

func (s *Server) loadReferralPage(r *http.Request) (referralPage, error) {
	id, err := pathID(r)
	if err != nil {
		return referralPage{}, err
	}
	ctx := r.Context()
	p := referralPage{Now: s.now()}
	if p.Referral, err = s.store.Referral(ctx, id); err != nil {
		return p, err
	}
	p.ActName = p.Referral.ActID
	if act, ok := s.catalog.Act(p.Referral.ActID); ok {
		p.Act, p.ActName = act, act.Name.In(localizer(r).Lang)
	}
	if p.History, err = s.store.ReferralHistory(ctx, id); err != nil {
		return p, err
	}
	if p.Appointments, err = s.store.ListAppointments(ctx, store.AppointmentFilter{ReferralID: id}); err != nil {
		return p, err
	}
	if err := s.bookingChoices(r, &p); err != nil {
		return p, err
	}
	if p.Screening, err = s.app.ScreeningOf(ctx, p.Referral, app.BookedAppointment(p.Appointments)); err != nil {
		return p, err
	}
	p.Findings, p.Holds = s.verdictView(localizer(r), p.Screening)
	p.Clearance = clearanceView(localizer(r), p.Screening.Verdict.Clearance, s.loc())
	if e := p.Screening.Earliest.In(s.loc()); !e.IsZero() {
		p.Earliest = localizer(r).DateTime(e)
		if e.Hour() == 0 && e.Minute() == 0 {
			p.Earliest = localizer(r).ShortDate(e)
		}
	}
	u := currentUser(r)
	p.IsRadiologist = u.Role == auth.Radiologist
	booked := slices.ContainsFunc(p.Appointments, func(a booking.Appointment) bool { return a.Status == booking.Booked })
	if u.Role.In(bookers...) {
		for _, st := range referral.Statuses {
			if referral.CanSetStatus(p.Referral.Status, st, booked) == nil {
				p.StatusChoices = append(p.StatusChoices, st)
			}
		}
	}
	refusal := s.app.NotBookable(p.Referral, p.Appointments)
	p.CanBook = u.Role.In(bookers...) && refusal == nil
	if refusal != nil && refusal.Has("book.err.identity_to_confirm") {
		p.BookBlocked = strings.Join(s.app.Messages(refusal, localizer(r)), " ")
	}
	return p, s.loadIdentity(r, &p)
}

// placeKinds maps an act's monitoring place to the room kind that provides it.
var placeKinds = map[string]string{
	catalog.PlaceRecoveryChair: practice.RecoveryChair,
	catalog.PlaceRecoveryBed:   practice.RecoveryBed,
	catalog.PlaceWardOvernight: practice.WardBed,
}

func (s *Server) bookingChoices(r *http.Request, p *referralPage) error {
	rooms, err := s.store.Rooms(r.Context())
	if err != nil {
		return err
	}
	for _, room := range rooms {
		switch {
		case !room.Active:
		case room.Kind == practice.CT:
			p.Rooms = append(p.Rooms, room)
		case p.Act != nil && room.Kind == placeKinds[p.Act.Monitoring.Place]:
			p.Places = append(p.Places, room)
		}
	}
	doctors, err := s.store.Radiologists(r.Context())
	if err != nil {
		return err
	}
	acts, err := s.store.RadiologistActs(r.Context())
	if err != nil {
		return err
	}
	for _, d := range doctors {
		if slices.Contains(acts[d.ID], p.Referral.ActID) {
			p.Radiologists = append(p.Radiologists, d)
		}
	}
	if p.Act != nil {
		p.AnaesthesiaAlways, p.AnaesthesiaOptional = app.NeedsAnaesthesia(p.Act)
	}
	teams, err := s.store.AnaesthesiaTeams(r.Context())
	for _, t := range teams {
		if t.Active {
			p.Teams = append(p.Teams, t)
		}
	}
	return err
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	s.prefillBookForm(r, &p)
	if err := s.searchSlots(r, &p); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "referral", "referral.title", "referrals", p)
}

// prefillBookForm fills the booking form from the query: a slot chosen in
// the slot finder or proposed from the waiting list.
func (s *Server) prefillBookForm(r *http.Request, p *referralPage) {
	p.Form.Date = s.now().In(s.loc()).AddDate(0, 0, 1).Format(time.DateOnly)
	p.Form.Time = "09:00"
	q := r.URL.Query()
	if d := q.Get("date"); d != "" {
		p.Form.Date, p.Form.Time = d, q.Get("time")
	}
	p.Form.RoomID, _ = strconv.ParseInt(q.Get("room_id"), 10, 64)
	p.Form.RadiologistID, _ = strconv.ParseInt(q.Get("radiologist_id"), 10, 64)
	p.Form.PlaceID, _ = strconv.ParseInt(q.Get("place_id"), 10, 64)
	p.Form.AnaesthesiaID, _ = strconv.ParseInt(q.Get("anaesthesia_id"), 10, 64)
	p.Form.WithAnaesthesia = q.Get("with_anaesthesia") == "1" || p.Form.AnaesthesiaID != 0
	p.Form.Variant = q.Get("variant")
	if p.Act != nil && len(p.Act.Variants) > 0 && p.Form.Variant == "" {
		p.Form.Variant = p.Act.Variants[0].ID
	}
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return id
}

// readBookForm reads the booking or move form's fields.
func readBookForm(r *http.Request) bookForm {
	return bookForm{Date: r.PostFormValue("date"), Time: r.PostFormValue("time"), Variant: r.PostFormValue("variant"),
		RoomID: formID(r, "room_id"), RadiologistID: formID(r, "radiologist_id"), PlaceID: formID(r, "place_id"),
		AnaesthesiaID: formID(r, "anaesthesia_id"), WithAnaesthesia: r.PostFormValue("with_anaesthesia") == "1"}
}

// request turns the form into the slot the application checks.
func (f bookForm) request(referralID int64, start time.Time) app.BookRequest {
	return app.BookRequest{ReferralID: referralID, Start: start, Variant: f.Variant, RoomID: f.RoomID, RadiologistID: f.RadiologistID,
		PlaceID: f.PlaceID, AnaesthesiaID: f.AnaesthesiaID, WithAnaesthesia: f.WithAnaesthesia}
}

// book confirms an appointment from the referral page's form; a refusal
// (a contraindication, a hold, the calendars, a slot taken meanwhile) shows
// the page again with the form as typed and every reason. The booking is
// one unit of work of the application layer (app.Book); the page shown
// again after a refusal is read afterwards, in a read unit of its own, so
// no lock of the booking is held while the free slots are searched.
func (s *Server) book(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	f := readBookForm(r)
	start, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, s.loc())
	if err != nil {
		f.Errors = append(f.Errors, l.T("book.err.when"))
		f.FieldErrors = map[string][]string{"date": {l.T("book.err.when")}}
	} else if _, err := s.app.Book(r.Context(), f.request(id, start)); err != nil {
		if f.Errors, f.FieldErrors, err = s.refusalByField(l, err); err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			p, err := s.loadReferralPage(r)
			if err != nil {
				return err
			}
			p.Form = f
			if err := s.searchSlots(r, &p); err != nil {
				return err
			}
			return s.render(w, r, http.StatusConflict, "referral", "referral.title", "referrals", p)
		}}, w, r)
	}
	s.flash(r, "book.done")
	http.Redirect(w, r, "/staff/planning?day="+f.Date, http.StatusSeeOther)
	return nil
}

// refusalStatusOf is the status of a refused move form: 422 for a reason
// to give, 409 for a slot the rules refuse.
func refusalStatusOf(m moveForm) int {
	if m.Reason == "" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// refusalStatus is the HTTP status of a refused use case: 422 for an input
// to give or correct, 409 for a rule that says no.
func refusalStatus(err error) int {
	if r, ok := app.AsRefusal(err); ok && !r.Invalid {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// refusalMessages says a use case's refusal in the user's language; any
// other error is returned as is.
func (s *Server) refusalMessages(l *i18n.Localizer, err error) ([]string, error) {
	if r, ok := app.AsRefusal(err); ok {
		return s.app.Messages(r, l), nil
	}
	return nil, err
}

// refusalByField says a use case's refusal in the user's language, every
// reason in the list and those about one field under that field's name;
// any other error is returned as is.
func (s *Server) refusalByField(l *i18n.Localizer, err error) ([]string, map[string][]string, error) {
	r, ok := app.AsRefusal(err)
	if !ok {
		return nil, nil, err
	}
	all := s.app.Messages(r, l)
	fields := map[string][]string{}
	for i, x := range r.Reasons {
		if x.Field != "" {
			fields[x.Field] = append(fields[x.Field], all[i])
		}
	}
	return all, fields, nil
}

// endAppointment cancels an appointment or marks a no-show, with a reason.
func (s *Server) endAppointment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if strings.HasSuffix(r.URL.Path, "/no-show") {
		err = s.app.NoShow(r.Context(), id, reason)
	} else {
		err = s.app.Cancel(r.Context(), id, reason)
	}
	if err != nil {
		return err
	}
	s.flash(r, "book.ended")
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/staff/planning"
	}
	if !strings.HasSuffix(r.URL.Path, "/no-show") {
		back = "/staff/waiting?freed=" + itoa(id) // who could take the freed slot
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// moveAppointment reschedules a booked appointment to the time and resources
// of its move form, keeping its durations; the old slot is freed only if the
// new one is free. A refused move shows the referral page again with the
// form as typed and the reasons.
func (s *Server) moveAppointment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l := localizer(r)
	m := moveForm{AppointmentID: id, bookForm: readBookForm(r), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	start, perr := time.ParseInLocation("2006-01-02 15:04", m.Date+" "+m.Time, s.loc())
	if perr != nil {
		m.Errors = append(m.Errors, l.T("book.err.when"))
	} else if err := s.app.Move(r.Context(), id, m.request(0, start), m.Reason); err != nil { // the use case reads the appointment's referral and variant
		if m.Errors, m.FieldErrors, err = s.refusalByField(l, err); err != nil {
			return err
		}
	}
	if len(m.Errors) == 0 {
		s.flash(r, "book.moved")
		http.Redirect(w, r, "/staff/planning?day="+start.Format(time.DateOnly), http.StatusSeeOther)
		return nil
	}
	// A refused move shows its page again, read in a read unit of its own
	// once the use case's unit is over.
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		appt, err := s.app.Appointment(r.Context(), id)
		if err != nil {
			return err
		}
		m.Variant = appt.VariantID
		if r.PostFormValue("from") == "planning" {
			p, err := s.loadMovePage(r, id)
			if err != nil {
				return err
			}
			p.Move = m
			return s.render(w, r, refusalStatusOf(m), "move", "book.move", "planning", p)
		}
		r.SetPathValue("id", itoa(appt.ReferralID))
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		p.Move = m
		return s.render(w, r, http.StatusConflict, "referral", "referral.title", "referrals", p)
	}}, w, r)
}

// setReferralStatus changes a referral's status by hand with a reason; a
// refused change shows the page again with the form as typed. The change is
// the use case's one transaction; the page (and its slot search) is read
// only for a refusal, in a read unit of its own.
func (s *Server) setReferralStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	to, reason := referral.Status(r.PostFormValue("status")), strings.TrimSpace(r.PostFormValue("reason"))
	err = s.app.SetReferralStatus(r.Context(), id, to, reason)
	_, refused := app.AsRefusal(err)
	if !refused && !errors.Is(err, referral.ErrStatusChange) {
		if err != nil {
			return err
		}
		s.flash(r, "referral.status_changed")
		http.Redirect(w, r, "/staff/referrals/"+itoa(id), http.StatusSeeOther)
		return nil
	}
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		l := localizer(r)
		p.StatusForm.Status, p.StatusForm.Reason = string(to), reason
		if reason == "" && slices.Contains(p.StatusChoices, to) {
			p.StatusForm.Errors = append(p.StatusForm.Errors, l.T("book.err.reason"))
		} else {
			p.StatusForm.Errors = append(p.StatusForm.Errors, l.T("referral.err.status"))
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "referral", "referral.title", "referrals", p)
	}}, w, r)
}
