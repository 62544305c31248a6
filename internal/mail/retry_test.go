package mail_test

import (
	"testing"
	"time"

	"repere/internal/mail"
)

func TestNextAttempt(t *testing.T) {
	last := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		attempts int
		wait     time.Duration
		retry    bool
	}{
		{0, 0, true},
		{1, time.Minute, true},
		{2, 5 * time.Minute, true},
		{3, 30 * time.Minute, true},
		{4, 2 * time.Hour, true},
		{5, 6 * time.Hour, true},
		{6, 0, false},
		{100, 0, false},
	}
	for _, tt := range tests {
		next, retry := mail.NextAttempt(tt.attempts, last)
		if retry != tt.retry || (retry && !next.Equal(last.Add(tt.wait))) {
			t.Errorf("NextAttempt(%d) = %v, %v; want +%v, %v", tt.attempts, next, retry, tt.wait, tt.retry)
		}
	}
	if mail.MaxAttempts != 6 {
		t.Errorf("MaxAttempts = %d, want 6", mail.MaxAttempts)
	}
}
