package dose

import (
	"fmt"
	"strings"

	"repere/internal/dimse"
)

// Tags of the SR content tree (PS3.3 C.17.3).
const (
	tagSOPClassUID        dimse.Tag = 0x00080016
	tagSOPInstanceUID     dimse.Tag = 0x00080018
	tagManufacturer       dimse.Tag = 0x00080070
	tagStationName        dimse.Tag = 0x00081010
	tagModel              dimse.Tag = 0x00081090
	tagCodeValue          dimse.Tag = 0x00080100
	tagCodingScheme       dimse.Tag = 0x00080102
	tagCodeMeaning        dimse.Tag = 0x00080104
	tagLongCodeValue      dimse.Tag = 0x00080119
	tagURNCodeValue       dimse.Tag = 0x00080120
	tagUnitsSequence      dimse.Tag = 0x004008EA
	tagValueType          dimse.Tag = 0x0040A040
	tagConceptName        dimse.Tag = 0x0040A043
	tagUID                dimse.Tag = 0x0040A124
	tagTextValue          dimse.Tag = 0x0040A160
	tagFloatingValue      dimse.Tag = 0x0040A161
	tagConceptCode        dimse.Tag = 0x0040A168
	tagMeasuredValue      dimse.Tag = 0x0040A300
	tagNumericValue       dimse.Tag = 0x0040A30A
	tagContentSequence    dimse.Tag = 0x0040A730
	tagStudyInstanceUID   dimse.Tag = 0x0020000D
	tagAccessionNumber    dimse.Tag = 0x00080050
	tagStudyDate          dimse.Tag = 0x00080020
	tagPatientID          dimse.Tag = 0x00100020
	tagSpecificCharset    dimse.Tag = 0x00080005
	schemeDCM                       = "DCM"
	codeDoseReport                  = "113701" // X-Ray Radiation Dose Report
	codeCTAccumulated               = "113811" // CT Accumulated Dose Data
	codeDLPTotal                    = "113813" // CT Dose Length Product Total
	codeCTAcquisition               = "113819" // CT Acquisition
	codeAcquisitionType             = "113820" // CT Acquisition Type
	codeAcquisitionParams           = "113822" // CT Acquisition Parameters
	codeScanningLength              = "113825" // Scanning Length
	codeCTDose                      = "113829" // CT Dose
	codeMeanCTDIvol                 = "113830" // Mean CTDIvol
	codePhantomType                 = "113835" // CTDIw Phantom Type
	codeDLP                         = "113838" // DLP
	codeEventUID                    = "113769" // Irradiation Event UID
	codeEventUIDRetired             = "113853" // Irradiation Event UID (retired code)
	codeTargetRegion                = "123014" // Target Region
	codeProtocol                    = "125203" // Acquisition Protocol
	codePhantomHead                 = "113690" // IEC Head Dosimetry Phantom
	codePhantomBody                 = "113691" // IEC Body Dosimetry Phantom
)

// Parse reads a CT dose report from a decoded SR dataset. It returns
// ErrNotDoseReport (wrapped) for an SR of another kind and ErrIncomplete
// for a dose report that lacks its study or any dose; it never panics on
// what a scanner sends.
func Parse(ds *dimse.Dataset) (Report, error) {
	cs, _ := dimse.ParseCharset(ds.String(tagSpecificCharset, dimse.CharsetDefault))
	r := Report{
		SOPClassUID:      ds.String(tagSOPClassUID, cs),
		SOPInstanceUID:   ds.String(tagSOPInstanceUID, cs),
		StudyInstanceUID: ds.String(tagStudyInstanceUID, cs),
		AccessionNumber:  ds.String(tagAccessionNumber, cs),
		PatientID:        ds.String(tagPatientID, cs),
		StudyDate:        ds.String(tagStudyDate, cs),
		Manufacturer:     ds.String(tagManufacturer, cs),
		StationName:      ds.String(tagStationName, cs),
		Model:            ds.String(tagModel, cs),
	}
	p := parser{cs: cs, report: &r}
	if root := p.concept(ds); !root.Is(schemeDCM, codeDoseReport) {
		return r, fmt.Errorf("%w: root concept %s", ErrNotDoseReport, root.describe())
	}
	ctFound := false
	for _, item := range items(ds, tagContentSequence) {
		switch c := p.concept(item); {
		case c.Is(schemeDCM, codeCTAccumulated):
			ctFound = true
			p.accumulated(item)
		case c.Is(schemeDCM, codeCTAcquisition):
			ctFound = true
			r.Events = append(r.Events, p.event(item))
		}
	}
	switch {
	case !ctFound:
		return r, fmt.Errorf("%w: no CT accumulated dose nor CT acquisition (a projection X-ray report?)", ErrNotDoseReport)
	case r.SOPInstanceUID == "" || r.StudyInstanceUID == "":
		return r, fmt.Errorf("%w: no SOP or Study Instance UID", ErrIncomplete)
	case r.DLP() == nil && r.MaxCTDIvol() == nil:
		return r, fmt.Errorf("%w: neither a DLP nor a CTDIvol could be read", ErrIncomplete)
	}
	return r, nil
}

