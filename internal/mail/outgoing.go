package mail

import "time"

// Outbox statuses.
const (
	Queued    = "queued"
	Sent      = "sent"
	Failed    = "failed" // given up: the staff sees it and prints instead
	Cancelled = "cancelled"
)

// Channels of the outbox: an email, an SMS through the practice's provider,
// or a letter the staff printed (recorded as sent when printed).
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelLetter = "letter"
)

// Outgoing is an email of the outbox waiting to be sent, sent or given up.
type Outgoing struct {
	ID   int64
	Kind string // convocation, convocation_resend, reminder, report...
	// Channel is ChannelEmail (also when empty), ChannelSMS or ChannelLetter;
	// To is an email address, a phone number, or empty for a letter.
	Channel string
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
