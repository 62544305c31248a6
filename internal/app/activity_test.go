package app

import (
	"testing"
	"time"

	"repere/internal/practice"
)

// TestOpenMinutes: a day's opening span less the closures that cover part
// of it, overlapping closures counted once.
func TestOpenMinutes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	day := time.Date(2027, 3, 9, 0, 0, 0, 0, paris)
	at := func(h, m int) time.Time { return time.Date(2027, 3, 9, h, m, 0, 0, paris) }
	morning := [2]int{8 * 60, 12*60 + 30} // 270 minutes
	tests := []struct {
		name     string
		closures []practice.Closure
		want     int
	}{
		{"no closure", nil, 270},
		{"the whole day", []practice.Closure{{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1)}}, 0},
		{"ten to eleven", []practice.Closure{{From: at(10, 0), To: at(11, 0)}}, 210},
		{"overlapping", []practice.Closure{{From: at(10, 0), To: at(11, 0)}, {From: at(10, 30), To: at(11, 30)}}, 180},
		{"one inside another", []practice.Closure{{From: at(9, 0), To: at(12, 0)}, {From: at(10, 0), To: at(10, 30)}}, 90},
		{"before opening", []practice.Closure{{From: at(6, 0), To: at(8, 0)}}, 270},
		{"across the opening", []practice.Closure{{From: at(7, 0), To: at(8, 30)}}, 240},
	}
	for _, tt := range tests {
		if got := openMinutes(day, morning, tt.closures); got != tt.want {
			t.Errorf("%s: %d open minutes, want %d", tt.name, got, tt.want)
		}
	}
}
