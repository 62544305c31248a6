package schedule

import (
	"math/rand/v2"
	"time"
)

// The year fixture is a busy practice's 2026, generated deterministically:
// 10 CT rooms open on weekdays 07:30-13:00 and 13:30-19:30 (four of them on
// Saturday mornings too) and closed on French public holidays and three
// maintenance days each; 20 radiologists working four weekdays each with
// five weeks of holiday; 12 recovery chairs, 6 recovery beds and 6 ward beds;
// and about 50,000 acts booked with the catalogue's durations.

// fixtureAct is one catalogue act as the fixture books and searches it.
type fixtureAct struct {
	name   string
	need   Need
	weight int // share of the bookings, in percent
}

func fixtureActs() []fixtureAct {
	performers := func(n int) []int64 {
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		return ids
	}
	return []fixtureAct{
		{"infiltration", Need{RoomMinutes: 20, TurnoverMinutes: 5, Radiologists: performers(20), Monitoring: InRecoveryChair, MonitoringMinutes: 30}, 55},
		{"facet", Need{RoomMinutes: 30, TurnoverMinutes: 5, Radiologists: performers(16), Monitoring: InRecoveryChair, MonitoringMinutes: 15}, 29},
		{"blood patch", Need{RoomMinutes: 45, TurnoverMinutes: 5, Radiologists: performers(12), Monitoring: InRecoveryBed, MonitoringMinutes: 120}, 14},
		{"vertebroplasty", Need{RoomMinutes: 75, TurnoverMinutes: 10, Radiologists: performers(6), Monitoring: OvernightInWard, MonitoringMinutes: 1080}, 2},
	}
}

var fixtureYear = time.Date(2026, 1, 1, 0, 0, 0, 0, paris)

var frenchHolidays2026 = []string{
	"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
	"2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
}

// yearPractice builds the resources and their calendars, without bookings.
func yearPractice(rng *rand.Rand) Practice {
	p := Practice{Location: paris}
	for i := range 10 {
		room := Resource{ID: int64(i + 1), Hours: slicesConcat(weekdays("07:30", "13:00"), weekdays("13:30", "19:30"))}
		if i < 4 {
			room.Hours = append(room.Hours, open(time.Saturday, "08:00", "13:00"))
		}
		for _, day := range frenchHolidays2026 {
			room.Closures = append(room.Closures, wholeDays(at(day+" 00:00"), 1))
		}
		for range 3 {
			room.Closures = append(room.Closures, wholeDays(fixtureYear.AddDate(0, 0, rng.IntN(365)), 1))
		}
		p.Rooms = append(p.Rooms, room)
	}
	for i := range 20 {
		rad := Resource{ID: int64(i + 1)}
		dayOff := time.Weekday(i%5 + 1)
		for day := time.Monday; day <= time.Saturday; day++ {
			if day != dayOff {
				rad.Hours = append(rad.Hours, open(day, "07:30", "19:30"))
			}
		}
		for range 5 {
			monday := fixtureYear.AddDate(0, 0, 4+7*rng.IntN(52)) // 2026-01-05 is a Monday
			rad.Closures = append(rad.Closures, wholeDays(monday, 7))
		}
		p.Radiologists = append(p.Radiologists, rad)
	}
	recovery := slicesConcat(weekdays("07:30", "21:30"), []WeeklyHours{open(time.Saturday, "08:00", "16:00")})
	for i := range 12 {
		p.Places = append(p.Places, Place{Resource: Resource{ID: int64(i + 1), Hours: recovery}, Kind: RecoveryChair})
	}
	for i := range 6 {
		p.Places = append(p.Places, Place{Resource: Resource{ID: int64(i + 101), Hours: recovery}, Kind: RecoveryBed})
	}
	for i := range 6 {
		p.Places = append(p.Places, Place{Resource: Resource{ID: int64(i + 201), Hours: EveryDay(0, 24*60)}, Kind: WardBed})
	}
	return p
}

func wholeDays(first time.Time, days int) Interval {
	return Interval{first, first.AddDate(0, 0, days)}
}

func slicesConcat(a, b []WeeklyHours) []WeeklyHours {
	return append(append([]WeeklyHours(nil), a...), b...)
}

// yearOfBookings fills the year day by day and returns the practice with its
// busy intervals and the number of acts booked.
func yearOfBookings(seed uint64) (Practice, int) {
	rng := rand.New(rand.NewPCG(seed, 2026))
	p := yearPractice(rng)
	planner := mustPlannerNoTest(p) // only to read opening hours the way the search does
	b := &booker{p: &p, planner: planner, rng: rng, acts: fixtureActs(),
		radFree: make([]int64, len(p.Radiologists)), placeFree: make([]int64, len(p.Places))}
	for day := fixtureYear; day.Year() == 2026; day = day.AddDate(0, 0, 1) {
		b.fillDay(day)
	}
	return p, b.booked
}

