package fhir

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/practice"
)

// Patient is the FHIR Patient: birth name as the official name, used name
// as the usual one, INS and the practice's own id as identifiers.
type Patient struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id,omitempty"`
	Meta         *Meta          `json:"meta,omitempty"`
	Identifier   []Identifier   `json:"identifier,omitempty"`
	Active       *bool          `json:"active,omitempty"`
	Name         []HumanName    `json:"name,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
	Gender       string         `json:"gender,omitempty"`
	BirthDate    string         `json:"birthDate,omitempty"`
	Address      []Address      `json:"address,omitempty"`
	modifiers
}

var genderOf = map[string]string{"F": "female", "M": "male", "U": "unknown"}

// PatientFrom maps a patient record.
func PatientFrom(p patient.Patient) Patient {
	id := strconv.FormatInt(p.ID, 10)
	out := Patient{ResourceType: "Patient", ID: id, Gender: genderOf[p.Sex], BirthDate: p.BirthDate}
	out.Identifier = []Identifier{{Use: "usual", System: SystemPatient, Value: id}}
	if p.INS != "" {
		out.Identifier = append(out.Identifier, Identifier{Use: "official", Type: frType("INS-NIR", "NIR définitif"), System: SystemINS, Value: p.INS})
	}
	given := strings.Fields(p.FirstNames)
	out.Name = []HumanName{{Use: "official", Family: p.BirthName, Given: given}}
	if p.UsedName != "" && p.UsedName != p.BirthName {
		out.Name = append(out.Name, HumanName{Use: "usual", Family: p.UsedName, Given: given})
	}
	if p.Phone != "" {
		out.Telecom = append(out.Telecom, ContactPoint{System: "phone", Value: p.Phone})
	}
	if p.Email != "" {
		out.Telecom = append(out.Telecom, ContactPoint{System: "email", Value: p.Email})
	}
	if strings.TrimSpace(p.Address) != "" {
		out.Address = []Address{{Text: p.Address}}
	}
	return out
}

// ToDomain reads a received Patient. It checks FHIR's own rules (an
// *InvalidError with status 400); the practice's rules are patient.Validate's.
func (p Patient) ToDomain() (patient.Patient, error) {
	var out patient.Patient
	bad := &InvalidError{Status: http.StatusBadRequest}
	if p.ResourceType != "Patient" {
		bad.add("Patient.resourceType", "invalid", "resourceType must be Patient")
	}
	if len(p.ModifierExtension) > 0 {
		bad.add("Patient.modifierExtension", "not-supported", "modifier extensions are not supported")
	}
	official, usual := pickNames(p.Name)
	if official == nil {
		bad.add("Patient.name", "required", "a name with a family name is required")
	} else {
		out.BirthName = strings.TrimSpace(official.Family)
		out.FirstNames = strings.Join(official.Given, " ")
	}
	if usual != nil {
		out.UsedName = strings.TrimSpace(usual.Family)
		if out.FirstNames == "" {
			out.FirstNames = strings.Join(usual.Given, " ")
		}
	}
	switch p.Gender {
	case "female":
		out.Sex = "F"
	case "male":
		out.Sex = "M"
	case "other", "unknown":
		out.Sex = "U"
	case "": // left to the practice's rule, which requires it
	default:
		bad.add("Patient.gender", "code-invalid", fmt.Sprintf("unknown gender %q (male, female, other, unknown)", p.Gender))
	}
	out.BirthDate = p.BirthDate
	if p.Active != nil && !*p.Active {
		bad.add("Patient.active", "not-supported", "an inactive patient cannot be recorded")
	}
	for i, id := range p.Identifier {
		if id.System != SystemINS {
			continue
		}
		ins := strings.ReplaceAll(id.Value, " ", "")
		if out.INS != "" && out.INS != ins {
			bad.add(fmt.Sprintf("Patient.identifier[%d]", i), "invalid", "two different INS")
		}
		out.INS = ins
	}
	for _, t := range p.Telecom {
		switch {
		case t.System == "phone" && out.Phone == "":
			out.Phone = strings.TrimSpace(t.Value)
		case t.System == "email" && out.Email == "":
			out.Email = strings.TrimSpace(t.Value)
		}
	}
	if len(p.Address) > 0 {
		out.Address = p.Address[0].line()
	}
	return out, bad.orNil()
}

// pickNames returns the official (birth) name and the usual (used) one: the
// first "official" name, or else the first name without a use.
func pickNames(names []HumanName) (official, usual *HumanName) {
	for i := range names {
		n := &names[i]
		switch {
		case n.Use == "official" && official == nil:
			official = n
		case n.Use == "usual" && usual == nil:
			usual = n
		}
	}
	for i := range names {
		if official == nil && names[i].Use == "" {
			official = &names[i]
		}
	}
	if official != nil && strings.TrimSpace(official.Family) == "" {
		official = nil
	}
	return official, usual
}

// line writes an address on one line: its text, else its parts.
func (a Address) line() string {
	if strings.TrimSpace(a.Text) != "" {
		return strings.TrimSpace(a.Text)
	}
	parts := append([]string{}, a.Line...)
	if town := strings.TrimSpace(a.PostalCode + " " + a.City); town != "" {
		parts = append(parts, town)
	}
	return strings.Join(parts, ", ")
}

// patientProblemPaths names the element behind each field of patient.Validate.
var patientProblemPaths = map[string][2]string{
	"birth_name":  {"Patient.name.family", "the birth name (official family name) is required"},
	"first_names": {"Patient.name.given", "the first names are required"},
	"birth_date":  {"Patient.birthDate", "the birth date must be a full date (YYYY-MM-DD) between 1900 and today"},
	"sex":         {"Patient.gender", "the gender is required"},
	"ins":         {"Patient.identifier", "the INS is not a valid NIR with its key"},
	"phone":       {"Patient.telecom", "the phone number has fewer than 10 digits"},
	"email":       {"Patient.telecom", "the email address is not valid"},
	"used_name":   {"Patient.name.family", "the usual family name is not valid"},
	"address":     {"Patient.address", "the address is not valid"},
}

// Practitioner is a radiologist of the practice (id "rad-<user id>") or a
// referring physician (id "ref-<physician id>", RPPS as identifier).
type Practitioner struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id,omitempty"`
	Meta         *Meta          `json:"meta,omitempty"`
	Identifier   []Identifier   `json:"identifier,omitempty"`
	Active       *bool          `json:"active,omitempty"`
	Name         []HumanName    `json:"name,omitempty"`
	Telecom      []ContactPoint `json:"telecom,omitempty"`
}

