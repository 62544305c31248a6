package dose

import (
	"errors"
	"math"
)

// Code is a coded concept (code value, coding scheme designator, meaning).
type Code struct {
	Value   string `json:"value"`
	Scheme  string `json:"scheme"`
	Meaning string `json:"meaning,omitempty"`
}

// Is reports whether c is the concept value in scheme.
func (c Code) Is(scheme, value string) bool { return c.Value == value && c.Scheme == scheme }

// Event is one CT irradiation event (TID 10013 "CT Irradiation Event Data").
type Event struct {
	UID             string   `json:"uid,omitempty"`
	AcquisitionType Code     `json:"acquisition_type"`
	TargetRegion    Code     `json:"target_region"`
	Protocol        string   `json:"protocol,omitempty"`
	CTDIvol         *float64 `json:"ctdivol,omitempty"`        // mGy
	DLP             *float64 `json:"dlp,omitempty"`            // mGy·cm
	ScanLengthMM    *float64 `json:"scan_length_mm,omitempty"` // mm
	Phantom         string   `json:"phantom,omitempty"`        // PhantomHead, PhantomBody or ""
}

// CTDIw phantom types (DCM 113690, 113691).
const (
	PhantomHead = "head"
	PhantomBody = "body"
)

// Report is one dose report as read.
type Report struct {
	SOPClassUID      string `json:"sop_class_uid"`
	SOPInstanceUID   string `json:"sop_instance_uid"`
	StudyInstanceUID string `json:"study_instance_uid"`
	AccessionNumber  string `json:"accession_number,omitempty"`
	// PatientID and StudyDate (DICOM DA, YYYYMMDD) as the scanner sent
	// them: what helps a person attach a report that matched no act.
	PatientID    string   `json:"patient_id,omitempty"`
	StudyDate    string   `json:"study_date,omitempty"`
	Manufacturer string   `json:"manufacturer,omitempty"`
	StationName  string   `json:"station_name,omitempty"`
	Model        string   `json:"model,omitempty"`
	TotalDLP     *float64 `json:"total_dlp,omitempty"` // mGy·cm, as the scanner summed it
	Events       []Event  `json:"events"`
	// Warnings say what was tolerated while reading (in English, for the log
	// and the act record's detail).
	Warnings []string `json:"warnings,omitempty"`
}

// Refusals of a dataset that is not a CT dose report we can use.
var (
	// ErrNotDoseReport: the object is not a CT Radiation Dose report (another
	// SR, a projection X-ray dose report).
	ErrNotDoseReport = errors.New("not a CT radiation dose report")
	// ErrIncomplete: a dose report without the identifiers or the dose
	// needed to attach it to an act.
	ErrIncomplete = errors.New("incomplete CT radiation dose report")
)

// DLP returns the report's total DLP, or failing it the sum of its events'.
func (r Report) DLP() *float64 {
	if r.TotalDLP != nil {
		return r.TotalDLP
	}
	return sumDLP(r.Events)
}

// MaxCTDIvol is the highest CTDIvol of the events, the value a dose audit
// compares with its reference level; nil when no event gives one.
func (r Report) MaxCTDIvol() *float64 { return maxCTDIvol(r.Events) }

func sumDLP(events []Event) *float64 {
	var total float64
	found := false
	for _, e := range events {
		if e.DLP != nil {
			total, found = total+*e.DLP, true
		}
	}
	if !found {
		return nil
	}
	return &total
}

func maxCTDIvol(events []Event) *float64 {
	best := math.Inf(-1)
	for _, e := range events {
		if e.CTDIvol != nil && *e.CTDIvol > best {
			best = *e.CTDIvol
		}
	}
	if math.IsInf(best, -1) {
		return nil
	}
	return &best
}
