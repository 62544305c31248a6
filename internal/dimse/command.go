package dimse

import (
	"encoding/binary"
	"fmt"
)

// Command fields (PS3.7 E.1-1). A response is its request with bit 15 set.
const (
	commandCEchoRQ   uint16 = 0x0030
	commandCStoreRQ  uint16 = 0x0001
	commandCFindRQ   uint16 = 0x0020
	commandCCancelRQ uint16 = 0x0FFF
	commandNSetRQ    uint16 = 0x0120
	commandNCreateRQ uint16 = 0x0140
	responseBit      uint16 = 0x8000
)

// noDataSet is the Command Data Set Type meaning "no dataset follows".
const noDataSet uint16 = 0x0101

// Status codes (PS3.7 C and PS3.4 C.4.1.1.4). The N-* failures are among
// those PS3.7 10.1.3 (N-SET) and 10.1.5 (N-CREATE) allow; PS3.4 F.7.2
// says when Modality Performed Procedure Step uses them.
const (
	StatusSuccess                uint16 = 0x0000
	StatusPending                uint16 = 0xFF00
	StatusPendingWarning         uint16 = 0xFF01 // optional keys not supported
	StatusCancel                 uint16 = 0xFE00
	StatusSOPClassNotSupported   uint16 = 0x0122
	StatusUnrecognizedOperation  uint16 = 0x0211
	StatusOutOfResources         uint16 = 0xA700
	StatusIdentifierDoesNotMatch uint16 = 0xA900
	StatusUnableToProcess        uint16 = 0xC000

	StatusInvalidAttributeValue uint16 = 0x0106 // e.g. an N-CREATE not IN PROGRESS (PS3.4 F.7.2.1.2)
	StatusProcessingFailure     uint16 = 0x0110 // e.g. an N-SET on a final step (PS3.4 F.7.2.2.2)
	StatusDuplicateSOPInstance  uint16 = 0x0111 // N-CREATE of an instance that exists
	StatusNoSuchSOPInstance     uint16 = 0x0112 // N-SET of an instance we do not hold
	StatusMissingAttribute      uint16 = 0x0120 // a type 1 attribute of the N-CREATE is absent
	StatusMissingAttributeValue uint16 = 0x0121 // a type 1 attribute of the N-CREATE is empty
	StatusNoSuchAttribute       uint16 = 0x0105 // an N-SET names an attribute it may not set
)

// ErrorIDNoLongerUpdatable is the Error ID (0000,0903) PS3.4 Table F.7.2-2
// gives to the refusal of an N-SET on a step already COMPLETED or
// DISCONTINUED, with the comment "Performed Procedure Step Object may no
// longer be updated".
const ErrorIDNoLongerUpdatable uint16 = 0xA710

// IsPending reports whether status announces more C-FIND results.
func IsPending(status uint16) bool {
	return status == StatusPending || status == StatusPendingWarning
}

// SOP classes we serve.
const (
	VerificationSOPClass = "1.2.840.10008.1.1"
	WorklistFindSOPClass = "1.2.840.10008.5.1.4.31"
	// ModalityPerformedProcedureStepSOPClass is MPPS (PS3.4 F.7), served
	// with N-CREATE and N-SET.
	ModalityPerformedProcedureStepSOPClass = "1.2.840.10008.3.1.2.3.3"
)

// command is the DIMSE command set (group 0000), always Implicit VR Little
// Endian whatever the negotiated transfer syntax (PS3.7 6.3.1).
type command struct {
	field        uint16
	messageID    uint16
	respondedTo  uint16
	sopClassUID  string // affected, or requested when only that is sent
	priority     uint16
	hasDataset   bool
	status       uint16
	errorComment string
	errorID      uint16 // 0 when absent
	offending    []Tag
	// sopInstanceUID is the affected or requested SOP instance of an N-*
	// message (PS3.7 10.1.3, 10.1.5); only N-SET-RQ names it "requested".
	sopInstanceUID string
}

// usesRequestedUIDs reports whether the command names its SOP class and
// instance with the Requested tags (0000,0003) and (0000,1001).
func (c *command) usesRequestedUIDs() bool { return c.field == commandNSetRQ }

func (c *command) isRequest() bool { return c.field&responseBit == 0 }

func (c *command) String() string {
	return fmt.Sprintf("command 0x%04X id %d", c.field, c.messageID)
}

