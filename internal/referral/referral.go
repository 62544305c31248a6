// Package referral is a physician's request for an act, followed from receipt
// to the act or its cancellation.
package referral

import "time"

// Status of a referral.
type Status string

const (
	Received  Status = "received"
	Screening Status = "screening"
	Booked    Status = "booked"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Statuses in the order a referral normally moves through them.
var Statuses = []Status{Received, Screening, Booked, Done, Cancelled}

// Urgency of a referral.
type Urgency string

const (
	Routine Urgency = "routine"
	Soon    Urgency = "soon"
	Urgent  Urgency = "urgent"
)

// Referral is one request for an act.
type Referral struct {
	ID               int64
	PatientID        int64
	PhysicianID      int64
	ActID            string
	Levels           string // e.g. "L4-L5"
	Side             string // left, right, bilateral, median or empty
	Indication       string
	Urgency          Urgency
	PriorImaging     string
	PrescriptionDate string // YYYY-MM-DD
	Status           Status
	CreatedAt        time.Time

	// Filled by list queries for display.
	PatientName   string
	PhysicianName string
}
