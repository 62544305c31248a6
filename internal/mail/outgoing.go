package mail

import "time"

// Outbox statuses.
const (
	Queued    = "queued"
	Sent      = "sent"
	Failed    = "failed" // given up: the staff sees it and prints instead
	Cancelled = "cancelled"
)

// Outgoing is an email of the outbox waiting to be sent, sent or given up.
type Outgoing struct {
	ID   int64
	Kind string // convocation, convocation_resend, reminder, report...
	// Version identifies the document the email carries (the SHA-256 of a
	// convocation's letter): one convocation email per version.
	Version       string
	AppointmentID int64
	PatientID     int64
	To            string
	Subject       string
	Text, HTML    string
	Attachments   []Attachment
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
}
