package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The base booking is an infiltration on Monday 2026-06-01 at 09:00 in room
// 1 with radiologist 1, monitored in chair 1 from 09:20 to 09:50.
func TestCheck(t *testing.T) {
	type problem struct {
		Kind    ResourceKind
		ID      int64
		Problem Problem
	}
	overnight := Need{RoomMinutes: 75, Radiologists: []int64{1}, Monitoring: OvernightInWard}
	cases := []struct {
		name    string
		edit    func(p *Practice)
		need    *Need
		window  Window
		booking func(b *Booking)
		want    []problem
	}{
		{name: "a free slot"},
		{
			name: "a booking touching the act's end is not a conflict",
			edit: func(p *Practice) { p.Rooms[0].Busy = []Interval{during("2026-06-01 08:40", "2026-06-01 09:00")} },
		},
		{
			name:   "before the screening's earliest instant",
			window: Window{Earliest: at("2026-06-01 09:30")},
			want:   []problem{{Problem: TooEarly}},
		},
		{
			name:   "at the latest instant",
			window: Window{Latest: at("2026-06-01 09:00")},
			want:   []problem{{Problem: TooLate}},
		},
		{
			name:    "an unknown room",
			booking: func(b *Booking) { b.RoomID = 9 },
			want:    []problem{{KindRoom, 9, UnknownResource}},
		},
		{
			name:    "no place for the monitoring",
			booking: func(b *Booking) { b.PlaceID = 0 },
			want:    []problem{{Kind: KindPlace, Problem: Missing}},
		},
		{
			name:    "a bed where a chair is needed",
			booking: func(b *Booking) { b.PlaceID = 2 },
			want:    []problem{{KindPlace, 2, WrongPlaceKind}},
		},
		{
			name: "a radiologist who does not perform the act",
			edit: func(p *Practice) {
				p.Radiologists = append(p.Radiologists, Resource{ID: 2, Hours: weekdays("08:00", "18:00")})
			},
			booking: func(b *Booking) { b.RadiologistID = 2 },
			want:    []problem{{KindRadiologist, 2, NotQualified}},
		},
		{
			name:    "an act running past the room's closing time",
			booking: func(b *Booking) { b.Start = at("2026-06-01 12:20") },
			want:    []problem{{KindRoom, 1, OutsideHours}},
		},
		{
			name: "a room closed for maintenance",
			edit: func(p *Practice) { p.Rooms[0].Closures = []Interval{during("2026-06-01 08:30", "2026-06-01 10:00")} },
			want: []problem{{KindRoom, 1, Closed}},
		},
		{
			name: "a 30-minute booking that started 15 minutes earlier",
			edit: func(p *Practice) { p.Rooms[0].Busy = []Interval{during("2026-06-01 08:45", "2026-06-01 09:15")} },
			want: []problem{{KindRoom, 1, Busy}},
		},
		{
			name: "a chair taken during one minute of the monitoring",
			edit: func(p *Practice) { p.Places[0].Busy = []Interval{during("2026-06-01 09:49", "2026-06-01 10:30")} },
			want: []problem{{KindPlace, 1, Busy}},
		},
		{
			name:    "a ward bed booked the next morning before the discharge",
			edit:    func(p *Practice) { p.Places[2].Busy = []Interval{during("2026-06-02 09:00", "2026-06-02 09:30")} },
			need:    &overnight,
			booking: func(b *Booking) { b.PlaceID = 3 },
			want:    []problem{{KindPlace, 3, Busy}},
		},
		{
			name:    "anaesthesia given to an act that needs none",
			edit:    func(p *Practice) { p.Anaesthesia = []Resource{{ID: 5, Hours: weekdays("08:00", "18:00")}} },
			booking: func(b *Booking) { b.AnaesthesiaID = 5 },
			want:    []problem{{KindAnaesthesia, 5, NotNeeded}},
		},
		{
			name: "every obstacle is reported",
			edit: func(p *Practice) {
				p.Rooms[0].Busy = []Interval{during("2026-06-01 09:10", "2026-06-01 09:20")}
				p.Radiologists[0].Closures = []Interval{during("2026-06-01 00:00", "2026-06-02 00:00")}
			},
			want: []problem{{KindRoom, 1, Busy}, {KindRadiologist, 1, Closed}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			practice := smallPractice()
			if tc.edit != nil {
				tc.edit(&practice)
			}
			need := infiltration()
			if tc.need != nil {
				need = *tc.need
			}
			booking := Booking{Start: at("2026-06-01 09:00"), RoomID: 1, RadiologistID: 1, PlaceID: 1}
			if tc.booking != nil {
				tc.booking(&booking)
			}
			err := mustPlanner(t, practice).Check(need, tc.window, booking)
			var conflicts Conflicts
			if err != nil && !errors.As(err, &conflicts) {
				t.Fatalf("unexpected error %v", err)
			}
			got := make([]problem, len(conflicts))
			for i, c := range conflicts {
				got[i] = problem{c.Kind, c.ID, c.Problem}
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s\n%v", diff, err)
			}
		})
	}
}

