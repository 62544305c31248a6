package mpps

import (
	"repere/internal/dimse"
)

// More attributes of the MPPS IOD (PS3.3 C.4.13-C.4.14).
const (
	tagPPSID         dimse.Tag = 0x00400253
	tagModality      dimse.Tag = 0x00080060
	tagStudyID       dimse.Tag = 0x00200010
	tagStationName   dimse.Tag = 0x00400242
	tagLocation      dimse.Tag = 0x00400243
	tagPatientBirth  dimse.Tag = 0x00100030
	tagPatientSex    dimse.Tag = 0x00100040
	tagReferencedPat dimse.Tag = 0x00081120
)

// createType1 are the attributes an N-CREATE must give with a value (PS3.4
// Table F.7.2-1, N-CREATE, "1"); studyUIDInItem too, inside the Scheduled
// Step Attributes Sequence.
var createType1 = []dimse.Tag{tagScheduledStepAttributes, tagPPSID, tagPerformedStationAE, tagPPSStartDate, tagPPSStartTime, tagPPSStatus, tagModality}

// notSettable are the attributes PS3.4 Table F.7.2-1 does not allow in an
// N-SET: they describe what was scheduled and who, fixed at N-CREATE.
var notSettable = []dimse.Tag{tagScheduledStepAttributes, dimse.TagPatientName, dimse.TagPatientID, tagPatientBirth, tagPatientSex, tagReferencedPat,
	tagPPSID, tagPerformedStationAE, tagStationName, tagLocation, tagPPSStartDate, tagPPSStartTime, tagModality, tagStudyID}

// checkCreate refuses an N-CREATE without one of its type 1 attributes:
// 0120H when absent, 0121H when empty (PS3.7 10.1.5.1.6), naming them.
func checkCreate(ds *dimse.Dataset, charset dimse.Charset) error {
	var absent, empty []dimse.Tag
	for _, tag := range createType1 {
		el := ds.Get(tag)
		switch {
		case el == nil:
			absent = append(absent, tag)
		case tag == tagScheduledStepAttributes:
			if len(el.Items) == 0 || el.Items[0].String(dimse.TagStudyInstanceUID, charset) == "" {
				empty = append(empty, tag)
			}
		case ds.String(tag, charset) == "":
			empty = append(empty, tag)
		}
	}
	switch {
	case len(absent) > 0:
		return &dimse.StatusError{Status: dimse.StatusMissingAttribute, Comment: "type 1 attributes missing", Offending: absent}
	case len(empty) > 0:
		return &dimse.StatusError{Status: dimse.StatusMissingAttributeValue, Comment: "type 1 attributes without a value", Offending: empty}
	}
	return nil
}

// checkSet refuses an N-SET that names an attribute fixed at N-CREATE.
func checkSet(ds *dimse.Dataset) error {
	var bad []dimse.Tag
	for _, tag := range notSettable {
		if ds.Get(tag) != nil {
			bad = append(bad, tag)
		}
	}
	if len(bad) > 0 {
		return &dimse.StatusError{Status: dimse.StatusNoSuchAttribute, Comment: "attributes not allowed in an N-SET of a performed procedure step", Offending: bad}
	}
	return nil
}
