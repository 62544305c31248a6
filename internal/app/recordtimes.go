package app

import (
	"time"

	"repere/internal/actrecord"
	"repere/internal/catalog"
)

// recordClockSlack is how far past the server's clock a recorded time may
// be: a workstation's clock a little ahead, an end typed as the act ends.
const recordClockSlack = 15 * time.Minute

// checkRecordTimes refuses a start or an end still to come (an act is
// recorded during or after it: tomorrow's date typed for today's is a
// slip) and warns when the act is dated another day than its appointment.
func (a *App) checkRecordTimes(booked time.Time, rec actrecord.Record, errs, warns map[string]catalog.Text) {
	latest := a.Now().Add(recordClockSlack)
	for _, f := range []struct {
		id string
		at time.Time
	}{{"start", rec.Start}, {"end", rec.End}} {
		if !f.at.IsZero() && f.at.After(latest) {
			errs[f.id] = joinText(errs[f.id], a.text("record.err.future"))
		}
	}
	if rec.Start.IsZero() {
		return
	}
	day, bookedDay := rec.Start.In(a.loc).Format(time.DateOnly), booked.In(a.loc).Format(time.DateOnly)
	if day != bookedDay {
		warn := catalog.Text{}
		for _, l := range catalog.Languages {
			warn[l] = a.i18n.For(l).T("record.warn.other_day", "Day", rec.Start.In(a.loc).Format("02/01/2006"), "Booked", booked.In(a.loc).Format("02/01/2006"))
		}
		warns["start"] = joinText(warns["start"], warn)
	}
}

// joinText appends a message to a field's, in every language.
func joinText(cur, msg catalog.Text) catalog.Text {
	if len(cur) == 0 {
		return msg
	}
	out := catalog.Text{}
	for l, s := range msg {
		out[l] = cur[l] + " " + s
	}
	return out
}
