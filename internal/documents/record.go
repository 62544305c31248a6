package documents

import "time"

// Kinds of consent records.
const (
	ConsentSigned  = "signed"  // signed on the tablet or the portal: the frozen PDF
	ConsentScanned = "scanned" // a paper consent, scanned and attached
)

// Consent is a frozen consent document as the practice keeps it: the
// signed PDF (or the scanned paper) with its SHA-256. Once stored it is
// never changed: the database refuses updates and deletions.
type Consent struct {
	ID, AppointmentID, PatientID int64
	ActID, VariantID, Lang       string
	Version                      string
	Kind                         string
	SignerName                   string
	SignaturePNG                 []byte
	Document                     []byte
	ContentType                  string
	SHA256                       string
	SignedAt                     time.Time
	RecordedBy                   string
	Withdrawn                    *ConsentEvent // the withdrawal, if any
}

// ConsentEvent is a withdrawal of a consent.
type ConsentEvent struct {
	At     time.Time
	Actor  string
	Reason string
}
