package schedule

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files
)

var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at parses a Paris wall-clock time, "2006-01-02 15:04" or with seconds.
func at(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, paris); err == nil {
			return t
		}
	}
	panic("bad test time " + s)
}

func during(from, to string) Interval { return Interval{at(from), at(to)} }

// clock parses "15:04" into minutes after midnight ("24:00" is allowed).
func clock(s string) int {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil {
		panic("bad test clock " + s)
	}
	return h*60 + m
}

func open(day time.Weekday, from, to string) WeeklyHours {
	return WeeklyHours{Weekday: day, StartMinute: clock(from), EndMinute: clock(to)}
}

// weekdays opens Monday to Friday.
func weekdays(from, to string) []WeeklyHours {
	var hours []WeeklyHours
	for day := time.Monday; day <= time.Friday; day++ {
		hours = append(hours, open(day, from, to))
	}
	return hours
}

// summaries describes slots as "Mon 08:00 R1 D2 P3" (A4 for anaesthesia).
func summaries(slots []Slot) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = fmt.Sprintf("%s R%d D%d", s.Start.Format("Mon 15:04"), s.RoomID, s.RadiologistID)
		if s.PlaceID != 0 {
			out[i] += fmt.Sprintf(" P%d", s.PlaceID)
		}
		if s.AnaesthesiaID != 0 {
			out[i] += fmt.Sprintf(" A%d", s.AnaesthesiaID)
		}
	}
	return out
}

// startsOf describes slots by their local start only.
func startsOf(slots []Slot, layout string) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.Format(layout)
	}
	return out
}

// smallPractice is one room open weekday mornings, one radiologist working
// weekdays, a chair, a bed and a ward bed open around the clock.
func smallPractice() Practice {
	return Practice{
		Location:     paris,
		Rooms:        []Resource{{ID: 1, Hours: weekdays("08:00", "12:30")}},
		Radiologists: []Resource{{ID: 1, Hours: weekdays("08:00", "18:00")}},
		Places: []Place{
			{Resource: Resource{ID: 1, Hours: weekdays("08:00", "19:00")}, Kind: RecoveryChair},
			{Resource: Resource{ID: 2, Hours: weekdays("08:00", "19:00")}, Kind: RecoveryBed},
			{Resource: Resource{ID: 3, Hours: EveryDay(0, 24*60)}, Kind: WardBed},
		},
	}
}

// infiltration is an act of 20 minutes with 30 minutes in a chair.
func infiltration() Need {
	return Need{RoomMinutes: 20, Radiologists: []int64{1}, Monitoring: InRecoveryChair, MonitoringMinutes: 30}
}

func mustPlanner(t testing.TB, p Practice) *Planner {
	t.Helper()
	planner, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return planner
}
