// Package referral is a physician's request for an act, followed from receipt
// to the act or its cancellation.
package referral

import (
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"repere/internal/patient"
)

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
	// Cover is how the national insurance covers the act (billing.Cover
	// reasons: "" general case, "ald", "at_mp", "exempt").
	Cover string
	// PregnancyStart and DeliveryDate (YYYY-MM-DD, or "") are recorded with
	// the cover: from the 6th month of pregnancy to 12 days after delivery
	// the patient does not pay the flat contribution (billing).
	PregnancyStart, DeliveryDate string
	// SentIdentity is the patient's identity exactly as a referring
	// physician typed it in a request from their space (zero for a
	// referral the staff or another system recorded). IdentityToConfirm:
	// the record the request is filed on is a proposal a person must
	// still confirm (identity vigilance); until then it is not booked and
	// nothing is sent to the patient for it.
	SentIdentity      patient.Patient
	IdentityToConfirm bool
	// RecordFromRequest: the record the referral is filed on was made from
	// SentIdentity (by the request's intake or a re-filing onto a new
	// record), not found among the practice's records.
	RecordFromRequest bool

	// Filled by list queries for display.
	PatientName   string
	PhysicianName string
}

// Sides a referral may name.
var Sides = []string{"", "left", "right", "bilateral", "median"}

// Urgencies in increasing order.
var Urgencies = []Urgency{Routine, Soon, Urgent}

// Validate returns, per form field, the message key of what is wrong. The
// act's existence is checked by the caller, who holds the catalogue.
func (r Referral) Validate(today time.Time) map[string]string {
	problems := map[string]string{}
	if r.ActID == "" {
		problems["act"] = "referral.err.act"
	}
	if !slices.Contains(Sides, r.Side) {
		problems["side"] = "referral.err.side"
	}
	if !slices.Contains(Urgencies, r.Urgency) {
		problems["urgency"] = "referral.err.urgency"
	}
	if r.PrescriptionDate != "" {
		d, err := time.Parse(time.DateOnly, r.PrescriptionDate)
		if err != nil || d.After(today) {
			problems["prescription_date"] = "referral.err.prescription_date"
		}
	}
	for field, value := range map[string]string{"levels": r.Levels, "indication": r.Indication, "prior_imaging": r.PriorImaging} {
		if utf8.RuneCountInString(value) > MaxLength[field] {
			problems[field] = ErrTooLong
		}
	}
	return problems
}

// MaxLength is the longest value, in characters, of each text of a referral.
var MaxLength = map[string]int{"levels": 100, "indication": 2000, "prior_imaging": 500}

// ErrTooLong is the message key of a text longer than MaxLength; the message
// takes the limit as "Max".
const ErrTooLong = "form.err.too_long"

// ErrStatusChange is returned for a status change the flow does not allow.
var ErrStatusChange = errors.New("referral: this status change is not allowed")

// CanSetStatus tells whether staff may set a referral's status by hand, with
// a reason: any move between received, screening, done and cancelled (a
// mistake is reverted the same way). Booked is reached only by booking, and
// a referral with a booked appointment leaves it only when the appointment
// is cancelled, moved or done, so the planning never disagrees with it.
func CanSetStatus(from, to Status, hasBookedAppointment bool) error {
	if from == to || to == Booked || !slices.Contains(Statuses, to) || hasBookedAppointment || from == Booked {
		return ErrStatusChange
	}
	return nil
}
