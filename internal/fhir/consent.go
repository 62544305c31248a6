package fhir

import (
	"context"
	"strconv"
	"time"
)

// ConsentRecord is a frozen consent as the API publishes it (the document
// itself stays in Repère; its SHA-256 identifies it).
type ConsentRecord struct {
	ID, PatientID, AppointmentID int64
	ActID, Kind, Version         string // kind: signed (on the tablet or the patient's link) or scanned (paper)
	SignerName                   string
	SignedAt                     time.Time
	SHA256, ContentType          string
	WithdrawnAt                  time.Time // zero while in force
	Size                         int       // the document's length
	SHA1                         string    // its SHA-1, base64 (an attachment's hash)
}

// Consent is the FHIR R4 Consent of an act.
type Consent struct {
	ResourceType     string            `json:"resourceType"`
	ID               string            `json:"id"`
	Meta             *Meta             `json:"meta,omitempty"`
	Identifier       []Identifier      `json:"identifier,omitempty"`
	Status           string            `json:"status"`
	Scope            CodeableConcept   `json:"scope"`
	Category         []CodeableConcept `json:"category"`
	Patient          *Reference        `json:"patient,omitempty"`
	DateTime         string            `json:"dateTime,omitempty"`
	PolicyRule       *CodeableConcept  `json:"policyRule,omitempty"`
	SourceAttachment *attachment       `json:"sourceAttachment,omitempty"`
	Provision        *consentProvision `json:"provision,omitempty"`
}

// attachment is a document served as a Binary: its URL, size and SHA-1.
type attachment struct {
	ContentType string `json:"contentType,omitempty"`
	Language    string `json:"language,omitempty"`
	Data        string `json:"data,omitempty"`
	URL         string `json:"url,omitempty"`
	Size        int    `json:"size,omitempty"`
	Hash        string `json:"hash,omitempty"`
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

type consentProvision struct {
	Type   string  `json:"type"`
	Period *period `json:"period,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Identifier systems of consents.
const (
	SystemConsent       = "urn:repere:consent"
	SystemConsentSHA256 = "urn:repere:consent-sha256"
)

// ConsentFrom maps a consent record: active while in force (version 1),
// inactive once withdrawn (version 2: the withdrawal closes the provision's
// period). The document is the Binary consent-<id>.
func ConsentFrom(c ConsentRecord, loc *time.Location) Consent {
	id := strconv.FormatInt(c.ID, 10)
	out := Consent{ResourceType: "Consent", ID: id, Status: "active",
		Identifier: []Identifier{{System: SystemConsent, Value: id}, {System: SystemConsentSHA256, Value: c.SHA256}},
		Scope:      CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/consentscope", Code: "treatment", Display: "Treatment"}}},
		Category:   []CodeableConcept{{Coding: []Coding{{System: "http://loinc.org", Code: "59284-0", Display: "Patient Consent"}}}},
		Patient:    &Reference{Reference: "Patient/" + strconv.FormatInt(c.PatientID, 10)},
		DateTime:   c.SignedAt.In(loc).Format(time.RFC3339),
		PolicyRule: &CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ActCode", Code: "OPTIN", Display: "opt-in"}}},
		SourceAttachment: &attachment{ContentType: c.ContentType, Title: "Consentement " + c.Kind + " (" + c.SignerName + ")",
			Creation: c.SignedAt.In(loc).Format(time.RFC3339)},
		Meta:      newMeta(Version{Number: 1, LastUpdated: c.SignedAt}, loc),
		Provision: &consentProvision{Type: "permit", Period: &period{Start: c.SignedAt.In(loc).Format(time.RFC3339)}},
	}
	if c.Size > 0 {
		out.SourceAttachment.URL, out.SourceAttachment.Size, out.SourceAttachment.Hash = "Binary/consent-"+id, c.Size, c.SHA1
	}
	if !c.WithdrawnAt.IsZero() {
		out.Meta = newMeta(Version{Number: 2, LastUpdated: c.WithdrawnAt}, loc)
		out.Status = "inactive"
		out.Provision.Period.End = c.WithdrawnAt.In(loc).Format(time.RFC3339)
	}
	return out
}

func (h *handler) readConsent(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	c, err := h.src.Consent(ctx, n)
	if err != nil {
		return nil, err
	}
	return ConsentFrom(c, h.opts.Location), nil
}

var consentStatuses = map[string][]bool{"active": {true}, "inactive": {false}, "draft": nil, "proposed": nil, "rejected": nil, "entered-in-error": nil}

func (h *handler) searchConsents(ctx context.Context, p *params) ([]found, int, error) {
	patientIDs := p.refList("patient", "Patient")
	active, given := codes(p, "status", consentStatuses)
	if patientIDs == nil {
		p.bad("patient", "a Consent search needs the patient")
	}
	if err := p.check(); err != nil || given && len(active) == 0 {
		return nil, 0, err
	}
	var list []ConsentRecord
	for _, id := range patientIDs {
		some, err := h.src.Consents(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, some...)
	}
	var out []found
	for _, c := range list {
		if given && !slicesContains(active, c.WithdrawnAt.IsZero()) {
			continue
		}
		out = append(out, found{strconv.FormatInt(c.ID, 10), ConsentFrom(c, h.opts.Location)})
	}
	page, total := pageOf(out, p.page)
	return page, total, nil
}

func slicesContains(list []bool, v bool) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
