// Package booking is an appointment: one act of one referral, holding a CT
// room and a radiologist for the act's room time, then a monitoring place for
// the monitoring time. The durations are copied onto the appointment when it
// is booked, so a later catalogue change cannot shorten a booked slot.
package booking

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status of an appointment.
type Status string

const (
	Booked    Status = "booked"
	Cancelled Status = "cancelled"
	NoShow    Status = "no_show"
	Done      Status = "done"
)

// Resource kinds an appointment holds.
const (
	KindRoom        = "room"
	KindRadiologist = "radiologist"
	KindPlace       = "place"
	KindAnaesthesia = "anaesthesia"
)

// MaxHold is the longest time one appointment may hold one resource (a day
// of room time, two days of monitoring): overlap checks rely on it.
const MaxHold = 48 * time.Hour

// Request asks for an appointment.
type Request struct {
	ReferralID        int64
	VariantID         string
	RoomID            int64
	RadiologistID     int64
	PlaceID           int64 // 0 when the act needs no monitoring place
	AnaesthesiaID     int64 // 0 when no anaesthesia team attends
	Start             time.Time
	RoomMinutes       int
	TurnoverMinutes   int // the room stays held after the act
	MonitoringMinutes int
	// PlaceUntil, when set, is when the monitoring place is freed instead of
	// RoomEnd + MonitoringMinutes: an overnight ward bed is held until the
	// next-morning discharge (see schedule.Planner.Holds).
	PlaceUntil time.Time
	// StudyInstanceUID is the DICOM study the act will make, given at
	// booking (NewStudyInstanceUID when empty).
	StudyInstanceUID string
}

// RoomEnd is when the act leaves the CT room.
func (r Request) RoomEnd() time.Time { return r.Start.Add(time.Duration(r.RoomMinutes) * time.Minute) }

// RoomFreeAt is when the room can take the next act: the act's end plus the turnover.
func (r Request) RoomFreeAt() time.Time {
	return r.RoomEnd().Add(time.Duration(r.TurnoverMinutes) * time.Minute)
}

// PlaceEnd is when the monitoring place is free again.
func (r Request) PlaceEnd() time.Time {
	if !r.PlaceUntil.IsZero() {
		return r.PlaceUntil
	}
	return r.RoomEnd().Add(time.Duration(r.MonitoringMinutes) * time.Minute)
}

// Validate checks the request's own consistency (not availability).
func (r Request) Validate() error {
	switch {
	case r.ReferralID == 0:
		return errors.New("booking: no referral")
	case r.RoomID == 0 || r.RadiologistID == 0:
		return errors.New("booking: a room and a radiologist are required")
	case r.RoomMinutes <= 0 || r.RoomMinutes > 24*60:
		return errors.New("booking: room minutes must be between 1 and 1440")
	case r.MonitoringMinutes < 0 || time.Duration(r.MonitoringMinutes)*time.Minute > MaxHold:
		return errors.New("booking: monitoring minutes must be between 0 and 2880")
	case r.TurnoverMinutes < 0 || r.TurnoverMinutes > 120:
		return errors.New("booking: turnover minutes must be between 0 and 120")
	case !r.PlaceUntil.IsZero() && (r.PlaceUntil.Before(r.RoomEnd()) || r.PlaceUntil.Sub(r.RoomEnd()) > MaxHold):
		return errors.New("booking: the monitoring place must be freed after the act and within 48 hours")
	case r.MonitoringMinutes > 0 && r.PlaceID == 0:
		return errors.New("booking: the act's monitoring needs a place")
	case r.Start.IsZero():
		return errors.New("booking: no start time")

	}
	return nil
}

// Appointment is a booked act.
type Appointment struct {
	ID                int64
	ReferralID        int64
	PatientID         int64
	ActID             string
	VariantID         string
	Status            Status
	RoomID            int64
	RadiologistID     int64
	PlaceID           int64
	AnaesthesiaID     int64
	Start             time.Time
	RoomEnd           time.Time // end of the act (the room is held TurnoverMinutes more)
	PlaceEnd          time.Time
	RoomMinutes       int
	MonitoringMinutes int
	TurnoverMinutes   int
	// PerformedStatus is the scanner's last Modality Performed Procedure
	// Step status: "", "IN PROGRESS", "COMPLETED" or "DISCONTINUED".
	PerformedStatus string
	// The day of the act: where the patient is and when each step began.
	DayStatus                                         DayStatus
	ArrivedAt, InRoomAt, MonitoringFrom, DischargedAt time.Time
	IdentityCheckedBy                                 string
	// ScannerFlag is what the scanner did that the day's steps did not
	// allow (e.g. "started_checklist_open"), shown on the board.
	ScannerFlag      string
	StudyInstanceUID string
	AccessionNumber  string
	CancelReason     string

	// Filled by list queries for display.
	PatientName     string
	RoomName        string
	PlaceName       string
	RadiologistName string
}

// ConflictError says which resource is already taken; a booking never
// overlaps another active one on any resource.
type ConflictError struct {
	Kind       string // room, radiologist or place
	ResourceID int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("booking: %s %d is already booked at that time", e.Kind, e.ResourceID)
}

// ErrAlreadyBooked is returned when a referral already has a booked appointment:
// move it (reschedule) rather than book it twice.
var ErrAlreadyBooked = errors.New("booking: this referral already has a booked appointment")

// ErrNotBooked is returned when changing an appointment that is no longer booked.
var ErrNotBooked = errors.New("booking: the appointment is no longer booked")

// ErrArrived is returned when cancelling, marking absent or moving an
// appointment whose patient is already checked in: step the day back first.
var ErrArrived = errors.New("booking: the patient has already arrived")

// DayStatus is where the patient is on the day of the act.
type DayStatus string

const (
	Expected   DayStatus = "expected"
	Arrived    DayStatus = "arrived"
	InRoom     DayStatus = "in_room"
	Monitoring DayStatus = "monitoring"
	Discharged DayStatus = "discharged"
)

// DayStatuses in the order of the day.
var DayStatuses = []DayStatus{Expected, Arrived, InRoom, Monitoring, Discharged}

// ErrDayStep is returned for a move the day's flow does not allow.
var ErrDayStep = errors.New("booking: this step does not follow the patient's current one")

// NextDayStep tells whether a patient may move from one status to another:
// one step forward at a time, or one step back to correct a mistake.
func NextDayStep(from, to DayStatus) error {
	i, j := slices.Index(DayStatuses, from), slices.Index(DayStatuses, to)
	if i < 0 || j < 0 || (j != i+1 && j != i-1) {
		return ErrDayStep
	}
	return nil
}