type parser struct {
	cs     dimse.Charset
	report *Report
}

func (p *parser) warn(format string, args ...any) {
	if len(p.report.Warnings) < 32 {
		p.report.Warnings = append(p.report.Warnings, fmt.Sprintf(format, args...))
	}
}

func items(ds *dimse.Dataset, tag dimse.Tag) []*dimse.Dataset {
	if el := ds.Get(tag); el != nil {
		return el.Items
	}
	return nil
}

// code reads the first item of a code sequence; empty when there is none.
func (p *parser) code(ds *dimse.Dataset, tag dimse.Tag) Code {
	list := items(ds, tag)
	if len(list) == 0 {
		return Code{}
	}
	item := list[0]
	value := item.String(tagCodeValue, p.cs)
	if value == "" {
		value = item.String(tagLongCodeValue, p.cs)
	}
	if value == "" {
		value = item.String(tagURNCodeValue, p.cs)
	}
	return Code{Value: value, Scheme: strings.ToUpper(item.String(tagCodingScheme, p.cs)), Meaning: item.String(tagCodeMeaning, p.cs)}
}

func (p *parser) concept(ds *dimse.Dataset) Code { return p.code(ds, tagConceptName) }

func (c Code) describe() string {
	if c.Value == "" {
		return "(none)"
	}
	return fmt.Sprintf("(%s, %s, %q)", c.Value, c.Scheme, c.Meaning)
}

// accumulated reads TID 10012 "CT Accumulated Dose Data".
func (p *parser) accumulated(ds *dimse.Dataset) {
	for _, item := range items(ds, tagContentSequence) {
		if p.concept(item).Is(schemeDCM, codeDLPTotal) {
			p.report.TotalDLP = p.number(item, "total DLP", unitsDLP)
		}
	}
}

// event reads TID 10013 "CT Irradiation Event Data".
func (p *parser) event(ds *dimse.Dataset) Event {
	var e Event
	for _, item := range items(ds, tagContentSequence) {
		c := p.concept(item)
		switch {
		case c.Is(schemeDCM, codeAcquisitionType):
			e.AcquisitionType = p.code(item, tagConceptCode)
		case c.Is(schemeDCM, codeTargetRegion):
			e.TargetRegion = p.code(item, tagConceptCode)
		case c.Is(schemeDCM, codeEventUID), c.Is(schemeDCM, codeEventUIDRetired):
			e.UID = item.String(tagUID, p.cs)
		case c.Is(schemeDCM, codeProtocol):
			e.Protocol = item.String(tagTextValue, p.cs)
		case c.Is(schemeDCM, codeAcquisitionParams):
			p.parameters(item, &e)
		case c.Is(schemeDCM, codeCTDose):
			p.ctDose(item, &e)
		}
	}
	if e.UID == "" {
		p.warn("CT acquisition without Irradiation Event UID")
	}
	return e
}

func (p *parser) parameters(ds *dimse.Dataset, e *Event) {
	for _, item := range items(ds, tagContentSequence) {
		if p.concept(item).Is(schemeDCM, codeScanningLength) {
			e.ScanLengthMM = p.number(item, "scanning length", unitsLength)
		}
	}
}

func (p *parser) ctDose(ds *dimse.Dataset, e *Event) {
	for _, item := range items(ds, tagContentSequence) {
		c := p.concept(item)
		switch {
		case c.Is(schemeDCM, codeMeanCTDIvol):
			e.CTDIvol = p.number(item, "CTDIvol", unitsDose)
		case c.Is(schemeDCM, codeDLP):
			e.DLP = p.number(item, "DLP", unitsDLP)
		case c.Is(schemeDCM, codePhantomType):
			switch phantom := p.code(item, tagConceptCode); {
			case phantom.Is(schemeDCM, codePhantomHead):
				e.Phantom = PhantomHead
			case phantom.Is(schemeDCM, codePhantomBody):
				e.Phantom = PhantomBody
			}
		}
	}
}
