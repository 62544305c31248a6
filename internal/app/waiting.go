package app

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"repere/internal/referral"
	"repere/internal/store"
)

// WaitingRequest puts a referral on the waiting list, for a slot another
// patient frees: the days the patient can come (YYYY-MM-DD, either may be
// empty for no bound) and a note for the secretary who calls.
type WaitingRequest struct {
	ReferralID       int64
	Earliest, Latest string
	Notes            string
}

// maxWaitingNotes is the note's length in characters (the form's maxlength).
const maxWaitingNotes = 2000

// AddToWaitingList puts a referral on the waiting list. Refused: a window
// that cannot be read, is the wrong way round or is already over; a
// referral that cannot be booked (cancelled, done, already booked, its
// identity still to confirm); one already waiting (a form sent twice). The
// database keeps one waiting entry per referral, so two instances adding
// the same referral at once leave one.
func (a *App) AddToWaitingList(ctx context.Context, w WaitingRequest) (int64, error) {
	if r := a.waitingWindow(w); r != nil {
		return 0, r
	}
	var id int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		ref, err := a.store.Referral(ctx, w.ReferralID)
		if err != nil {
			return err
		}
		appts, err := a.store.ListAppointments(ctx, store.AppointmentFilter{ReferralID: w.ReferralID})
		if err != nil {
			return err
		}
		if ref.Status == referral.Done || ref.Status == referral.Cancelled {
			return refuse("waiting.err.closed")
		}
		if r := a.NotBookable(ref, appts); r != nil {
			return r
		}
		id, err = a.store.AddToWaitingList(ctx, w.ReferralID, w.Earliest, w.Latest, w.Notes)
		switch {
		case errors.Is(err, store.ErrDuplicate):
			return refuse("waiting.err.already")
		case errors.Is(err, store.ErrReferralClosed):
			return refuse("waiting.err.closed")
		}
		return err
	})
	return id, err
}

// waitingWindow checks what the secretary typed, before anything is read.
func (a *App) waitingWindow(w WaitingRequest) *Refusal {
	var r *Refusal
	add := func(field, key string, args ...any) {
		if r == nil {
			r = &Refusal{Invalid: true}
		}
		r.Reasons = append(r.Reasons, Reason{Key: key, Args: args, Field: field})
	}
	for _, d := range []struct{ field, value, label string }{{"earliest", w.Earliest, "waiting.earliest"}, {"latest", w.Latest, "waiting.latest"}} {
		if _, err := time.Parse(time.DateOnly, d.value); d.value != "" && err != nil {
			add(d.field, "waiting.err.date", "Field", KeyArg(d.label))
		}
	}
	if r == nil && w.Earliest != "" && w.Latest != "" && w.Latest < w.Earliest {
		add("latest", "waiting.err.order", "Earliest", KeyArg("waiting.earliest"), "Latest", KeyArg("waiting.latest"))
	}
	if r == nil && w.Latest != "" && w.Latest < a.today().Format(time.DateOnly) {
		add("latest", "waiting.err.over", "Latest", KeyArg("waiting.latest"))
	}
	if utf8.RuneCountInString(w.Notes) > maxWaitingNotes {
		add("notes", "waiting.err.notes", "Max", maxWaitingNotes)
	}
	return r
}
