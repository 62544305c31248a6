package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The room is open on weekday mornings and the radiologist around the clock,
// so only the room's calendar shapes the ranking. 2026-06-01 is a Monday.
func TestNextSlotsRanking(t *testing.T) {
	cases := []struct {
		name     string
		busy     []Interval // the room's bookings
		need     Need
		step     int
		count    int
		want     []string
		wantFits []Fit
	}{
		{
			name: "an exact fit between two bookings comes first, then slots against a boundary",
			busy: []Interval{during("2026-06-01 08:00", "2026-06-01 08:30"), during("2026-06-01 09:00", "2026-06-01 10:00")},
			need: Need{RoomMinutes: 20, TurnoverMinutes: 10, Radiologists: []int64{1}}, step: 10, count: 3,
			want:     []string{"Mon 08:30", "Mon 10:00", "Mon 12:00"},
			wantFits: []Fit{{SnugEnds: 2}, {SnugEnds: 1}, {SnugEnds: 1}},
		},
		{
			name: "gaps too short for any act are avoided, the worst last",
			busy: []Interval{during("2026-06-01 08:00", "2026-06-01 09:00"), during("2026-06-01 09:50", "2026-06-01 12:30")},
			need: Need{RoomMinutes: 20, Radiologists: []int64{1}}, step: 5, count: 7,
			want: []string{"Mon 09:00", "Mon 09:30", "Mon 09:05", "Mon 09:25", "Mon 09:10", "Mon 09:20", "Mon 09:15"},
			wantFits: []Fit{
				{SnugEnds: 1}, {SnugEnds: 1}, {WastedMinutes: 5}, {WastedMinutes: 5},
				{WastedMinutes: 10}, {WastedMinutes: 10}, {WastedMinutes: 30},
			},
		},
		{
			name: "an earlier day comes first, however it fragments",
			busy: []Interval{during("2026-06-01 08:00", "2026-06-01 12:05")},
			need: Need{RoomMinutes: 20, Radiologists: []int64{1}}, step: 5, count: 3,
			want:     []string{"Mon 12:05", "Mon 12:10", "Tue 08:00"},
			wantFits: []Fit{{WastedMinutes: 5, SnugEnds: 1}, {WastedMinutes: 5, SnugEnds: 1}, {SnugEnds: 1}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			practice := Practice{
				Location:     paris,
				Rooms:        []Resource{{ID: 1, Hours: weekdays("08:00", "12:30"), Busy: tc.busy}},
				Radiologists: []Resource{{ID: 1, Hours: EveryDay(0, 24*60)}},
			}
			q := Query{Window: Window{Earliest: at("2026-06-01 00:00")}, StepMinutes: tc.step, Count: tc.count, ShortestActMinutes: 20}
			slots, err := mustPlanner(t, practice).NextSlots(tc.need, q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, startsOf(slots, "Mon 15:04")); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			fits := make([]Fit, len(slots))
			for i, s := range slots {
				fits[i] = s.Fit
			}
			if diff := cmp.Diff(tc.wantFits, fits); diff != "" {
				t.Errorf("fits (-want +got):\n%s", diff)
			}
		})
	}
}

// One Planner serves concurrent searches and checks (run with -race).
func TestPlannerIsSafeForConcurrentUse(t *testing.T) {
	planner := mustPlanner(t, smallPractice())
	q := Query{Window: Window{Earliest: at("2026-06-01 00:00")}}
	want, err := planner.NextSlots(infiltration(), q)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := planner.NextSlots(infiltration(), q)
			if err == nil && !cmp.Equal(got, want) {
				err = errors.New("a concurrent search gave other slots")
			}
			if err == nil {
				err = planner.Check(infiltration(), q.Window, got[0].Booking)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A practice's resources are preferred in the order the practice lists them
// when they fit equally well, whatever the order of the act's radiologists.
func TestNextSlotsPrefersListedOrderOnTies(t *testing.T) {
	practice := smallPractice()
	practice.Rooms = []Resource{{ID: 7, Hours: weekdays("08:00", "12:30")}, {ID: 3, Hours: weekdays("08:00", "12:30")}}
	practice.Radiologists = append(practice.Radiologists, Resource{ID: 2, Hours: weekdays("08:00", "18:00")})
	need := Need{RoomMinutes: 20, Radiologists: []int64{2, 1}}
	q := Query{Window: Window{Earliest: at("2026-06-01 00:00")}, Count: 1}
	slots, err := mustPlanner(t, practice).NextSlots(need, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := summaries(slots); !cmp.Equal(got, []string{"Mon 08:00 R7 D1"}) {
		t.Errorf("got %v, want the first listed room and radiologist", got)
	}
	if want := time.Date(2026, 6, 1, 8, 0, 0, 0, paris); !slots[0].Start.Equal(want) {
		t.Errorf("start %v, want %v", slots[0].Start, want)
	}
}
