package schedule

import "time"

// Interval is a half-open span of time, [Start, End).
type Interval struct {
	Start, End time.Time
}

// IsZero reports whether the interval is unset (e.g. no monitoring place).
func (iv Interval) IsZero() bool { return iv.Start.IsZero() && iv.End.IsZero() }

// Overlaps reports whether two half-open intervals share at least an instant.
func (iv Interval) Overlaps(other Interval) bool {
	return iv.Start.Before(other.End) && other.Start.Before(iv.End)
}

// WeeklyHours is one weekly opening span in the site's local time, e.g.
// Monday 08:00-12:30 = {time.Monday, 480, 750}. EndMinute 1440 is midnight at
// the end of the day.
type WeeklyHours struct {
	Weekday     time.Weekday
	StartMinute int // minutes after local midnight, 0..1439
	EndMinute   int // minutes after local midnight, StartMinute+1..1440
}

// EveryDay returns the same opening span for the seven days of the week.
// EveryDay(0, 1440) keeps a ward bed open around the clock.
func EveryDay(startMinute, endMinute int) []WeeklyHours {
	hours := make([]WeeklyHours, 0, 7)
	for day := time.Sunday; day <= time.Saturday; day++ {
		hours = append(hours, WeeklyHours{Weekday: day, StartMinute: startMinute, EndMinute: endMinute})
	}
	return hours
}

// Resource is anything an act holds: a CT room, a radiologist, a monitoring
// place, an anaesthesia team. Busy intervals need not be sorted and may
// overlap; they only need to cover the searched window (see [Query.Until]).
type Resource struct {
	ID       int64 // non-zero, unique within its kind
	Hours    []WeeklyHours
	Closures []Interval // dated unavailability: maintenance, holiday, absence
	Busy     []Interval // existing bookings
}

// PlaceKind is the kind of a monitoring place. The values are those of
// package practice's room kinds.
type PlaceKind string

const (
	RecoveryChair PlaceKind = "recovery_chair"
	RecoveryBed   PlaceKind = "recovery_bed"
	WardBed       PlaceKind = "ward_bed"
)

// Place is a monitoring place of some kind.
type Place struct {
	Resource
	Kind PlaceKind
}

// DefaultWardDischargeMinute is the next-morning discharge time used when the
// practice sets none: 10:00.
const DefaultWardDischargeMinute = 10 * 60

// Practice is what a search reads: the site's time zone and its resources.
// The order of each slice is the order of preference between resources that
// fit a slot equally well.
type Practice struct {
	Location     *time.Location // the site's zone, e.g. Europe/Paris
	Rooms        []Resource     // CT rooms
	Radiologists []Resource
	Places       []Place
	Anaesthesia  []Resource // anaesthetists or teams; may be empty

	// WardDischargeMinute is the local time, in minutes after midnight, at
	// which an overnight ward bed is freed the morning after the act.
	// Zero means DefaultWardDischargeMinute.
	WardDischargeMinute int
}

// Monitoring says where the patient is watched after the act. The values are
// those of the catalogue's monitoring places, so a catalogue act converts
// with schedule.Monitoring(act.Monitoring.Place).
type Monitoring string

const (
	NoMonitoring    Monitoring = "none"
	InRecoveryChair Monitoring = "recovery_chair"
	InRecoveryBed   Monitoring = "recovery_bed"
	OvernightInWard Monitoring = "ward_overnight"
)

// PlaceKind is the kind of place the monitoring needs ("" for none).
func (m Monitoring) PlaceKind() PlaceKind {
	switch m {
	case InRecoveryChair:
		return RecoveryChair
	case InRecoveryBed:
		return RecoveryBed
	case OvernightInWard:
		return WardBed
	}
	return ""
}

// Need is what one act asks of the practice.
type Need struct {
	RoomMinutes     int        // the act itself: room, radiologist, anaesthesia
	TurnoverMinutes int        // the room stays held after the act (cleaning)
	Radiologists    []int64    // who performs this act; ids the practice lacks are ignored
	Monitoring      Monitoring // "" is NoMonitoring
	// MonitoringMinutes is how long the place is held after the act; for an
	// overnight stay, the bed is held until the next-morning discharge or
	// for these minutes, whichever ends later.
	MonitoringMinutes int
	Anaesthesia       bool // an anaesthesia resource must attend the act
}

// Window bounds the start of an act.
type Window struct {
	Earliest time.Time // no act starts before, e.g. the end of an anticoagulant hold
	Latest   time.Time // if set, every act starts strictly before
}

// Defaults of a Query's zero fields.
const (
	DefaultCount              = 10
	DefaultStepMinutes        = 5
	DefaultShortestActMinutes = 20 // an infiltration's room time
	DefaultHorizonDays        = 92 // when Latest is not set
)

// Query asks for the next slots of one need.
type Query struct {
	Window
	Count       int // how many slots; 0 means DefaultCount
	StepMinutes int // slots start on local multiples of this; 0 means DefaultStepMinutes
	// ShortestActMinutes is the shortest room time among the practice's
	// common acts: a free gap shorter than this is wasted.
	// 0 means DefaultShortestActMinutes.
	ShortestActMinutes int
}

// Until is the instant before which every returned slot starts: Latest, or
// DefaultHorizonDays after Earliest. The store should load the busy
// intervals and closures overlapping [Earliest - 1 day, Until + 3 days):
// that covers every hold the package accepts (a day of act, two of
// monitoring) and the look-around of the ranking.
func (q Query) Until() time.Time {
	if !q.Latest.IsZero() {
		return q.Latest
	}
	return q.Earliest.AddDate(0, 0, DefaultHorizonDays)
}

// Booking is one act placed on a start and resources; a resource's id is 0
// when the act does not need it.
type Booking struct {
	Start         time.Time
	RoomID        int64
	RadiologistID int64
	PlaceID       int64
	AnaesthesiaID int64
}

// Fit is how well a slot fits the day (see the package documentation).
type Fit struct {
	WastedMinutes int // free minutes left in gaps too short for any act
	SnugEnds      int // hold ends touching a booking or opening boundary
}

// Slot is one feasible booking with its holds.
type Slot struct {
	Booking
	Act        Interval // the act: radiologist and anaesthesia held
	Room       Interval // the act plus turnover: room held
	Monitoring Interval // the monitoring place held; zero when none
	Fit        Fit
}