func decodeCommand(b []byte, limits Limits) (*command, error) {
	ds, err := DecodeDataset(b, ImplicitVRLittleEndian, limits)
	if err != nil {
		return nil, err
	}
	field, ok := ds.Get(TagCommandField).Uint16()
	if !ok {
		return nil, malformed("command without Command Field")
	}
	dataSetType, ok := ds.Get(TagCommandDataSetType).Uint16()
	if !ok {
		return nil, malformed("command without Command Data Set Type")
	}
	c := &command{
		field:        field,
		sopClassUID:  ds.String(TagAffectedSOPClassUID, CharsetDefault),
		hasDataset:   dataSetType != noDataSet,
		errorComment: ds.String(TagErrorComment, CharsetDefault),
	}
	if c.sopClassUID == "" {
		c.sopClassUID = ds.String(TagRequestedSOPClassUID, CharsetDefault)
	}
	c.sopInstanceUID = ds.String(TagAffectedSOPInstanceUID, CharsetDefault)
	if c.sopInstanceUID == "" {
		c.sopInstanceUID = ds.String(TagRequestedSOPInstanceUID, CharsetDefault)
	}
	c.errorID, _ = ds.Get(TagErrorID).Uint16()
	if el := ds.Get(TagOffendingElement); el != nil {
		for v := el.Value; len(v) >= 4; v = v[4:] {
			c.offending = append(c.offending, NewTag(binary.LittleEndian.Uint16(v), binary.LittleEndian.Uint16(v[2:])))
		}
	}
	c.messageID, _ = ds.Get(TagMessageID).Uint16()
	c.respondedTo, _ = ds.Get(TagMessageIDBeingRespondedTo).Uint16()
	c.priority, _ = ds.Get(TagPriority).Uint16()
	c.status, _ = ds.Get(TagStatus).Uint16()
	return c, nil
}

// encode returns the command set with its Command Group Length first. It
// appends the elements directly, in tag order: one is built per C-FIND
// response, thousands per query.
func (c *command) encode() []byte {
	b := make([]byte, 12, 128)
	classTag, instanceTag := TagAffectedSOPClassUID, TagAffectedSOPInstanceUID
	if c.usesRequestedUIDs() {
		classTag, instanceTag = TagRequestedSOPClassUID, TagRequestedSOPInstanceUID
	}
	if c.sopClassUID != "" {
		b = appendImplicit(b, classTag, padded(c.sopClassUID, 0))
	}
	b = appendUS(b, TagCommandField, c.field)
	switch {
	case c.field == commandCCancelRQ:
		// The one request that names another message (PS3.7 9.3.2.3).
		b = appendUS(b, TagMessageIDBeingRespondedTo, c.respondedTo)
	case c.isRequest():
		b = appendUS(b, TagMessageID, c.messageID)
	default:
		b = appendUS(b, TagMessageIDBeingRespondedTo, c.respondedTo)
	}
	if c.field == commandCFindRQ || c.field == commandCStoreRQ {
		b = appendUS(b, TagPriority, c.priority)
	}
	dataSetType := noDataSet
	if c.hasDataset {
		dataSetType = 0x0000 // any other value means present
	}
	b = appendUS(b, TagCommandDataSetType, dataSetType)
	if !c.isRequest() {
		b = appendUS(b, TagStatus, c.status)
		b = c.appendErrorDetails(b)
	}
	if c.sopInstanceUID != "" {
		b = appendImplicit(b, instanceTag, padded(c.sopInstanceUID, 0))
	}
	// (0000,0000) UL, length 4, value: the length of what follows.
	binary.LittleEndian.PutUint32(b[4:], 4)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(b)-12))
	return b
}

func (c *command) appendErrorDetails(b []byte) []byte {
	if len(c.offending) > 0 {
		var value []byte
		for _, t := range c.offending {
			value = binary.LittleEndian.AppendUint16(value, t.Group())
			value = binary.LittleEndian.AppendUint16(value, t.Element())
		}
		b = appendImplicit(b, TagOffendingElement, value)
	}
	if c.errorComment != "" {
		comment := c.errorComment
		if len(comment) > 64 { // LO
			comment = comment[:64]
		}
		b = appendImplicit(b, TagErrorComment, padded(comment, ' '))
	}
	if c.errorID != 0 {
		b = appendUS(b, TagErrorID, c.errorID)
	}
	return b
}

func appendImplicitHeader(b []byte, tag Tag, length int) []byte {
	b = binary.LittleEndian.AppendUint16(b, tag.Group())
	b = binary.LittleEndian.AppendUint16(b, tag.Element())
	return binary.LittleEndian.AppendUint32(b, uint32(length))
}

func appendImplicit(b []byte, tag Tag, value []byte) []byte {
	return append(appendImplicitHeader(b, tag, len(value)), value...)
}

func appendUS(b []byte, tag Tag, v uint16) []byte {
	return binary.LittleEndian.AppendUint16(appendImplicitHeader(b, tag, 2), v)
}

// padded returns s padded to an even length with pad.
func padded(s string, pad byte) []byte {
	b := []byte(s)
	if len(b)%2 == 1 {
		b = append(b, pad)
	}
	return b
}

// response builds the response to request c with the given status. An
// N-* response names the instance as Affected SOP Instance UID.
func (c *command) response(status uint16) *command {
	return &command{
		field:          c.field | responseBit,
		respondedTo:    c.messageID,
		sopClassUID:    c.sopClassUID,
		status:         status,
		sopInstanceUID: c.sopInstanceUID,
	}
}
