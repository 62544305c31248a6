package fhir

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"repere/internal/referral"
)

// ServiceRequest is a referral: the act as code (system urn:repere:act),
// the levels and the side as body sites, the indication as reason, prior
// imaging as a note, the prescription date as authoredOn.
type ServiceRequest struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Identifier   []Identifier      `json:"identifier,omitempty"`
	Status       string            `json:"status,omitempty"`
	Intent       string            `json:"intent,omitempty"`
	Priority     string            `json:"priority,omitempty"`
	Code         *CodeableConcept  `json:"code,omitempty"`
	Subject      *Reference        `json:"subject,omitempty"`
	AuthoredOn   string            `json:"authoredOn,omitempty"`
	Requester    *Reference        `json:"requester,omitempty"`
	ReasonCode   []CodeableConcept `json:"reasonCode,omitempty"`
	BodySite     []CodeableConcept `json:"bodySite,omitempty"`
	Note         []Annotation      `json:"note,omitempty"`
	modifiers
}

// requestStatus maps a referral's status: every open state is "active".
var requestStatus = map[referral.Status]string{
	referral.Received: "active", referral.Screening: "active", referral.Booked: "active",
	referral.Done: "completed", referral.Cancelled: "revoked",
}

// requestStatuses is FHIR's request-status value set, with the referral
// statuses each code finds.
var requestStatuses = map[string][]referral.Status{
	"draft": nil, "active": {referral.Received, referral.Screening, referral.Booked}, "on-hold": nil,
	"revoked": {referral.Cancelled}, "completed": {referral.Done}, "entered-in-error": nil, "unknown": nil,
}

// Urgency and FHIR priority (routine < urgent < asap < stat): "soon" is to
// be acted on promptly (urgent), "urgent" as soon as possible (asap).
var priorityOf = map[referral.Urgency]string{referral.Routine: "routine", referral.Soon: "urgent", referral.Urgent: "asap"}
var urgencyOf = map[string]referral.Urgency{"": referral.Routine, "routine": referral.Routine,
	"urgent": referral.Soon, "asap": referral.Urgent, "stat": referral.Urgent}

var sideLabel = map[string]string{"left": "gauche", "right": "droit", "bilateral": "bilatéral", "median": "médian"}

// ServiceRequestFrom maps a referral; actName is the act's name in the catalogue.
func ServiceRequestFrom(r referral.Referral, actName string) ServiceRequest {
	id := strconv.FormatInt(r.ID, 10)
	out := ServiceRequest{ResourceType: "ServiceRequest", ID: id, Status: requestStatus[r.Status],
		Intent: "order", Priority: priorityOf[r.Urgency], AuthoredOn: r.PrescriptionDate,
		Identifier: []Identifier{{Use: "usual", System: SystemReferral, Value: id}},
		Subject:    &Reference{Reference: "Patient/" + strconv.FormatInt(r.PatientID, 10), Display: r.PatientName},
	}
	if out.Status == "" {
		out.Status = "unknown"
	}
	if r.ActID != "" {
		out.Code = &CodeableConcept{Coding: []Coding{{System: SystemAct, Code: r.ActID, Display: actName}}, Text: actName}
	}
	if r.PhysicianID != 0 {
		out.Requester = &Reference{Reference: "Practitioner/" + physicianPrefix + strconv.FormatInt(r.PhysicianID, 10), Display: r.PhysicianName}
	}
	if s := strings.TrimSpace(r.Indication); s != "" {
		out.ReasonCode = []CodeableConcept{{Text: s}}
	}
	if s := strings.TrimSpace(r.Levels); s != "" {
		out.BodySite = append(out.BodySite, CodeableConcept{Text: s})
	}
	if r.Side != "" {
		out.BodySite = append(out.BodySite, CodeableConcept{Coding: []Coding{{System: SystemSide, Code: r.Side, Display: sideLabel[r.Side]}}})
	}
	if s := strings.TrimSpace(r.PriorImaging); s != "" {
		out.Note = []Annotation{{Text: s}}
	}
	return out
}

var fhirDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// ToDomain reads a referral sent by another system; it is recorded as
// received. The requester is either "Practitioner/ref-<id>" (its id is set)
// or given by RPPS identifier, which the caller resolves (requesterRPPS).
// subject resolves the subject's reference to a patient id (its second
// result false when it names no patient of this server).
func (s ServiceRequest) ToDomain(subject func(ref string) (int64, bool)) (referral.Referral, error) {
	out := referral.Referral{Status: referral.Received}
	bad := &InvalidError{Status: http.StatusBadRequest}
	if s.ResourceType != "ServiceRequest" {
		bad.add("ServiceRequest.resourceType", "invalid", "resourceType must be ServiceRequest")
	}
	if len(s.ModifierExtension) > 0 {
		bad.add("ServiceRequest.modifierExtension", "not-supported", "modifier extensions are not supported")
	}
	if _, known := requestStatuses[s.Status]; !known {
		bad.add("ServiceRequest.status", required(s.Status), "status is required (request-status code)")
	}
	if s.Intent == "" {
		bad.add("ServiceRequest.intent", "required", "intent is required")
	}
	if s.Subject == nil || s.Subject.Reference == "" {
		bad.add("ServiceRequest.subject", "required", "subject (Patient/<id>) is required")
	} else if id, ok := subject(s.Subject.Reference); ok {
		out.PatientID = id
	} else {
		bad.Status = http.StatusUnprocessableEntity
		bad.add("ServiceRequest.subject", "business-rule", fmt.Sprintf("subject %q is not a Patient of this server (Patient/<id>)", s.Subject.Reference))
	}
	urgency, ok := urgencyOf[s.Priority]
	if !ok {
		bad.add("ServiceRequest.priority", "code-invalid", fmt.Sprintf("unknown priority %q (routine, urgent, asap, stat)", s.Priority))
	}
	out.Urgency = urgency
	if s.AuthoredOn != "" {
		if !fhirDate.MatchString(s.AuthoredOn) {
			bad.add("ServiceRequest.authoredOn", "value", "authoredOn must be a full date or dateTime")
		} else {
			out.PrescriptionDate = s.AuthoredOn[:10]
		}
	}
	if s.Requester != nil && s.Requester.Reference != "" {
		ref, _ := strings.CutPrefix(s.Requester.Reference, "Practitioner/"+physicianPrefix)
		id, err := strconv.ParseInt(ref, 10, 64)
		if ref == s.Requester.Reference || err != nil || id <= 0 {
			bad.add("ServiceRequest.requester", "invalid", "requester must be Practitioner/ref-<id> or carry an RPPS identifier")
		}
		out.PhysicianID = id
	}
	out.ActID = s.Code.code(SystemAct)
	var reasons, levels, notes []string
	for _, rc := range s.ReasonCode {
		reasons = appendText(reasons, rc)
	}
	for _, site := range s.BodySite {
		if side := site.code(SystemSide); side != "" {
			out.Side = side
			continue
		}
		levels = appendText(levels, site)
	}
	for _, n := range s.Note {
		if t := strings.TrimSpace(n.Text); t != "" {
			notes = append(notes, t)
		}
	}
	out.Indication = strings.Join(reasons, "; ")
	out.Levels = strings.Join(levels, ", ")
	out.PriorImaging = strings.Join(notes, "\n")
	return out, bad.orNil()
}

// requesterRPPS is the RPPS number identifying the requester, if given that
// way: under the RPPS system, or as FR Core's IdNatPs ("8" + RPPS; the 11
// digits alone, as this server once published them, are understood too).
func (s ServiceRequest) requesterRPPS() string {
	if s.Requester == nil || s.Requester.Reference != "" || s.Requester.Identifier == nil {
		return ""
	}
	v := strings.TrimSpace(s.Requester.Identifier.Value)
	switch s.Requester.Identifier.System {
	case SystemRPPS:
		return v
	case SystemIdNatPs:
		if len(v) == 12 && v[0] == '8' {
			return v[1:]
		}
		if len(v) == 11 {
			return v
		}
	}
	return ""
}

// senderIdentifiers are the identifiers another system gave a resource:
// all but this server's own and the INS.
func senderIdentifiers(ids []Identifier, own ...string) []Identifier {
	var out []Identifier
	for _, id := range ids {
		if slices.Contains(own, id.System) || id.System == SystemINS {
			continue
		}
		out = append(out, Identifier{System: strings.TrimSpace(id.System), Value: strings.TrimSpace(id.Value)})
	}
	return out
}

func required(value string) string {
	if value == "" {
		return "required"
	}
	return "code-invalid"
}

// appendText adds a concept's text, or else its first coding's display or code.
func appendText(list []string, c CodeableConcept) []string {
	t := strings.TrimSpace(c.Text)
	for _, cd := range c.Coding {
		if t == "" {
			t = strings.TrimSpace(cmp.Or(cd.Display, cd.Code))
		}
	}
	if t == "" {
		return list
	}
	return append(list, t)
}

// localID reads "Type/<id>" with a positive numeric id.
func localID(ref, typ string) (int64, bool) {
	rest, ok := strings.CutPrefix(ref, typ+"/")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// referralProblemPaths names the element behind each field of referral.Validate.
var referralProblemPaths = map[string][2]string{
	"act":               {"ServiceRequest.code", "the act is required, as a coding of " + SystemAct},
	"side":              {"ServiceRequest.bodySite", "unknown side (left, right, bilateral, median)"},
	"urgency":           {"ServiceRequest.priority", "unknown priority"},
	"prescription_date": {"ServiceRequest.authoredOn", "the prescription date is in the future"},
	"indication":        {"ServiceRequest.reasonCode", "the indication is not valid"},
	"levels":            {"ServiceRequest.bodySite", "the levels are not valid"},
	"prior_imaging":     {"ServiceRequest.note", "the prior imaging note is not valid"},
}
