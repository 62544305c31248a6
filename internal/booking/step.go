package booking

import (
	"errors"
	"time"
)

// Performed Procedure Step Status (0040,0252) values, PS3.3 C.4.14: what
// the scanner says of the act (DICOM MPPS).
const (
	StepInProgress   = "IN PROGRESS"
	StepCompleted    = "COMPLETED"
	StepDiscontinued = "DISCONTINUED"
)

// StepIsFinal reports whether a step with this status may no longer change.
func StepIsFinal(status string) bool {
	return status == StepCompleted || status == StepDiscontinued
}

// Errors of the performed steps' store.
var (
	ErrDuplicateStep = errors.New("mpps: performed procedure step already exists")
	ErrNoSuchStep    = errors.New("mpps: no such performed procedure step")
)

// PerformedStep is one Modality Performed Procedure Step (the scanner's
// account of the act) as Repère records it against the appointment.
type PerformedStep struct {
	SOPInstanceUID string
	Status         string // StepInProgress, StepCompleted or StepDiscontinued
	// CallingAE is the console that sent the step; StationAE the Performed
	// Station AE Title (0040,0241) it declared.
	CallingAE, StationAE string
	// PatientID is the top-level Patient ID; the others come from the first
	// item of the Scheduled Step Attributes Sequence (0040,0270), which
	// names the worklist entry the console performed.
	PatientID, AccessionNumber, StudyInstanceUID, ScheduledStepID, RequestedProcedureID string
	// PatientName is the console's, as sent (DICOM PN, e.g. LEFÈVRE^Zoé).
	PatientName string
	// AppointmentID is the act the step performed, 0 while unscheduled.
	AppointmentID int64
	// Start and End are the Performed Procedure Step Start and End Date and
	// Time, in the configured Location. End is the time the final N-SET
	// arrived when the console leaves it out.
	Start, End time.Time
	// DLP (mGy·cm) and CTDIvol (mGy) when the console sends them; see
	// readDose for the attributes read.
	DLP, CTDIvol *float64
	// DiscontinuationReason is the Code Meaning (or Code Value) of the
	// Discontinuation Reason Code Sequence (0040,0281), when sent.
	DiscontinuationReason string
}