func TestCheckExplainsTheConflict(t *testing.T) {
	practice := smallPractice()
	practice.Rooms[0].Busy = []Interval{during("2026-06-01 08:45", "2026-06-01 09:15")}
	booking := Booking{Start: at("2026-06-01 09:00"), RoomID: 1, RadiologistID: 1, PlaceID: 1}
	err := mustPlanner(t, practice).Check(infiltration(), Window{}, booking)
	want := "schedule: cannot book: room 1 is already booked Mon 1 Jun 08:45-09:15, during Mon 1 Jun 09:00-09:20"
	if err == nil || err.Error() != want {
		t.Errorf("got %q,\nwant %q", err, want)
	}
	var conflicts Conflicts
	if !errors.As(err, &conflicts) || !conflicts[0].Blocker.Start.Equal(at("2026-06-01 08:45")) {
		t.Errorf("the conflict does not name the booking in the way: %#v", conflicts)
	}
}

func TestInvalidInput(t *testing.T) {
	valid := smallPractice()
	for name, edit := range map[string]func(p *Practice){
		"no time zone":        func(p *Practice) { p.Location = nil },
		"a room without id":   func(p *Practice) { p.Rooms[0].ID = 0 },
		"a radiologist twice": func(p *Practice) { p.Radiologists = append(p.Radiologists, p.Radiologists[0]) },
		"an empty opening":    func(p *Practice) { p.Rooms[0].Hours = []WeeklyHours{open(1, "09:00", "09:00")} },
		"a reversed booking":  func(p *Practice) { p.Rooms[0].Busy = []Interval{during("2026-06-01 10:00", "2026-06-01 09:00")} },
		"an unknown place":    func(p *Practice) { p.Places[0].Kind = "sofa" },
	} {
		practice := valid
		practice.Rooms = []Resource{valid.Rooms[0]}
		practice.Places = append([]Place(nil), valid.Places...)
		edit(&practice)
		if _, err := New(practice); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	planner := mustPlanner(t, valid)
	for name, need := range map[string]Need{
		"no room time":         {Radiologists: []int64{1}},
		"a chair for no time":  {RoomMinutes: 20, Radiologists: []int64{1}, Monitoring: InRecoveryChair},
		"an unknown place":     {RoomMinutes: 20, Radiologists: []int64{1}, Monitoring: "sofa", MonitoringMinutes: 10},
		"negative monitoring":  {RoomMinutes: 20, Radiologists: []int64{1}, MonitoringMinutes: -1},
		"three days in a bed":  {RoomMinutes: 20, Radiologists: []int64{1}, Monitoring: InRecoveryBed, MonitoringMinutes: 72 * 60},
		"a turnover of a week": {RoomMinutes: 20, Radiologists: []int64{1}, TurnoverMinutes: 7 * 24 * 60},
	} {
		if _, err := planner.NextSlots(need, Query{Window: Window{Earliest: at("2026-06-01 00:00")}}); err == nil || strings.Contains(err.Error(), "cannot book") {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
	if _, err := planner.NextSlots(infiltration(), Query{}); err == nil {
		t.Error("a query without earliest instant was accepted")
	}
}

func TestHoldsOvernightAndTurnover(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Paris")
	p, err := New(Practice{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 14, 0, 0, 0, loc)
	slot, err := p.Holds(Need{RoomMinutes: 90, TurnoverMinutes: 15, Monitoring: OvernightInWard, MonitoringMinutes: 600}, Booking{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(105 * time.Minute); !slot.Room.End.Equal(want) {
		t.Errorf("room held until %v, want %v", slot.Room.End, want)
	}
	if want := time.Date(2026, 12, 2, 10, 0, 0, 0, loc); !slot.Monitoring.End.Equal(want) {
		t.Errorf("ward bed held until %v, want next morning %v", slot.Monitoring.End, want)
	}
	if want := start.Add(90 * time.Minute); !slot.Monitoring.Start.Equal(want) || !slot.Act.End.Equal(want) {
		t.Errorf("monitoring starts %v, act ends %v, want both %v", slot.Monitoring.Start, slot.Act.End, want)
	}
}
