package worklist

import (
	"strconv"
	"strings"
	"time"

	"repere/internal/dimse"
	"repere/internal/mpps"
)

// attribute is a key of the worklist information model that an Item can
// answer: a value (text) or a sequence of at most one item (seq).
type attribute struct {
	tag  dimse.Tag
	vr   dimse.VR
	text func(it *Item) string
	seq  *sequence
}

// sequence describes a sequence attribute; our items hold at most one item
// per sequence, so its attributes read the same Item.
type sequence struct {
	present    func(it *Item) bool
	attributes []attribute
}

// level is a set of attributes, in tag order for full answers.
type level []attribute

func (l level) find(tag dimse.Tag) *attribute {
	for i := range l {
		if l[i].tag == tag {
			return &l[i]
		}
	}
	return nil
}

func text(tag dimse.Tag, get func(it *Item) string) attribute {
	return attribute{tag: tag, vr: dimse.LookupVR(tag), text: get}
}

func always(*Item) bool { return true }

func codeSequence(tag dimse.Tag, code func(it *Item) *Code) attribute {
	field := func(get func(*Code) string) func(it *Item) string {
		return func(it *Item) string {
			if c := code(it); c != nil {
				return get(c)
			}
			return ""
		}
	}
	return attribute{tag: tag, vr: dimse.SQ, seq: &sequence{
		present: func(it *Item) bool { return code(it) != nil },
		attributes: level{
			text(dimse.TagCodeValue, field(func(c *Code) string { return c.Value })),
			text(dimse.TagCodingSchemeDesignator, field(func(c *Code) string { return c.Scheme })),
			text(dimse.TagCodeMeaning, field(func(c *Code) string { return c.Meaning })),
		},
	}}
}

// emptySequence is a type 2 sequence we have nothing to put in.
func emptySequence(tag dimse.Tag) attribute {
	return attribute{tag: tag, vr: dimse.SQ, seq: &sequence{present: func(*Item) bool { return false }}}
}

// stepLevel is the Scheduled Procedure Step Sequence item (PS3.4 K.6-1).
var stepLevel = level{
	text(dimse.TagModality, func(it *Item) string { return orDefault(it.Step.Modality, DefaultModality) }),
	text(dimse.TagRequestedContrastAgent, func(it *Item) string { return it.Step.ContrastAgent }),
	text(dimse.TagScheduledStationAETitle, func(it *Item) string { return it.Step.StationAETitle }),
	text(dimse.TagSPSStartDate, func(it *Item) string { return formatDate(it.Step.Start) }),
	text(dimse.TagSPSStartTime, func(it *Item) string { return formatTime(it.Step.Start) }),
	text(dimse.TagSPSEndDate, func(it *Item) string { return formatDate(it.Step.End) }),
	text(dimse.TagSPSEndTime, func(it *Item) string { return formatTime(it.Step.End) }),
	text(dimse.TagScheduledPerformingPhysician, func(it *Item) string { return it.Step.PerformingPhysician.String() }),
	text(dimse.TagSPSDescription, func(it *Item) string { return it.Step.Description }),
	codeSequence(dimse.TagScheduledProtocolCodeSeq, func(it *Item) *Code { return it.Step.ProtocolCode }),
	text(dimse.TagSPSID, func(it *Item) string { return it.Step.ID }),
	text(dimse.TagScheduledStationName, func(it *Item) string { return it.Step.StationName }),
	text(dimse.TagSPSLocation, func(it *Item) string { return it.Step.Location }),
	text(dimse.TagPreMedication, func(it *Item) string { return it.Step.PreMedication }),
	text(dimse.TagSPSStatus, stepStatus),
	text(dimse.TagSPSComments, func(it *Item) string { return it.Step.Comments }),
}

// topLevel holds the patient, visit, imaging service request and requested
// procedure keys, with the step sequence.
var topLevel = level{
	text(dimse.TagAccessionNumber, func(it *Item) string { return it.AccessionNumber }),
	text(dimse.TagReferringPhysicianName, func(it *Item) string { return it.ReferringPhysician.String() }),
	emptySequence(dimse.TagReferencedStudySequence),
	emptySequence(dimse.TagReferencedPatientSequence),
	text(dimse.TagPatientName, func(it *Item) string { return it.PatientName.String() }),
	text(dimse.TagPatientID, func(it *Item) string { return it.PatientID }),
	text(dimse.TagIssuerOfPatientID, func(it *Item) string { return it.IssuerOfPatientID }),
	text(dimse.TagPatientBirthDate, func(it *Item) string { return formatDate(it.PatientBirthDate) }),
	text(dimse.TagPatientSex, func(it *Item) string { return it.PatientSex }),
	text(dimse.TagPatientWeight, func(it *Item) string { return formatWeight(it.PatientWeightKg) }),
	text(dimse.TagMedicalAlerts, func(it *Item) string { return multiValue(it.MedicalAlerts) }),
	text(dimse.TagAllergies, func(it *Item) string { return multiValue(it.ContrastAllergies) }),
	text(dimse.TagStudyInstanceUID, func(it *Item) string { return it.StudyInstanceUID }),
	text(dimse.TagRequestingPhysician, func(it *Item) string { return it.ReferringPhysician.String() }),
	text(dimse.TagRequestedProcedureDesc, func(it *Item) string { return it.RequestedProcedureDescription }),
	codeSequence(dimse.TagRequestedProcedureCodeSeq, func(it *Item) *Code { return it.RequestedProcedureCode }),
	{tag: dimse.TagScheduledProcedureStepSeq, vr: dimse.SQ, seq: &sequence{present: always, attributes: stepLevel}},
	text(dimse.TagRequestedProcedureID, func(it *Item) string { return it.RequestedProcedureID }),
}

// stepStatus is the Scheduled Procedure Step Status (0040,0020): the
// item's own, else STARTED while the console reports the step in progress
// (a Defined Term of PS3.3 Table C.4-10), else SCHEDULED.
func stepStatus(it *Item) string {
	if it.Step.Status == "" && it.Step.PerformedStatus == mpps.StatusInProgress {
		return StartedStepStatus
	}
	return orDefault(it.Step.Status, DefaultStepStatus)
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("20060102")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("150405")
}

// formatWeight writes kilograms as a DS of at most 16 characters.
func formatWeight(kg float64) string {
	if kg <= 0 {
		return ""
	}
	return strconv.FormatFloat(kg, 'f', 1, 64)
}

// multiValue joins values with the DICOM separator, which cannot be data.
func multiValue(values []string) string {
	clean := make([]string, 0, len(values))
	for _, v := range values {
		if v = strings.TrimSpace(strings.ReplaceAll(v, `\`, "/")); v != "" {
			clean = append(clean, v)
		}
	}
	return strings.Join(clean, `\`)
}
