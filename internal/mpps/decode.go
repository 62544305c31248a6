package mpps

import (
	"strings"
	"time"

	"repere/internal/dimse"
)

// Attributes of the MPPS IOD we read (PS3.3 C.4.13-C.4.16).
const (
	tagScheduledStepAttributes dimse.Tag = 0x00400270
	tagPerformedStationAE      dimse.Tag = 0x00400241
	tagPPSStartDate            dimse.Tag = 0x00400244
	tagPPSStartTime            dimse.Tag = 0x00400245
	tagPPSEndDate              dimse.Tag = 0x00400250
	tagPPSEndTime              dimse.Tag = 0x00400251
	tagPPSStatus               dimse.Tag = 0x00400252
	tagDiscontinuationReason   dimse.Tag = 0x00400281
	tagExposureDoseSequence    dimse.Tag = 0x0040030E
	tagCommentsOnRadiationDose dimse.Tag = 0x00400310
	tagCTDIvol                 dimse.Tag = 0x00189345
)

// decoder reads one request's dataset in its character set and the
// practice's time zone.
type decoder struct {
	ds       *dimse.Dataset
	charset  dimse.Charset
	location *time.Location
}

func (d decoder) text(tag dimse.Tag) string { return d.ds.String(tag, d.charset) }

// created reads an N-CREATE Attribute List. The status is checked by the
// caller, which knows the statuses to answer.
func (d decoder) created(uid, callingAE string) PerformedStep {
	s := PerformedStep{
		SOPInstanceUID: uid,
		Status:         d.text(tagPPSStatus),
		CallingAE:      callingAE,
		StationAE:      d.text(tagPerformedStationAE),
		PatientID:      d.text(dimse.TagPatientID),
		PatientName:    d.text(dimse.TagPatientName),
		Start:          d.dateTime(tagPPSStartDate, tagPPSStartTime),
		End:            d.dateTime(tagPPSEndDate, tagPPSEndTime),
	}
	// A console performing several requested procedures at once sends one
	// item each; the act is recorded against the first.
	if el := d.ds.Get(tagScheduledStepAttributes); el != nil && len(el.Items) > 0 {
		item := decoder{ds: el.Items[0], charset: d.charset, location: d.location}
		s.AccessionNumber = item.text(dimse.TagAccessionNumber)
		s.StudyInstanceUID = item.text(dimse.TagStudyInstanceUID)
		s.ScheduledStepID = item.text(dimse.TagSPSID)
		s.RequestedProcedureID = item.text(dimse.TagRequestedProcedureID)
	}
	s.DLP, s.CTDIvol = readDose(d.ds, d.charset)
	s.DiscontinuationReason = d.discontinuationReason()
	return s
}

// modification reads an N-SET Modification List.
func (d decoder) modification(receivedAt time.Time) Modification {
	m := Modification{
		Status:                d.text(tagPPSStatus),
		End:                   d.dateTime(tagPPSEndDate, tagPPSEndTime),
		DiscontinuationReason: d.discontinuationReason(),
		ReceivedAt:            receivedAt.In(d.location),
	}
	m.DLP, m.CTDIvol = readDose(d.ds, d.charset)
	return m
}

func (d decoder) discontinuationReason() string {
	el := d.ds.Get(tagDiscontinuationReason)
	if el == nil || len(el.Items) == 0 {
		return ""
	}
	code := decoder{ds: el.Items[0], charset: d.charset}
	if meaning := code.text(dimse.TagCodeMeaning); meaning != "" {
		return meaning
	}
	return code.text(dimse.TagCodeValue)
}

// dateTime combines a DA and a TM attribute; it is zero when the date is
// missing or unreadable, midnight when only the time is.
func (d decoder) dateTime(dateTag, timeTag dimse.Tag) time.Time {
	date := strings.ReplaceAll(d.text(dateTag), ".", "") // legacy YYYY.MM.DD
	day, err := time.ParseInLocation("20060102", date, d.location)
	if err != nil {
		return time.Time{}
	}
	hour, minute, second, nanos := parseTime(d.text(timeTag))
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, second, nanos, d.location)
}

// parseTime reads HH[MM[SS[.FFFFFF]]], with the legacy colons; what it
// cannot read counts as zero, so a bad time keeps the day.
func parseTime(tm string) (hour, minute, second, nanos int) {
	tm = strings.ReplaceAll(tm, ":", "")
	whole, fraction, _ := strings.Cut(tm, ".")
	parts := []*int{&hour, &minute, &second}
	limits := []int{23, 59, 60}
	for i := 0; i < 3 && len(whole) >= 2*(i+1); i++ {
		v, ok := digits(whole[2*i : 2*i+2])
		if !ok || v > limits[i] {
			return 0, 0, 0, 0
		}
		*parts[i] = v
	}
	if second == 60 {
		second = 59 // leap second: DICOM allows it, time.Date would roll over
	}
	fraction = (fraction + "000000000")[:9]
	if v, ok := digits(fraction); ok {
		nanos = v
	}
	return hour, minute, second, nanos
}

func digits(s string) (int, bool) {
	v := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
