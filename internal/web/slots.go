package web

import (
	"context"
	"net/url"
	"time"

	"repere/internal/app"
	"repere/internal/i18n"
)

// slotView is one proposed slot on the referral page.
type slotView struct {
	When, Room, Radiologist, Place, Anaesthesia string
	Link                                        string // the referral page with the booking form prefilled
}

// nextSlots proposes the next feasible slots for a referral's act, each a
// link that prefills the booking form.
func (s *Server) nextSlots(ctx context.Context, l *i18n.Localizer, referralID int64, a app.ActPlan, earliest time.Time, count int) ([]slotView, error) {
	slots, names, err := s.app.NextSlots(ctx, a, earliest, count)
	if err != nil {
		return nil, err
	}
	out := make([]slotView, 0, len(slots))
	for _, sl := range slots {
		start := sl.Start.In(s.loc())
		v := url.Values{"date": {start.Format(time.DateOnly)}, "time": {start.Format("15:04")}, "room_id": {itoa(sl.RoomID)},
			"radiologist_id": {itoa(sl.RadiologistID)}, "place_id": {itoa(sl.PlaceID)}}
		if a.Variant != "" {
			v.Set("variant", a.Variant)
		}
		if sl.AnaesthesiaID != 0 {
			v.Set("anaesthesia_id", itoa(sl.AnaesthesiaID))
			v.Set("with_anaesthesia", "1")
		}
		out = append(out, slotView{When: l.Date(start) + " " + l.Time(start), Room: names.Rooms[sl.RoomID], Radiologist: names.Doctors[sl.RadiologistID],
			Place: names.Rooms[sl.PlaceID], Anaesthesia: names.Teams[sl.AnaesthesiaID],
			Link: "/staff/referrals/" + itoa(referralID) + "?" + v.Encode() + "#book-h"})
	}
	return out, nil
}
