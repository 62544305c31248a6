package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestWaitingListRules: a referral goes on the waiting list once, with a
// window that can be read, the right way round and not over, and only if
// it could be booked; one cancelled after it was put there leaves the list.
// Found trying the product: the same form sent twice made two entries, and
// a cancelled referral could be put on the list and stayed there.
func TestWaitingListRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newRaceFixture(t, st)
		ref := f.openReferral()
		today := f.app.Now().In(paris)
		day := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
		add := func(w app.WaitingRequest) (int64, error) {
			w.ReferralID = ref.ID
			return f.app.AddToWaitingList(secretary, w)
		}
		for _, c := range []struct {
			name, key, field string
			w                app.WaitingRequest
		}{
			{"a date that cannot be read", "waiting.err.date", "earliest", app.WaitingRequest{Earliest: "31/12/2026"}},
			{"the window the wrong way round", "waiting.err.order", "latest", app.WaitingRequest{Earliest: day(10), Latest: day(3)}},
			{"a window already over", "waiting.err.over", "latest", app.WaitingRequest{Latest: day(-1)}},
			{"a note too long", "waiting.err.notes", "notes", app.WaitingRequest{Notes: strings.Repeat("é", 2001)}},
		} {
			_, err := add(c.w)
			r, ok := app.AsRefusal(err)
			if !ok || !r.Has(c.key) || !r.Invalid || r.Reasons[0].Field != c.field {
				t.Errorf("%s: %v, want an invalid input %s on %s", c.name, err, c.key, c.field)
			}
		}
		if entries := waiting(t, st, ref.ID); entries != 0 {
			t.Fatalf("%d entries after refused inputs", entries)
		}
		if _, err := add(app.WaitingRequest{Earliest: day(0), Latest: day(30), Notes: "Peut venir au pied levé"}); err != nil {
			t.Fatal(err)
		}
		_, err := add(app.WaitingRequest{Notes: "le même formulaire envoyé deux fois"})
		refusedWith(t, "the referral added again", err, "waiting.err.already")
		if _, err := st.AddToWaitingList(system, ref.ID, "", "", ""); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("a second entry written past the application: %v, want the database's refusal", err)
		}
		if entries := waiting(t, st, ref.ID); entries != 1 {
			t.Errorf("%d waiting entries for the referral, want 1", entries)
		}

		if err := f.app.SetReferralStatus(secretary, ref.ID, referral.Cancelled, "le patient renonce"); err != nil {
			t.Fatal(err)
		}
		if entries := waiting(t, st, ref.ID); entries != 0 {
			t.Errorf("the cancelled referral still waits (%d entries)", entries)
		}
		_, err = add(app.WaitingRequest{})
		refusedWith(t, "a cancelled referral", err, "waiting.err.closed")
	})
}

// waiting counts the waiting list's entries for a referral.
func waiting(t *testing.T, st *store.Store, referralID int64) int {
	t.Helper()
	list, err := st.WaitingList(system)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list {
		if e.ReferralID == referralID {
			n++
		}
	}
	return n
}
