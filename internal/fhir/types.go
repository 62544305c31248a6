package fhir

import "encoding/json"

// The FHIR R4 data types the API uses, with only the elements it emits or
// accepts. Elements it does not know are ignored on input, except
// modifierExtension, which changes the meaning of a resource and is refused.

// Identifier systems.
const (
	// FR Core's identifier systems: the INS (NIR, the national health
	// identifier), a professional's IdNatPs ("8" then the RPPS number) and
	// the RPPS number itself.
	SystemINS        = "urn:oid:1.2.250.1.213.1.4.8"
	SystemIdNatPs    = "urn:oid:1.2.250.1.71.4.2.1"
	SystemRPPS       = "http://rpps.fr"
	SystemFRIdentTyp = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203" // INS-NIR, IDNPS, RPPS
	SystemPatient    = "urn:repere:patient"
	SystemReferral   = "urn:repere:referral"
	SystemAppt       = "urn:repere:appointment"
	SystemAccession  = "urn:repere:accession"
	SystemStudy      = "urn:dicom:uid" // value urn:oid:<Study Instance UID>
	SystemPractUser  = "urn:repere:practitioner"
	SystemRoom       = "urn:repere:room"
	SystemAct        = "urn:repere:act"  // catalogue act id
	SystemSide       = "urn:repere:side" // left, right, bilateral, median
	ScreeningCanonic = "urn:repere:questionnaire:screening"
)

type Identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *CodeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
}

// frType is FR Core's type of an identifier (INS-NIR, IDNPS, RPPS).
func frType(code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: SystemFRIdentTyp, Code: code, Display: display}}}
}

// Meta is a resource's version, last change and tags.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Profile     []string `json:"profile,omitempty"`
	Tag         []Coding `json:"tag,omitempty"`
}

type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

type ContactPoint struct {
	System string `json:"system,omitempty"` // phone, email
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

type Address struct {
	Use        string   `json:"use,omitempty"`
	Text       string   `json:"text,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type Annotation struct {
	Text string `json:"text"`
}

// modifiers is embedded in accepted resources to notice modifier extensions.
type modifiers struct {
	ModifierExtension json.RawMessage `json:"modifierExtension,omitempty"`
}

// code returns the code of the first coding of system.
func (c *CodeableConcept) code(system string) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

// OperationOutcome reports errors and warnings.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// Issue is one problem; Expression is the FHIRPath of the element at fault
// (e.g. "Patient.birthDate").
type Issue struct {
	Severity    string   `json:"severity"` // fatal, error, warning, information
	Code        string   `json:"code"`     // invalid, required, value, not-found, forbidden, ...
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// Bundle is a search result set.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource any             `json:"resource,omitempty"`
	Search   *BundleSearch   `json:"search,omitempty"`
	Request  *BundleRequest  `json:"request,omitempty"`
	Response *BundleResponse `json:"response,omitempty"`
}

type BundleRequest struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	IfNoneExist string `json:"ifNoneExist,omitempty"`
}

type BundleResponse struct {
	Status       string `json:"status"`
	Location     string `json:"location,omitempty"`
	Etag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

type BundleSearch struct {
	Mode string `json:"mode"` // match, outcome
}
