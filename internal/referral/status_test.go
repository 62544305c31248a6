package referral

import "testing"

func TestCanSetStatus(t *testing.T) {
	cases := []struct {
		from, to Status
		booked   bool
		ok       bool
	}{
		{Received, Screening, false, true},
		{Screening, Received, false, true},
		{Received, Cancelled, false, true},
		{Cancelled, Received, false, true}, // a cancellation reverted
		{Done, Screening, false, true},     // a mistaken "done" reverted
		{Received, Booked, false, false},   // only booking books
		{Booked, Cancelled, true, false},   // the appointment is cancelled instead
		{Screening, Cancelled, true, false},
		{Received, Received, false, false},
		{Received, "lost", false, false},
	}
	for _, c := range cases {
		if err := CanSetStatus(c.from, c.to, c.booked); (err == nil) != c.ok {
			t.Errorf("%s -> %s (booked %v): %v, want allowed %v", c.from, c.to, c.booked, err, c.ok)
		}
	}
}
