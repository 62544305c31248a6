package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"repere/internal/booking"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/store"
)

// queueFollowUps asks, by email, the pain score of each follow-up day that
// is reached today, with the way to the portal; once per act and day. One
// query lists the done appointments of the days asked and the follow-ups
// each has; each email due is queued by queueFollowUp, from the record as
// it is then.
func (a *App) queueFollowUps(ctx context.Context) error {
	today := a.today()
	first, last := -1, -1 // the earliest and latest follow-up days of any act
	for _, act := range a.catalog.Acts() {
		for _, d := range a.followup.FollowUpDays(act) {
			if first < 0 || d < first {
				first = d
			}
			last = max(last, d)
		}
	}
	if first < 0 {
		return nil
	}
	due, err := a.store.FollowUpsDue(ctx, today.AddDate(0, 0, -last), today.AddDate(0, 0, 1-first))
	if err != nil {
		return err
	}
	for _, ap := range due {
		act, ok := a.catalog.Act(ap.ActID)
		if !ok {
			continue
		}
		for _, d := range a.followup.FollowUpDays(act) {
			day := today.AddDate(0, 0, -d)
			if ap.Start.Before(day) || !ap.Start.Before(day.AddDate(0, 0, 1)) || slices.Contains(ap.Asked, followUpKind(d)) {
				continue
			}
			if err := a.queueFollowUp(ctx, ap.AppointmentID, d, day); err != nil {
				return err
			}
		}
	}
	return nil
}

func followUpKind(day int) string { return "followup_" + strconv.Itoa(day) }

// queueFollowUp queues the day-d follow-up question of appointment id,
// performed on the day starting at day, in one write unit that holds and
// reads again the appointment and its patient: the email says the name and
// goes to the address of the record the appointment is filed on as it is
// when queued. An appointment no longer done, moved off that day, or whose
// patient has no email left gets none (a later run reads it again). The
// database keeps one per act and day: another instance may have queued it.
func (a *App) queueFollowUp(ctx context.Context, id int64, d int, day time.Time) error {
	a.beforeDocumentWrite(ctx, "followup", id)
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.store.HoldAppointmentFile(ctx, id); err != nil {
			return err
		}
		ap, err := a.appointment(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		act, ok := a.catalog.Act(ap.ActID)
		if !ok || ap.Status != booking.Done || ap.Start.Before(day) || !ap.Start.Before(day.AddDate(0, 0, 1)) ||
			!slices.Contains(a.followup.FollowUpDays(act), d) {
			return nil
		}
		p, err := a.store.Patient(ctx, ap.PatientID)
		if err != nil || p.Email == "" {
			return err
		}
		a.beforeDocumentWrite(ctx, "followup checked", id)
		l := a.i18n.For(i18n.Default)
		_, err = a.store.EnqueueMail(ctx, mail.Outgoing{Kind: followUpKind(d), AppointmentID: ap.ID, PatientID: p.ID, To: p.Email,
			Subject: l.T("mail.subject.followup"),
			Text:    l.T("mail.text.followup", "Name", p.DisplayName(), "Act", act.Name.In(l.Lang), "Day", d, "Portal", a.cfg.BaseURL+"/portal/")})
		if errors.Is(err, store.ErrDuplicate) {
			return nil
		}
		return err
	})
}
