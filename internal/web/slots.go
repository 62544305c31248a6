package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"repere/internal/app"
	"repere/internal/i18n"
	"repere/internal/schedule"
)

// slotFilter is the booking page's slot filter as typed (query parameters
// day, half, f_room, f_radiologist, f_place; from pages on).
type slotFilter struct {
	Day, Half                      string
	RoomID, RadiologistID, PlaceID int64
	From                           string
	WithAnaesthesia                bool
}

func readSlotFilter(q url.Values) slotFilter {
	id := func(name string) int64 { n, _ := strconv.ParseInt(q.Get(name), 10, 64); return n }
	f := slotFilter{Day: q.Get("day"), Half: q.Get("half"), RoomID: id("f_room"), RadiologistID: id("f_radiologist"), PlaceID: id("f_place"),
		From: q.Get("from"), WithAnaesthesia: q.Get("with_anaesthesia") == "1"}
	if f.Half != app.Morning && f.Half != app.Afternoon {
		f.Half = ""
	}
	return f
}

// values are the filter's query parameters, without the page.
func (f slotFilter) values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" && value != "0" {
			v.Set(name, value)
		}
	}
	set("day", f.Day)
	set("half", f.Half)
	set("f_room", itoa(f.RoomID))
	set("f_radiologist", itoa(f.RadiologistID))
	set("f_place", itoa(f.PlaceID))
	if f.WithAnaesthesia {
		v.Set("with_anaesthesia", "1")
	}
	return v
}

// slotView is one proposed slot on the referral page.
type slotView struct {
	Time, When, Room, Radiologist, Place, Anaesthesia string
	Link                                              string // the referral page with the booking form prefilled
	Chosen                                            bool   // the slot the booking form holds
}

// slotDayView is one day of proposed slots.
type slotDayView struct {
	Day   string
	Slots []slotView
}

// slotsView is the slot finder: the filter, a page of days, the next page.
type slotsView struct {
	Filter   slotFilter
	Days     []slotDayView
	More     string // the next page's fragment, "" at the end
	Searched bool
	BadDay   bool   // the day filter is not a date
	Chosen   string // the slot the booking form holds, in words ("" when none of the list)
	Typed    bool   // the form holds a slot that is not in the list (from the waiting list, or typed)
}

// searchSlots fills one page of the slot finder for a bookable referral.
func (s *Server) searchSlots(r *http.Request, p *referralPage) error {
	if !p.CanBook {
		return nil
	}
	l := localizer(r)
	f := readSlotFilter(r.URL.Query())
	f.WithAnaesthesia = f.WithAnaesthesia || p.Form.WithAnaesthesia
	p.Slots.Filter, p.Slots.Searched = f, true
	earliest := s.app.EarliestStart(p.Screening) // a bookable referral has no booked appointment: the verdict is undated
	plan := app.ActPlan{Act: p.Act, Variant: p.Form.Variant, Anaesthesia: p.AnaesthesiaAlways || (p.AnaesthesiaOptional && f.WithAnaesthesia)}
	af := app.SlotFilter{HalfDay: f.Half, RoomID: f.RoomID, RadiologistID: f.RadiologistID, PlaceID: f.PlaceID}
	if f.Day != "" {
		day, err := time.ParseInLocation(time.DateOnly, f.Day, s.loc())
		if err != nil {
			p.Slots.BadDay = true
			return nil
		}
		af.Day = day
	}
	if f.From != "" {
		af.From, _ = time.ParseInLocation(time.DateOnly, f.From, s.loc())
	}
	page, err := s.app.SearchSlots(r.Context(), plan, earliest, af)
	if err != nil {
		return err
	}
	ref := "/staff/referrals/" + itoa(p.Referral.ID)
	for _, d := range page.Days {
		dv := slotDayView{Day: l.Date(d.Day)}
		for _, sl := range d.Slots {
			v := s.slotView(l, ref, f, plan, p.Form, sl, page.Names)
			if v.Chosen {
				p.Slots.Chosen = v.When + " · " + v.Room + " · " + v.Radiologist
				if v.Place != "" {
					p.Slots.Chosen += " · " + v.Place
				}
			}
			dv.Slots = append(dv.Slots, v)
		}
		p.Slots.Days = append(p.Slots.Days, dv)
	}
	p.Slots.Typed = p.Slots.Chosen == "" && r.URL.Query().Get("date") != ""
	if !page.Next.IsZero() {
		v := f.values()
		v.Set("from", page.Next.Format(time.DateOnly))
		p.Slots.More = ref + "/slots?" + v.Encode()
	}
	return nil
}

func (s *Server) slotView(l *i18n.Localizer, ref string, f slotFilter, plan app.ActPlan, form bookForm, sl schedule.Slot, names app.Names) slotView {
	start := sl.Start.In(s.loc())
	v := f.values()
	v.Set("date", start.Format(time.DateOnly))
	v.Set("time", start.Format("15:04"))
	v.Set("room_id", itoa(sl.RoomID))
	v.Set("radiologist_id", itoa(sl.RadiologistID))
	v.Set("place_id", itoa(sl.PlaceID))
	if plan.Variant != "" {
		v.Set("variant", plan.Variant)
	}
	if sl.AnaesthesiaID != 0 {
		v.Set("anaesthesia_id", itoa(sl.AnaesthesiaID))
		v.Set("with_anaesthesia", "1")
	}
	chosen := form.Date == v.Get("date") && form.Time == v.Get("time") && form.RoomID == sl.RoomID && form.RadiologistID == sl.RadiologistID
	return slotView{Time: l.Time(start), When: l.Date(start) + " " + l.Time(start), Room: names.Rooms[sl.RoomID], Radiologist: names.Doctors[sl.RadiologistID],
		Place: names.Rooms[sl.PlaceID], Anaesthesia: names.Teams[sl.AnaesthesiaID], Chosen: chosen,
		Link: ref + "?" + v.Encode() + "#book-h"}
}

// moreSlots answers the slot finder's filter and "more" requests: the
// results fragment for htmx, the whole page otherwise.
func (s *Server) moreSlots(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReferralPage(r)
	if err != nil {
		return err
	}
	s.prefillBookForm(r, &p)
	if err := s.searchSlots(r, &p); err != nil {
		return err
	}
	block := "slot-results"
	if r.URL.Query().Get("from") != "" {
		block = "slot-days"
	}
	if r.Header.Get("HX-Request") != "true" {
		block = "layout.html"
	}
	return s.renderBlock(w, r, http.StatusOK, "referral", block, "referral.title", "referrals", p)
}
