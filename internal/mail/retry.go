package mail

import "time"

// retryDelays is the wait after each failed attempt: quick at first for a
// server that blinked, then spread over the working day for one that is
// down. Six attempts over about 8 h 36 min; past that a person is better
// placed than a timer (phone the patient, print the convocation).
var retryDelays = [...]time.Duration{
	1 * time.Minute,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	6 * time.Hour,
}

// NextAttempt says when to try again after attempts temporary failures, the
// last one at last; false means give up and mark the message failed.
// attempts <= 0 means nothing was tried yet: send at once.
// Permanent errors should not be retried at all.
//
//	after attempt  1  2  3   4   5   6
//	wait           1m 5m 30m 2h  6h  give up
func NextAttempt(attempts int, last time.Time) (time.Time, bool) {
	if attempts <= 0 {
		return last, true
	}
	if attempts > len(retryDelays) {
		return time.Time{}, false
	}
	return last.Add(retryDelays[attempts-1]), true
}

// MaxAttempts is how many attempts NextAttempt allows in all.
const MaxAttempts = len(retryDelays) + 1
