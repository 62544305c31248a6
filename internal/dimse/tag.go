package dimse

import (
	"fmt"
	"strings"
)

// Tag is a DICOM attribute tag: group in the high 16 bits, element in the low.
type Tag uint32

// NewTag builds a tag from its group and element numbers.
func NewTag(group, element uint16) Tag { return Tag(group)<<16 | Tag(element) }

// Group is the tag's group number.
func (t Tag) Group() uint16 { return uint16(t >> 16) }

// Element is the tag's element number.
func (t Tag) Element() uint16 { return uint16(t) }

func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", t.Group(), t.Element()) }

// VR is a two-letter DICOM value representation, such as "PN" or "SQ".
type VR string

// Value representations this package gives meaning to. Others pass through
// as opaque bytes.
const (
	AE VR = "AE"
	AS VR = "AS"
	AT VR = "AT"
	CS VR = "CS"
	DA VR = "DA"
	DS VR = "DS"
	DT VR = "DT"
	IS VR = "IS"
	LO VR = "LO"
	LT VR = "LT"
	PN VR = "PN"
	SH VR = "SH"
	SQ VR = "SQ"
	ST VR = "ST"
	TM VR = "TM"
	UC VR = "UC"
	UI VR = "UI"
	UL VR = "UL"
	UN VR = "UN"
	US VR = "US"
	UT VR = "UT"
)

// hasLongLength reports whether the VR uses a 32-bit length in Explicit VR
// (PS3.5 7.1.2); every other VR uses 16 bits. A switch, not a map: it runs
// for every element encoded.
func (vr VR) hasLongLength() bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", SQ, "SV", UC, UN, "UR", UT, "UV":
		return true
	}
	return false
}

// knownVRs lists every VR of PS3.5 so that Explicit VR input with anything
// else is rejected as malformed rather than guessed at.
var knownVRs = func() map[string]VR {
	m := make(map[string]VR)
	for _, vr := range strings.Fields("AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV") {
		m[vr] = VR(vr)
	}
	return m
}()

// IsText reports whether values of this VR are affected by the Specific
// Character Set (PS3.5 6.1.2.3); the others use the default repertoire.
func (vr VR) IsText() bool {
	switch vr {
	case SH, LO, ST, LT, PN, UC, UT:
		return true
	}
	return false
}

// Tags used by the command set (PS3.7 E.1), the item encoding (PS3.5 7.5) and
// the worklist (PS3.4 K.6).
const (
	TagCommandGroupLength           Tag = 0x00000000
	TagAffectedSOPClassUID          Tag = 0x00000002
	TagRequestedSOPClassUID         Tag = 0x00000003
	TagCommandField                 Tag = 0x00000100
	TagMessageID                    Tag = 0x00000110
	TagMessageIDBeingRespondedTo    Tag = 0x00000120
	TagPriority                     Tag = 0x00000700
	TagCommandDataSetType           Tag = 0x00000800
	TagStatus                       Tag = 0x00000900
	TagOffendingElement             Tag = 0x00000901
	TagErrorComment                 Tag = 0x00000902
	TagErrorID                      Tag = 0x00000903
	TagAffectedSOPInstanceUID       Tag = 0x00001000
	TagRequestedSOPInstanceUID      Tag = 0x00001001
	TagSpecificCharacterSet         Tag = 0x00080005
	TagAccessionNumber              Tag = 0x00080050
	TagQueryRetrieveLevel           Tag = 0x00080052
	TagModality                     Tag = 0x00080060
	TagReferringPhysicianName       Tag = 0x00080090
	TagCodeValue                    Tag = 0x00080100
	TagCodingSchemeDesignator       Tag = 0x00080102
	TagCodeMeaning                  Tag = 0x00080104
	TagReferencedStudySequence      Tag = 0x00081110
	TagReferencedPatientSequence    Tag = 0x00081120
	TagReferencedSOPClassUID        Tag = 0x00081150
	TagReferencedSOPInstanceUID     Tag = 0x00081155
	TagPatientName                  Tag = 0x00100010
	TagPatientID                    Tag = 0x00100020
	TagIssuerOfPatientID            Tag = 0x00100021
	TagPatientBirthDate             Tag = 0x00100030
	TagPatientSex                   Tag = 0x00100040
	TagPatientWeight                Tag = 0x00101030
	TagMedicalAlerts                Tag = 0x00102000
	TagAllergies                    Tag = 0x00102110
	TagStudyInstanceUID             Tag = 0x0020000D
	TagRequestingPhysician          Tag = 0x00321032
	TagRequestedProcedureDesc       Tag = 0x00321060
	TagRequestedProcedureCodeSeq    Tag = 0x00321064
	TagRequestedContrastAgent       Tag = 0x00321070
	TagScheduledStationAETitle      Tag = 0x00400001
	TagSPSStartDate                 Tag = 0x00400002
	TagSPSStartTime                 Tag = 0x00400003
	TagSPSEndDate                   Tag = 0x00400004
	TagSPSEndTime                   Tag = 0x00400005
	TagScheduledPerformingPhysician Tag = 0x00400006
	TagSPSDescription               Tag = 0x00400007
	TagScheduledProtocolCodeSeq     Tag = 0x00400008
	TagSPSID                        Tag = 0x00400009
	TagScheduledStationName         Tag = 0x00400010
	TagSPSLocation                  Tag = 0x00400011
	TagPreMedication                Tag = 0x00400012
	TagSPSStatus                    Tag = 0x00400020
	TagScheduledProcedureStepSeq    Tag = 0x00400100
	TagSPSComments                  Tag = 0x00400400
	TagRequestedProcedureID         Tag = 0x00401001
	TagRequestedProcedurePriority   Tag = 0x00401003

	TagItem                 Tag = 0xFFFEE000
	TagItemDelimitation     Tag = 0xFFFEE00D
	TagSequenceDelimitation Tag = 0xFFFEE0DD
)