// Practitioner id prefixes.
const (
	radiologistPrefix = "rad-"
	physicianPrefix   = "ref-"
)

// PractitionerFromUser maps a radiologist's account (never its login secrets).
func PractitionerFromUser(u auth.User) Practitioner {
	id := radiologistPrefix + strconv.FormatInt(u.ID, 10)
	active := u.Active
	out := Practitioner{ResourceType: "Practitioner", ID: id, Active: &active,
		Identifier: []Identifier{{Use: "usual", System: SystemPractUser, Value: id}}}
	if u.DisplayName != "" {
		out.Name = []HumanName{{Text: u.DisplayName}}
	}
	if u.Email != "" {
		out.Telecom = []ContactPoint{{System: "email", Value: u.Email, Use: "work"}}
	}
	return out
}

// PractitionerFromPhysician maps a referring physician.
func PractitionerFromPhysician(p practice.Physician) Practitioner {
	id := physicianPrefix + strconv.FormatInt(p.ID, 10)
	out := Practitioner{ResourceType: "Practitioner", ID: id,
		Identifier: []Identifier{{Use: "usual", System: SystemPractUser, Value: id}}}
	if p.RPPS != "" {
		out.Identifier = append(out.Identifier,
			Identifier{Use: "official", Type: frType("IDNPS", "Identifiant National de Professionnel de Santé"), System: SystemIdNatPs, Value: "8" + p.RPPS},
			Identifier{Use: "official", Type: frType("RPPS", "N° RPPS"), System: SystemRPPS, Value: p.RPPS})
	}
	if p.Name != "" {
		out.Name = []HumanName{{Text: p.Name}}
	}
	if p.Email != "" {
		out.Telecom = []ContactPoint{{System: "email", Value: p.Email, Use: "work"}}
	}
	return out
}
