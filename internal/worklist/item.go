package worklist

import (
	"errors"
	"fmt"
	"repere/internal/booking"
	"repere/internal/dimse"
	"strings"
	"time"
	"unicode/utf8"
)

// Item is one scheduled act as the console sees it: one patient, one
// requested procedure, one scheduled procedure step. Empty fields are sent
// as empty values; Validate reports the ones a console needs.
type Item struct {
	PatientName       PersonName
	PatientID         string
	IssuerOfPatientID string    // e.g. the practice, or the INS authority
	PatientBirthDate  time.Time // zero when unknown; only the date is used
	PatientSex        string    // "M", "F", "O" or ""
	PatientWeightKg   float64   // 0 when unknown
	// MedicalAlerts and ContrastAllergies come from the screening so the
	// operator sees them on the console (anticoagulant held, iodine allergy).
	MedicalAlerts     []string
	ContrastAllergies []string

	AccessionNumber               string
	RequestedProcedureID          string
	RequestedProcedureDescription string
	RequestedProcedureCode        *Code // e.g. the CCAM code of the act
	StudyInstanceUID              string
	ReferringPhysician            PersonName

	Step ScheduledStep
}

// ScheduledStep is the Scheduled Procedure Step: where, when and how.
type ScheduledStep struct {
	StationAETitle      string // the CT room's console
	StationName         string
	Location            string
	Start               time.Time
	End                 time.Time // zero when not planned
	Modality            string    // DefaultModality when empty
	PerformingPhysician PersonName
	Description         string
	ProtocolCode        *Code
	ID                  string
	Status              string // DefaultStepStatus when empty, or STARTED once performed
	// PerformedStatus is the status of the Modality Performed Procedure
	// Step the console reported for this step: "" (none yet), or one of
	// mpps.StatusInProgress, StatusCompleted, StatusDiscontinued. A
	// completed step is no longer listed.
	PerformedStatus string
	PreMedication   string
	ContrastAgent   string // Requested Contrast Agent
	Comments        string
}

// PersonName is a DICOM PN reduced to what a French practice records.
type PersonName struct {
	Family string
	Given  string
}

// Code is an entry of a coding scheme, sent as a Code Sequence item.
type Code struct {
	Value   string // e.g. "LHLH001"
	Scheme  string // e.g. "CCAM"
	Meaning string
}

// Defaults sent when an item leaves the field empty.
const (
	DefaultModality   = "CT"
	DefaultStepStatus = "SCHEDULED"
	StartedStepStatus = "STARTED"
)

// nameSeparators are the PN component, group and value separators: they
// cannot be data.
var nameSeparators = strings.NewReplacer("^", " ", "=", " ", `\`, " ")

// String is the DICOM form FAMILY^GIVEN, without trailing empty components.
func (n PersonName) String() string {
	family, given := nameSeparators.Replace(n.Family), nameSeparators.Replace(n.Given)
	if given == "" {
		return family
	}
	return family + "^" + given
}

// Validate reports what a console would reject or mis-display: missing
// type 1 keys of PS3.4 Table K.6-1 and values longer than their VR allows.
func (it *Item) Validate() error {
	var errs []error
	required := map[string]string{
		"patient name":           it.PatientName.Family,
		"patient ID":             it.PatientID,
		"study instance UID":     it.StudyInstanceUID,
		"requested procedure ID": it.RequestedProcedureID,
		"station AE title":       it.Step.StationAETitle,
		"scheduled step ID":      it.Step.ID,
	}
	for name, value := range required {
		if strings.TrimSpace(value) == "" {
			errs = append(errs, fmt.Errorf("worklist: %s is required", name))
		}
	}
	if it.Step.Start.IsZero() {
		errs = append(errs, errors.New("worklist: scheduled start is required"))
	}
	if it.StudyInstanceUID != "" && !validUID(it.StudyInstanceUID) {
		errs = append(errs, errors.New("worklist: study instance UID is not a valid UID"))
	}
	maxLengths := []struct {
		name, value string
		max         int
	}{
		{"patient ID", it.PatientID, 64},
		{"accession number", it.AccessionNumber, 16},
		{"requested procedure ID", it.RequestedProcedureID, 16},
		{"requested procedure description", it.RequestedProcedureDescription, 64},
		{"station AE title", it.Step.StationAETitle, 16},
		{"station name", it.Step.StationName, 16},
		{"scheduled step ID", it.Step.ID, 16},
		{"scheduled step description", it.Step.Description, 64},
		{"patient name", it.PatientName.String(), 64},
	}
	for _, f := range maxLengths {
		if utf8.RuneCountInString(f.value) > f.max {
			errs = append(errs, fmt.Errorf("worklist: %s longer than %d characters", f.name, f.max))
		}
	}
	return errors.Join(errs...)
}

// validUID checks the syntax of PS3.5 9.1: digits and dots, no leading
// zero in a component, at most 64 characters.
func validUID(uid string) bool {
	if len(uid) > 64 {
		return false
	}
	for _, part := range strings.Split(uid, ".") {
		if part == "" || len(part) > 1 && part[0] == '0' {
			return false
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// NewStudyInstanceUID returns a new UID for a study: see booking.NewStudyInstanceUID.
func NewStudyInstanceUID() string { return booking.NewStudyInstanceUID() }

// representable reports whether every text of the item fits in cs.
func (it *Item) representable(cs dimse.Charset) bool {
	texts := []string{it.PatientName.Family, it.PatientName.Given, it.PatientID, it.IssuerOfPatientID, it.AccessionNumber,
		it.RequestedProcedureID, it.RequestedProcedureDescription, it.ReferringPhysician.Family, it.ReferringPhysician.Given,
		it.Step.StationName, it.Step.Location, it.Step.PerformingPhysician.Family, it.Step.PerformingPhysician.Given, it.Step.Description,
		it.Step.PreMedication, it.Step.ContrastAgent, it.Step.Comments}
	texts = append(append(texts, it.MedicalAlerts...), it.ContrastAllergies...)
	for _, c := range []*Code{it.RequestedProcedureCode, it.Step.ProtocolCode} {
		if c != nil {
			texts = append(texts, c.Meaning)
		}
	}
	for _, t := range texts {
		if !cs.Represents(t) {
			return false
		}
	}
	return true
}
