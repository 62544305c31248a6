package dimse

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pduType is the first byte of every PDU (PS3.8 9.3).
type pduType byte

const (
	pduAssociateRQ pduType = 0x01
	pduAssociateAC pduType = 0x02
	pduAssociateRJ pduType = 0x03
	pduData        pduType = 0x04
	pduReleaseRQ   pduType = 0x05
	pduReleaseRP   pduType = 0x06
	pduAbort       pduType = 0x07
)

func (t pduType) String() string {
	names := map[pduType]string{
		pduAssociateRQ: "A-ASSOCIATE-RQ", pduAssociateAC: "A-ASSOCIATE-AC",
		pduAssociateRJ: "A-ASSOCIATE-RJ", pduData: "P-DATA-TF",
		pduReleaseRQ: "A-RELEASE-RQ", pduReleaseRP: "A-RELEASE-RP", pduAbort: "A-ABORT",
	}
	if name, ok := names[t]; ok {
		return name
	}
	return fmt.Sprintf("PDU type 0x%02X", byte(t))
}

const pduHeaderLength = 6

// pduTooLargeError reports a PDU longer than we accept; the association
// is aborted before its body is read.
type pduTooLargeError struct{ length, limit uint32 }

func (e pduTooLargeError) Error() string {
	return fmt.Sprintf("dimse: PDU of %d bytes exceeds the limit of %d", e.length, e.limit)
}

// pduReader reads whole PDUs, reusing one buffer: callers copy what they keep.
type pduReader struct {
	r     io.Reader
	limit uint32
	buf   []byte
}

// header reads a PDU header; it is split from body so that the caller can
// apply a short deadline only once a PDU has started.
func (pr *pduReader) header() (pduType, uint32, error) {
	var h [pduHeaderLength]byte
	if _, err := io.ReadFull(pr.r, h[:]); err != nil {
		return 0, 0, err
	}
	length := binary.BigEndian.Uint32(h[2:])
	if length > pr.limit {
		return 0, 0, pduTooLargeError{length, pr.limit}
	}
	return pduType(h[0]), length, nil
}

func (pr *pduReader) body(length uint32) ([]byte, error) {
	if cap(pr.buf) < int(length) {
		pr.buf = make([]byte, length)
	}
	body := pr.buf[:length]
	if _, err := io.ReadFull(pr.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return body, nil
}

// read reads one PDU without deadlines (used by tests and fuzzing).
func (pr *pduReader) read() (pduType, []byte, error) {
	typ, length, err := pr.header()
	if err != nil {
		return 0, nil, err
	}
	body, err := pr.body(length)
	return typ, body, err
}

// appendPDUHeader starts a PDU whose body length is patched by finishPDU.
func appendPDUHeader(dst []byte, typ pduType) []byte {
	return append(dst, byte(typ), 0, 0, 0, 0, 0)
}

// finishPDU writes the body length of the PDU that starts at offset.
func finishPDU(dst []byte, offset int) {
	binary.BigEndian.PutUint32(dst[offset+2:], uint32(len(dst)-offset-pduHeaderLength))
}

// fourBytePDU encodes the PDUs whose body is four bytes: A-ASSOCIATE-RJ,
// A-RELEASE-RQ/RP and A-ABORT.
func fourBytePDU(typ pduType, b1, b2, b3 byte) []byte {
	return []byte{byte(typ), 0, 0, 0, 0, 4, 0, b1, b2, b3}
}

// pdv is one presentation data value item of a P-DATA-TF (PS3.8 9.3.5.1).
type pdv struct {
	contextID byte
	command   bool // else a dataset fragment
	last      bool
	data      []byte
}

// eachPDV walks the PDV items of a P-DATA-TF body.
func eachPDV(body []byte, fn func(pdv) error) error {
	if len(body) == 0 {
		return malformed("P-DATA-TF without PDV")
	}
	for len(body) > 0 {
		if len(body) < 6 {
			return malformed("truncated PDV header")
		}
		length := binary.BigEndian.Uint32(body)
		if length < 2 || int64(length) > int64(len(body)-4) {
			return malformed("PDV length %d out of range", length)
		}
		control := body[5]
		v := pdv{
			contextID: body[4],
			command:   control&0x01 != 0,
			last:      control&0x02 != 0,
			data:      body[6 : 4+length],
		}
		if err := fn(v); err != nil {
			return err
		}
		body = body[4+length:]
	}
	return nil
}

// appendPDV adds one PDV item to a P-DATA-TF being built.
func appendPDV(dst []byte, v pdv) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(v.data)+2))
	var control byte
	if v.command {
		control |= 0x01
	}
	if v.last {
		control |= 0x02
	}
	dst = append(dst, v.contextID, control)
	return append(dst, v.data...)
}

// Reject and abort parameters (PS3.8 9.3.4 and 9.3.8).
const (
	rejectPermanent = 1
	rejectTransient = 2

	rejectSourceUser     = 1 // DICOM UL service-user
	rejectSourceACSE     = 2 // service-provider, ACSE related
	rejectSourceProvider = 3 // service-provider, presentation related

	rejectNoReason               = 1 // source 1
	rejectAppContextNotSupported = 2 // source 1
	rejectCallingAENotRecognized = 3 // source 1
	rejectCalledAENotRecognized  = 7 // source 1
	rejectProtocolVersion        = 2 // source 2
	rejectLocalLimitExceeded     = 2 // source 3

	abortSourceUser     = 0
	abortSourceProvider = 2

	abortNotSpecified     = 0
	abortUnrecognizedPDU  = 1
	abortUnexpectedPDU    = 2
	abortInvalidParameter = 6
)