// dictionary gives the VR of the tags we meet, needed to decode Implicit VR
// (where the VR is not on the wire) and to encode Explicit VR. Sequences must
// be listed so that a defined-length sequence is recognised in Implicit VR;
// the MPPS ones serve the performed-procedure-step service (PS3.4 F.7).
var dictionary = map[Tag]VR{
	TagCommandGroupLength:        UL,
	TagAffectedSOPClassUID:       UI,
	TagRequestedSOPClassUID:      UI,
	TagCommandField:              US,
	TagMessageID:                 US,
	TagMessageIDBeingRespondedTo: US,
	0x00000600:                   AE, // Move Destination
	TagPriority:                  US,
	TagCommandDataSetType:        US,
	TagStatus:                    US,
	TagOffendingElement:          AT,
	TagErrorComment:              LO,
	TagErrorID:                   US,
	TagAffectedSOPInstanceUID:    UI,
	TagRequestedSOPInstanceUID:   UI,
	0x00001002:                   US, // Event Type ID

	0x00080016:                      UI, // SOP Class UID
	0x00080018:                      UI, // SOP Instance UID
	TagSpecificCharacterSet:         CS,
	0x00080020:                      DA, // Study Date
	0x00080030:                      TM, // Study Time
	TagAccessionNumber:              SH,
	TagQueryRetrieveLevel:           CS,
	TagModality:                     CS,
	0x00080080:                      LO, // Institution Name
	TagReferringPhysicianName:       PN,
	TagCodeValue:                    SH,
	TagCodingSchemeDesignator:       SH,
	0x00080103:                      SH, // Coding Scheme Version
	TagCodeMeaning:                  LO,
	0x00081030:                      LO, // Study Description
	0x00081032:                      SQ, // Procedure Code Sequence
	TagReferencedStudySequence:      SQ,
	TagReferencedPatientSequence:    SQ,
	0x00081140:                      SQ, // Referenced Image Sequence
	TagReferencedSOPClassUID:        UI,
	TagReferencedSOPInstanceUID:     UI,
	TagPatientName:                  PN,
	TagPatientID:                    LO,
	TagIssuerOfPatientID:            LO,
	TagPatientBirthDate:             DA,
	TagPatientSex:                   CS,
	0x00101000:                      LO, // Other Patient IDs
	0x00101002:                      SQ, // Other Patient IDs Sequence
	0x00101020:                      DS, // Patient's Size
	TagPatientWeight:                DS,
	TagMedicalAlerts:                LO,
	TagAllergies:                    LO,
	0x001021C0:                      US,   // Pregnancy Status
	0x00104000:                      LT,   // Patient Comments
	0x00180015:                      CS,   // Body Part Examined
	0x00189345:                      "FD", // CTDIvol
	TagStudyInstanceUID:             UI,
	0x0020000E:                      UI, // Series Instance UID
	0x00200010:                      SH, // Study ID
	TagRequestingPhysician:          PN,
	0x00321033:                      LO, // Requesting Service
	TagRequestedProcedureDesc:       LO,
	TagRequestedProcedureCodeSeq:    SQ,
	TagRequestedContrastAgent:       LO,
	0x00380010:                      LO, // Admission ID
	0x00380050:                      LO, // Special Needs
	0x00380300:                      LO, // Current Patient Location
	0x00380500:                      LO, // Patient State
	TagScheduledStationAETitle:      AE,
	TagSPSStartDate:                 DA,
	TagSPSStartTime:                 TM,
	TagSPSEndDate:                   DA,
	TagSPSEndTime:                   TM,
	TagScheduledPerformingPhysician: PN,
	TagSPSDescription:               LO,
	TagScheduledProtocolCodeSeq:     SQ,
	TagSPSID:                        SH,
	TagScheduledStationName:         SH,
	TagSPSLocation:                  SH,
	TagPreMedication:                LO,
	TagSPSStatus:                    CS,
	TagScheduledProcedureStepSeq:    SQ,
	0x00400241:                      AE, // Performed Station AE Title
	0x00400242:                      SH, // Performed Station Name
	0x00400243:                      SH, // Performed Location
	0x00400244:                      DA, // PPS Start Date
	0x00400245:                      TM, // PPS Start Time
	0x00400250:                      DA, // PPS End Date
	0x00400251:                      TM, // PPS End Time
	0x00400252:                      CS, // PPS Status
	0x00400253:                      SH, // PPS ID
	0x00400254:                      LO, // PPS Description
	0x00400260:                      SQ, // Performed Protocol Code Sequence
	0x00400270:                      SQ, // Scheduled Step Attributes Sequence
	0x00400281:                      SQ, // PPS Discontinuation Reason Code Sequence
	0x0040030E:                      SQ, // Exposure Dose Sequence
	0x00400310:                      ST, // Comments on Radiation Dose
	0x00400340:                      SQ, // Performed Series Sequence
	TagSPSComments:                  LT,
	TagRequestedProcedureID:         SH,
	TagRequestedProcedurePriority:   SH,
	0x00401004:                      LO, // Patient Transport Arrangements
	0x00401400:                      LT, // Requested Procedure Comments
	0x00402016:                      LO, // Placer Order Number
	0x00402017:                      LO, // Filler Order Number
	0x00402400:                      LT, // Imaging Service Request Comments

	// Structured reports (PS3.3 C.17), for the dose reports.
	0x00080012: DA,   // Instance Creation Date
	0x00080021: DA,   // Series Date
	0x00080023: DA,   // Content Date
	0x00080033: TM,   // Content Time
	0x00080070: LO,   // Manufacturer
	0x00080105: CS,   // Mapping Resource
	0x00081010: SH,   // Station Name
	0x00081090: LO,   // Manufacturer's Model Name
	0x00081111: SQ,   // Referenced Performed Procedure Step Sequence
	0x00081115: SQ,   // Referenced Series Sequence
	0x00081199: SQ,   // Referenced SOP Sequence
	0x0008114A: SQ,   // Referenced Instance Sequence
	0x00101010: AS,   // Patient's Age
	0x00181000: LO,   // Device Serial Number
	0x00181020: LO,   // Software Versions
	0x004008EA: SQ,   // Measurement Units Code Sequence
	0x0040A010: CS,   // Relationship Type
	0x0040A032: DT,   // Observation DateTime
	0x0040A040: CS,   // Value Type
	0x0040A043: SQ,   // Concept Name Code Sequence
	0x0040A050: CS,   // Continuity Of Content
	0x0040A073: SQ,   // Verifying Observer Sequence
	0x0040A120: DT,   // DateTime
	0x0040A121: DA,   // Date
	0x0040A122: TM,   // Time
	0x0040A123: PN,   // Person Name
	0x0040A124: UI,   // UID
	0x0040A160: UT,   // Text Value
	0x0040A168: SQ,   // Concept Code Sequence
	0x0040A170: SQ,   // Purpose of Reference Code Sequence
	0x0040A300: SQ,   // Measured Value Sequence
	0x0040A30A: DS,   // Numeric Value
	0x0040A161: "FD", // Floating Point Value
	0x0040A360: SQ,   // Predecessor Documents Sequence
	0x0040A370: SQ,   // Referenced Request Sequence
	0x0040A372: SQ,   // Performed Procedure Code Sequence
	0x0040A375: SQ,   // Current Requested Procedure Evidence Sequence
	0x0040A385: SQ,   // Pertinent Other Evidence Sequence
	0x0040A491: CS,   // Completion Flag
	0x0040A493: CS,   // Verification Flag
	0x0040A504: SQ,   // Content Template Sequence
	0x0040A525: SQ,   // Identical Documents Sequence
	0x0040A730: SQ,   // Content Sequence
	0x0040DB00: CS,   // Template Identifier
}

// LookupVR returns the VR the dictionary knows for tag. Group length tags
// (gggg,0000) are always UL; anything unknown is UN.
func LookupVR(tag Tag) VR {
	if vr, ok := dictionary[tag]; ok {
		return vr
	}
	if tag.Element() == 0 {
		return UL
	}
	return UN
}
