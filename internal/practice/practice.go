// Package practice describes the practice's places and people: sites, CT
// rooms, recovery places and the referring physicians it works with.
package practice

import "time"

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
