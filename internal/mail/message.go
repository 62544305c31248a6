package mail

import (
	"bytes"
	"errors"
	"maps"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"time"
	"unicode/utf8"
)

// ErrInvalid marks a message or address that no server will ever accept as
// written; Permanent reports it so the outbox stops retrying.
var ErrInvalid = errors.New("invalid message")

// Attachment is a file sent with a message, a PDF convocation for instance.
type Attachment struct {
	// Name is the file name the patient sees, accents allowed.
	Name string `json:"name"`
	// ContentType defaults to application/octet-stream.
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Message is one email to one patient.
type Message struct {
	// From defaults to Config.From when sent through a Sender.
	From    netmail.Address
	To      netmail.Address
	ReplyTo *netmail.Address
	Subject string
	// Text and HTML are the two renderings of the body; at least one is
	// required. Line breaks may be \n, \r\n or \r; all are sent as CRLF.
	Text, HTML  string
	Attachments []Attachment
	// MessageID should be stable across retries of the same outbox row
	// ("<outbox-42@cabinet.example>") so a patient never sees two copies as
	// two mails. Generated when empty.
	MessageID string
	// Date defaults to now.
	Date time.Time
	// Headers are extra header fields such as Auto-Submitted. Fields the
	// message sets itself (From, Subject, Content-Type…) are refused.
	Headers map[string]string
}

// Bytes renders the message as RFC 5322 text with CRLF line endings, ready
// for SMTP DATA. Every error wraps ErrInvalid.
func (m Message) Bytes() ([]byte, error) {
	if m.Text == "" && m.HTML == "" {
		return nil, invalid("the message has no text")
	}
	for _, part := range []struct{ name, value string }{{"text", m.Text}, {"HTML", m.HTML}} {
		if !utf8.ValidString(part.value) {
			return nil, invalid("the %s is not valid UTF-8", part.name)
		}
	}
	var b bytes.Buffer
	if err := m.writeHeader(&b); err != nil {
		return nil, err
	}
	if err := m.writeBody(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (m Message) writeHeader(b *bytes.Buffer) error {
	from, err := formatAddress("from", m.From)
	if err != nil {
		return err
	}
	to, err := formatAddress("to", m.To)
	if err != nil {
		return err
	}
	subject, err := encodeSubject(m.Subject)
	if err != nil {
		return err
	}
	messageID, err := m.messageID()
	if err != nil {
		return err
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h := headerWriter{b: b}
	h.field("Date", date.Format(time.RFC1123Z))
	h.field("From", from)
	h.field("To", to)
	if m.ReplyTo != nil {
		replyTo, err := formatAddress("reply-to", *m.ReplyTo)
		if err != nil {
			return err
		}
		h.field("Reply-To", replyTo)
	}
	h.field("Subject", subject)
	h.field("Message-ID", messageID)
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		value, err := extraHeaderValue(name, m.Headers[name])
		if err != nil {
			return err
		}
		h.field(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	h.field("MIME-Version", "1.0")
	return h.err
}