func mustPlannerNoTest(p Practice) *Planner {
	planner, err := New(p)
	if err != nil {
		panic(err)
	}
	return planner
}

// booker simulates the secretaries: it books the rooms of a day in time
// order, always serving the room whose next free instant is the earliest,
// so that remembering when each radiologist and place is next free is
// enough to never double-book them.
type booker struct {
	p         *Practice
	planner   *Planner
	rng       *rand.Rand
	acts      []fixtureAct
	radFree   []int64 // per radiologist, free from (Unix seconds)
	placeFree []int64
	booked    int
}

func (b *booker) fillDay(day time.Time) {
	r := b.planner.newReader()
	dayStart, dayEnd := day.Unix(), day.AddDate(0, 0, 1).Unix()
	openings := make([][]span, len(b.p.Rooms))
	cursors := make([]int64, len(b.p.Rooms))
	for i := range b.p.Rooms {
		openings[i] = r.appendFree(nil, &b.planner.rooms.calendars[i], dayStart, dayEnd)
		cursors[i] = dayEnd
		if len(openings[i]) > 0 {
			cursors[i] = openings[i][0].from
		}
	}
	for {
		room := earliestCursor(cursors)
		if cursors[room] >= dayEnd {
			return
		}
		cursors[room] = b.bookAt(r, room, cursors[room], openings[room], dayEnd)
	}
}

func earliestCursor(cursors []int64) int {
	best := 0
	for i, c := range cursors {
		if c < cursors[best] {
			best = i
		}
	}
	return best
}

// bookAt tries to book one act in the room at start and returns the room's
// next cursor: after the act, after an idle gap, or a few minutes later.
func (b *booker) bookAt(r *reader, room int, start int64, openings []span, dayEnd int64) int64 {
	const fiveMinutes = 5 * secondsPerMinute
	w, ok := covering(openings, start, start+1)
	if !ok {
		for _, o := range openings {
			if o.from > start {
				return o.from
			}
		}
		return dayEnd
	}
	if b.rng.IntN(100) < 10 { // an unbooked gap: late referral, cancellation
		return start + fiveMinutes*int64(1+b.rng.IntN(8))
	}
	act := b.pickAct()
	actEnd := start + int64(act.need.RoomMinutes)*secondsPerMinute
	roomEnd := actEnd + int64(act.need.TurnoverMinutes)*secondsPerMinute
	if roomEnd > w.to {
		return start + fiveMinutes
	}
	rad := b.pickRadiologist(r, act.need, start, actEnd)
	place, placeEnd := b.pickPlace(r, act.need, actEnd)
	if rad < 0 || place < 0 {
		return start + fiveMinutes
	}
	b.p.Rooms[room].Busy = append(b.p.Rooms[room].Busy, b.interval(start, roomEnd))
	b.p.Radiologists[rad].Busy = append(b.p.Radiologists[rad].Busy, b.interval(start, actEnd))
	b.p.Places[place].Busy = append(b.p.Places[place].Busy, b.interval(actEnd, placeEnd))
	b.radFree[rad], b.placeFree[place] = actEnd, placeEnd
	b.booked++
	return roomEnd
}

func (b *booker) pickAct() fixtureAct {
	roll := b.rng.IntN(100)
	for _, a := range b.acts {
		if roll < a.weight {
			return a
		}
		roll -= a.weight
	}
	return b.acts[0]
}

func (b *booker) pickRadiologist(r *reader, need Need, from, to int64) int {
	offset := b.rng.IntN(len(need.Radiologists))
	for k := range need.Radiologists {
		i := int(need.Radiologists[(k+offset)%len(need.Radiologists)] - 1)
		if b.radFree[i] <= from && b.isOpen(r, &b.planner.radiologists.calendars[i], from, to) {
			return i
		}
	}
	return -1
}

func (b *booker) pickPlace(r *reader, need Need, actEnd int64) (place int, until int64) {
	until = actEnd + int64(need.MonitoringMinutes)*secondsPerMinute
	if need.Monitoring == OvernightInWard {
		next := time.Unix(actEnd, 0).In(paris)
		until = max(until, time.Date(next.Year(), next.Month(), next.Day()+1, 10, 0, 0, 0, paris).Unix())
	}
	for i, place := range b.p.Places {
		if place.Kind == need.Monitoring.PlaceKind() && b.placeFree[i] <= actEnd &&
			b.isOpen(r, &b.planner.places.calendars[i], actEnd, until) {
			return i, until
		}
	}
	return -1, 0
}

// isOpen reads the calendar's opening hours and closures (the fixture's
// planner has no bookings).
func (b *booker) isOpen(r *reader, cal *calendar, from, to int64) bool {
	_, ok := covering(r.appendFree(nil, cal, from, to), from, to)
	return ok
}

func (b *booker) interval(from, to int64) Interval {
	return Interval{time.Unix(from, 0).In(paris), time.Unix(to, 0).In(paris)}
}
