// Package practice describes the practice's places and people: sites, CT
// rooms, recovery places and the referring physicians it works with.
package practice

import (
	"errors"
	"time"
)

// Room kinds.
const (
	CT            = "ct"
	RecoveryChair = "recovery_chair"
	RecoveryBed   = "recovery_bed"
	WardBed       = "ward_bed"
)

// Site is one address of the practice.
type Site struct {
	ID      int64
	Name    string
	Address string
	Phone   string
}

// Room is a CT room or a place where patients are monitored.
type Room struct {
	ID             int64
	SiteID         int64
	Name           string
	Kind           string
	StationAETitle string // DICOM station AE title of a CT room's scanner
	Active         bool
}

// Physician is a referring physician.
type Physician struct {
	ID     int64
	Name   string
	RPPS   string
	Email  string
	UserID int64
}

// Resource kinds that have opening hours and closures.
const (
	ResourceRoom        = "room"
	ResourceRadiologist = "radiologist"
	ResourceAnaesthesia = "anaesthesia"
)

// OpeningHours is one weekly opening span of a resource, in the site's time,
// e.g. Monday 08:00-12:30 for an interventional half-day.
type OpeningHours struct {
	ID           int64
	ResourceKind string
	ResourceID   int64
	Weekday      int // 0 = Sunday, as time.Weekday
	StartMinute  int // minutes from midnight
	EndMinute    int
}

// Closure is a dated unavailability: a room closed, a radiologist absent.
type Closure struct {
	ID           int64
	ResourceKind string
	ResourceID   int64
	From, To     time.Time
	Reason       string
}

// AnaesthesiaTeam is an anaesthetist or team that attends acts under
// general anaesthesia or sedation; its availability is its opening hours
// (kind ResourceAnaesthesia) minus its closures.
type AnaesthesiaTeam struct {
	ID     int64
	SiteID int64
	Name   string
	Active bool
}

// Settings are the practice-wide scheduling choices of the admin.
type Settings struct {
	// TurnoverMinutes keeps a CT room held after each act (cleaning,
	// installing the next patient). The catalogue's room minutes already
	// include installation, so the default is 0.
	TurnoverMinutes int
	// WardDischargeMinute is when an overnight ward bed is freed the next
	// morning, in minutes after midnight; 0 means 10:00.
	WardDischargeMinute int
}

// Validate checks the settings' ranges.
func (s Settings) Validate() error {
	if s.TurnoverMinutes < 0 || s.TurnoverMinutes > 120 {
		return errors.New("practice: turnover must be between 0 and 120 minutes")
	}
	if s.WardDischargeMinute < 0 || s.WardDischargeMinute >= 24*60 {
		return errors.New("practice: ward discharge time must be within the day")
	}
	return nil
}
