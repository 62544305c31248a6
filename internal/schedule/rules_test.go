package schedule

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// In these cases 2026-06-01 is a Monday; the practice is smallPractice with
// the case's changes. Each case lists every feasible start of its window, in
// any order: the ranking has its own test.
func TestNextSlotsRules(t *testing.T) {
	quick := func(minutes int) Need { return Need{RoomMinutes: minutes, Radiologists: []int64{1}} }
	mondayMorning := func(p *Practice) { p.Rooms[0].Hours = []WeeklyHours{open(time.Monday, "08:00", "09:00")} }
	cases := []struct {
		name     string
		edit     func(p *Practice)
		need     Need
		from, to string // the query's window
		step     int
		want     []string
	}{
		{
			name: "opening hours bound the act",
			need: quick(20), from: "2026-06-01 11:00", to: "2026-06-02 00:00", step: 30,
			want: []string{"Mon 11:00 R1 D1", "Mon 11:30 R1 D1", "Mon 12:00 R1 D1"},
		},
		{
			name: "two openings on one day",
			edit: func(p *Practice) {
				p.Rooms[0].Hours = []WeeklyHours{open(time.Monday, "08:00", "09:00"), open(time.Monday, "14:00", "15:00")}
			},
			need: quick(30), from: "2026-06-01 00:00", to: "2026-06-02 00:00", step: 30,
			want: []string{"Mon 08:00 R1 D1", "Mon 08:30 R1 D1", "Mon 14:00 R1 D1", "Mon 14:30 R1 D1"},
		},
		{
			name: "a dated closure removes the day",
			edit: func(p *Practice) {
				p.Rooms[0].Hours = weekdays("08:00", "09:00")
				p.Rooms[0].Closures = []Interval{during("2026-06-01 00:00", "2026-06-02 00:00")}
			},
			need: quick(30), from: "2026-06-01 00:00", to: "2026-06-03 00:00", step: 30,
			want: []string{"Tue 08:00 R1 D1", "Tue 08:30 R1 D1"},
		},
		{
			name: "a closure for part of a morning",
			edit: func(p *Practice) {
				mondayMorning(p)
				p.Rooms[0].Closures = []Interval{during("2026-06-01 08:30", "2026-06-01 12:00")}
			},
			need: quick(30), from: "2026-06-01 00:00", to: "2026-06-02 00:00", step: 30,
			want: []string{"Mon 08:00 R1 D1"},
		},
		{
			name: "an absent radiologist is replaced by a colleague who performs the act",
			edit: func(p *Practice) {
				mondayMorning(p)
				p.Radiologists[0].Closures = []Interval{during("2026-06-01 00:00", "2026-06-02 00:00")}
				p.Radiologists = append(p.Radiologists, Resource{ID: 2, Hours: weekdays("08:00", "18:00")})
			},
			need: Need{RoomMinutes: 30, Radiologists: []int64{1, 2}}, from: "2026-06-01 00:00", to: "2026-06-02 00:00", step: 30,
			want: []string{"Mon 08:00 R1 D2", "Mon 08:30 R1 D2"},
		},
		{
			name: "an absent radiologist who alone performs the act",
			edit: func(p *Practice) {
				p.Rooms[0].Hours = weekdays("08:00", "09:00")
				p.Radiologists[0].Closures = []Interval{during("2026-06-01 00:00", "2026-06-02 00:00")}
				p.Radiologists = append(p.Radiologists, Resource{ID: 2, Hours: weekdays("08:00", "18:00")})
			},
			need: quick(30), from: "2026-06-01 00:00", to: "2026-06-03 00:00", step: 30,
			want: []string{"Tue 08:00 R1 D1", "Tue 08:30 R1 D1"},
		},
		{
			name: "the radiologist's own hours",
			edit: func(p *Practice) {
				mondayMorning(p)
				p.Radiologists[0].Hours = []WeeklyHours{open(time.Monday, "08:30", "18:00")}
			},
			need: quick(30), from: "2026-06-01 00:00", to: "2026-06-02 00:00", step: 30,
			want: []string{"Mon 08:30 R1 D1"},
		},
		{
			name: "a 30-minute booking blocks the following 15-minute slot",
			edit: func(p *Practice) { p.Rooms[0].Busy = []Interval{during("2026-06-01 09:00", "2026-06-01 09:30")} },
			need: quick(15), from: "2026-06-01 08:30", to: "2026-06-01 10:00", step: 15,
			want: []string{"Mon 08:30 R1 D1", "Mon 08:45 R1 D1", "Mon 09:30 R1 D1", "Mon 09:45 R1 D1"},
		},
		{
			name: "the radiologist busy in another room, and the snugger room chosen",
			edit: func(p *Practice) {
				mondayMorning(p)
				p.Rooms = append(p.Rooms, Resource{ID: 2, Hours: p.Rooms[0].Hours,
					Busy: []Interval{during("2026-06-01 08:00", "2026-06-01 08:30")}})
				p.Radiologists[0].Busy = []Interval{during("2026-06-01 08:00", "2026-06-01 08:30")}
			},
			need: quick(30), from: "2026-06-01 08:00", to: "2026-06-01 09:00", step: 30,
			want: []string{"Mon 08:30 R2 D1"},
		},
		{
			name: "monitoring places exhausted",
			edit: func(p *Practice) {
				p.Rooms[0].Hours = []WeeklyHours{open(time.Monday, "09:00", "11:00")}
				p.Places[0].Busy = []Interval{during("2026-06-01 09:20", "2026-06-01 10:00")}
				p.Places = append(p.Places, Place{Kind: RecoveryChair, Resource: Resource{ID: 4, Hours: weekdays("08:00", "19:00"),
					Busy: []Interval{during("2026-06-01 09:00", "2026-06-01 10:00")}}})
			},
			need: infiltration(), from: "2026-06-01 09:00", to: "2026-06-01 10:00", step: 10,
			want: []string{"Mon 09:40 R1 D1 P1", "Mon 09:50 R1 D1 P1"},
		},
		{
			name: "an earliest instant with seconds is honoured",
			need: quick(10), from: "2026-06-01 08:07:30", to: "2026-06-01 08:30", step: 5,
			want: []string{"Mon 08:10 R1 D1", "Mon 08:15 R1 D1", "Mon 08:20 R1 D1", "Mon 08:25 R1 D1"},
		},
		{
			name: "a step of 20 minutes",
			need: quick(10), from: "2026-06-01 08:00", to: "2026-06-01 09:00", step: 20,
			want: []string{"Mon 08:00 R1 D1", "Mon 08:20 R1 D1", "Mon 08:40 R1 D1"},
		},
		{
			name: "a step of 45 minutes counts from midnight",
			need: quick(10), from: "2026-06-01 08:00", to: "2026-06-01 09:30", step: 45,
			want: []string{"Mon 08:15 R1 D1", "Mon 09:00 R1 D1"},
		},
		{
			name: "turnover holds the room, not the radiologist",
			edit: func(p *Practice) {
				p.Rooms[0].Busy = []Interval{during("2026-06-01 09:00", "2026-06-01 09:30")}
				p.Radiologists[0].Busy = []Interval{during("2026-06-01 08:50", "2026-06-01 09:30")}
			},
			need: Need{RoomMinutes: 20, TurnoverMinutes: 10, Radiologists: []int64{1}}, from: "2026-06-01 08:00", to: "2026-06-01 09:00", step: 10,
			want: []string{"Mon 08:00 R1 D1", "Mon 08:10 R1 D1", "Mon 08:20 R1 D1", "Mon 08:30 R1 D1"},
		},
		{
			name: "anaesthesia available on Tuesdays only",
			edit: func(p *Practice) {
				p.Rooms[0].Hours = weekdays("08:00", "09:00")
				p.Anaesthesia = []Resource{{ID: 1, Hours: []WeeklyHours{open(time.Tuesday, "08:00", "18:00")}}}
			},
			need: Need{RoomMinutes: 30, Radiologists: []int64{1}, Anaesthesia: true}, from: "2026-06-01 00:00", to: "2026-06-03 00:00", step: 30,
			want: []string{"Tue 08:00 R1 D1 A1", "Tue 08:30 R1 D1 A1"},
		},
		{
			name: "the latest instant is excluded",
			need: quick(10), from: "2026-06-01 08:00", to: "2026-06-01 08:30", step: 15,
			want: []string{"Mon 08:00 R1 D1", "Mon 08:15 R1 D1"},
		},
		{
			name: "an overnight ward bed is held until the next morning",
			edit: func(p *Practice) { p.Places[2].Busy = []Interval{during("2026-06-02 15:00", "2026-06-03 10:00")} },
			need: Need{RoomMinutes: 75, Radiologists: []int64{1}, Monitoring: OvernightInWard}, from: "2026-06-01 00:00", to: "2026-06-03 00:00", step: 60,
			want: []string{"Mon 08:00 R1 D1 P3", "Mon 09:00 R1 D1 P3", "Mon 10:00 R1 D1 P3", "Mon 11:00 R1 D1 P3"},
		},
		{
			name: "nothing at the weekend",
			need: quick(10), from: "2026-06-06 00:00", to: "2026-06-08 00:00", step: 15,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			practice := smallPractice()
			if tc.edit != nil {
				tc.edit(&practice)
			}
			q := Query{Window: Window{Earliest: at(tc.from), Latest: at(tc.to)}, StepMinutes: tc.step, Count: 100}
			slots, err := mustPlanner(t, practice).NextSlots(tc.need, q)
			if err != nil {
				t.Fatal(err)
			}
			got := summaries(slots)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNextSlotsWithoutAResourceKind(t *testing.T) {
	planner := mustPlanner(t, smallPractice())
	q := Query{Window: Window{Earliest: at("2026-06-01 00:00")}}
	for name, need := range map[string]Need{
		"no anaesthesia":                  {RoomMinutes: 30, Radiologists: []int64{1}, Anaesthesia: true},
		"no radiologist performs the act": {RoomMinutes: 30, Radiologists: []int64{99}},
	} {
		if _, err := planner.NextSlots(need, q); !errors.Is(err, ErrNoResource) {
			t.Errorf("%s: got %v, want ErrNoResource", name, err)
		}
	}
}

// Daylight-saving days: Europe/Paris goes from 02:00 CET to 03:00 CEST on
// 29 March 2026 and from 03:00 CEST back to 02:00 CET on 25 October 2026.
func TestNextSlotsOnDaylightSavingDays(t *testing.T) {
	cases := []struct {
		name     string
		hours    WeeklyHours
		minutes  int
		step     int
		day      string
		want     []string
		wantUTC0 string // the first slot's start in UTC
	}{
		{
			name: "March: the hour from 02:00 does not exist", hours: open(time.Sunday, "01:00", "05:00"),
			minutes: 60, step: 30, day: "2026-03-29",
			want:     []string{"01:00 CET", "01:30 CET", "03:00 CEST", "03:30 CEST", "04:00 CEST"},
			wantUTC0: "00:00",
		},
		{
			name: "October: the hour from 02:00 happens twice", hours: open(time.Sunday, "01:00", "04:00"),
			minutes: 60, step: 60, day: "2026-10-25",
			want:     []string{"01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET"},
			wantUTC0: "23:00",
		},
		{
			name: "the Monday after the March change opens at 08:00 summer time", hours: open(time.Monday, "08:00", "09:00"),
			minutes: 60, step: 30, day: "2026-03-30",
			want:     []string{"08:00 CEST"},
			wantUTC0: "06:00",
		},
		{
			name: "the Monday after the October change opens at 08:00 winter time", hours: open(time.Monday, "08:00", "09:00"),
			minutes: 60, step: 30, day: "2026-10-26",
			want:     []string{"08:00 CET"},
			wantUTC0: "07:00",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			practice := Practice{
				Location:     paris,
				Rooms:        []Resource{{ID: 1, Hours: []WeeklyHours{tc.hours}}},
				Radiologists: []Resource{{ID: 1, Hours: EveryDay(0, 24*60)}},
			}
			need := Need{RoomMinutes: tc.minutes, Radiologists: []int64{1}}
			day := at(tc.day + " 00:00")
			q := Query{Window: Window{Earliest: day, Latest: day.AddDate(0, 0, 1)}, StepMinutes: tc.step, Count: 100}
			slots, err := mustPlanner(t, practice).NextSlots(need, q)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(slots, func(a, b Slot) int { return a.Start.Compare(b.Start) })
			if diff := cmp.Diff(tc.want, startsOf(slots, "15:04 MST")); diff != "" {
				t.Fatalf("starts (-want +got):\n%s", diff)
			}
			if got := slots[0].Start.UTC().Format("15:04"); got != tc.wantUTC0 {
				t.Errorf("first start %s UTC, want %s", got, tc.wantUTC0)
			}
			for _, s := range slots {
				if s.Act.End.Sub(s.Act.Start) != time.Duration(tc.minutes)*time.Minute {
					t.Errorf("act %v lasts %v", s.Act, s.Act.End.Sub(s.Act.Start))
				}
			}
		})
	}
}

func TestOvernightDischarge(t *testing.T) {
	cases := []struct {
		name           string
		practice       func(p *Practice)
		monitoring     int
		day            string
		wantAct        string // the act's start
		wantMonitoring string // the ward bed's release
	}{
		{name: "next morning at the default 10:00", day: "2026-06-01", wantAct: "2026-06-01 08:00", wantMonitoring: "2026-06-02 10:00 CEST"},
		{
			name: "a practice discharging at 08:30", practice: func(p *Practice) { p.WardDischargeMinute = clock("08:30") },
			day: "2026-06-01", wantAct: "2026-06-01 08:00", wantMonitoring: "2026-06-02 08:30 CEST",
		},
		{
			name: "monitoring that runs past the discharge time", monitoring: 26 * 60,
			day: "2026-06-01", wantAct: "2026-06-01 08:00", wantMonitoring: "2026-06-02 11:15 CEST",
		},
		{
			name: "over the night of the March change", day: "2026-03-28", monitoring: 18 * 60,
			practice:       func(p *Practice) { p.Rooms[0].Hours = []WeeklyHours{open(time.Saturday, "08:00", "12:30")} },
			wantAct:        "2026-03-28 08:00",
			wantMonitoring: "2026-03-29 10:00 CEST",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			practice := smallPractice()
			practice.Radiologists[0].Hours = EveryDay(0, 24*60)
			if tc.practice != nil {
				tc.practice(&practice)
			}
			need := Need{RoomMinutes: 75, Radiologists: []int64{1}, Monitoring: OvernightInWard, MonitoringMinutes: tc.monitoring}
			q := Query{Window: Window{Earliest: at(tc.day + " 00:00")}, StepMinutes: 15, Count: 1}
			slots, err := mustPlanner(t, practice).NextSlots(need, q)
			if err != nil || len(slots) != 1 {
				t.Fatalf("got %v, %v", slots, err)
			}
			s := slots[0]
			if !s.Start.Equal(at(tc.wantAct)) || s.PlaceID != 3 {
				t.Errorf("slot %v in place %d, want %s in the ward bed", s.Start, s.PlaceID, tc.wantAct)
			}
			if !s.Monitoring.Start.Equal(s.Act.End) {
				t.Errorf("monitoring starts %v, act ends %v", s.Monitoring.Start, s.Act.End)
			}
			if got := s.Monitoring.End.Format("2006-01-02 15:04 MST"); got != tc.wantMonitoring {
				t.Errorf("bed released %s, want %s", got, tc.wantMonitoring)
			}
		})
	}
}
