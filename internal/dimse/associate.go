package dimse

import (
	"encoding/binary"
	"strings"
)

// ApplicationContext is the only application context name of DICOM.
const applicationContext = "1.2.840.10008.3.1.1.1"

// Our implementation identity, announced in every association (PS3.7 D.3.3.2).
const (
	implementationClassUID = "2.25.328864401864421574760868020625029131101"
	implementationVersion  = "REPERE_1"
)

// Item types of A-ASSOCIATE-RQ/AC variable fields (PS3.8 9.3.2, 9.3.3).
const (
	itemApplicationContext = 0x10
	itemPresentationRQ     = 0x20
	itemPresentationAC     = 0x21
	itemAbstractSyntax     = 0x30
	itemTransferSyntax     = 0x40
	itemUserInformation    = 0x50
	itemMaxLength          = 0x51
	itemImplementationUID  = 0x52
	itemImplementationName = 0x55
)

// Presentation context results (PS3.8 9.3.3.2).
const (
	contextAccepted                 = 0
	contextUserRejection            = 1
	contextAbstractSyntaxNotSupport = 3
	contextTransferSyntaxNotSupport = 4
)

// associate holds the fields of an A-ASSOCIATE-RQ or -AC that we use.
type associate struct {
	protocolVersion uint16
	calledAE        string
	callingAE       string
	appContext      string
	contexts        []presentationContext
	maxLength       uint32 // 0 means no limit
	implClassUID    string
	implVersion     string
}

// presentationContext is proposed (abstract syntax and transfer syntaxes)
// in a request, and answered (result and one transfer syntax) in an accept.
type presentationContext struct {
	id               byte
	abstractSyntax   string
	transferSyntaxes []string
	result           byte
}

const associateFixedLength = 68

func decodeAssociate(body []byte, accept bool) (*associate, error) {
	if len(body) < associateFixedLength {
		return nil, malformed("A-ASSOCIATE shorter than its fixed fields")
	}
	a := &associate{
		protocolVersion: binary.BigEndian.Uint16(body),
		calledAE:        trimAE(body[4:20]),
		callingAE:       trimAE(body[20:36]),
	}
	err := eachItem(body[associateFixedLength:], func(typ byte, data []byte) error {
		switch typ {
		case itemApplicationContext:
			a.appContext = trimUID(data)
		case itemPresentationRQ, itemPresentationAC:
			if (typ == itemPresentationAC) != accept {
				return malformed("presentation context item 0x%02X in the wrong PDU", typ)
			}
			pc, err := decodePresentationContext(data, accept)
			if err != nil {
				return err
			}
			a.contexts = append(a.contexts, pc)
		case itemUserInformation:
			return a.decodeUserInformation(data)
		}
		return nil // other items are optional and ignored
	})
	return a, err
}

func decodePresentationContext(data []byte, accept bool) (presentationContext, error) {
	if len(data) < 4 {
		return presentationContext{}, malformed("truncated presentation context")
	}
	pc := presentationContext{id: data[0], result: data[2]}
	err := eachItem(data[4:], func(typ byte, sub []byte) error {
		switch typ {
		case itemAbstractSyntax:
			pc.abstractSyntax = trimUID(sub)
		case itemTransferSyntax:
			pc.transferSyntaxes = append(pc.transferSyntaxes, trimUID(sub))
		}
		return nil
	})
	if err == nil && !accept && pc.abstractSyntax == "" {
		err = malformed("presentation context %d without abstract syntax", pc.id)
	}
	return pc, err
}

func (a *associate) decodeUserInformation(data []byte) error {
	return eachItem(data, func(typ byte, sub []byte) error {
		switch typ {
		case itemMaxLength:
			if len(sub) != 4 {
				return malformed("maximum length item of %d bytes", len(sub))
			}
			a.maxLength = binary.BigEndian.Uint32(sub)
		case itemImplementationUID:
			a.implClassUID = trimUID(sub)
		case itemImplementationName:
			a.implVersion = strings.TrimSpace(string(sub))
		}
		return nil
	})
}

// eachItem walks items with a one-byte type, a reserved byte and a 16-bit
// big-endian length.
func eachItem(b []byte, fn func(typ byte, data []byte) error) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return malformed("truncated item header")
		}
		length := int(binary.BigEndian.Uint16(b[2:]))
		if length > len(b)-4 {
			return malformed("item 0x%02X longer than its container", b[0])
		}
		if err := fn(b[0], b[4:4+length]); err != nil {
			return err
		}
		b = b[4+length:]
	}
	return nil
}

func trimAE(b []byte) string { return strings.Trim(string(b), " \x00") }

func trimUID(b []byte) string { return strings.TrimRight(string(b), " \x00") }

// encode builds the A-ASSOCIATE-RQ or -AC PDU.
func (a *associate) encode(accept bool) []byte {
	typ := pduAssociateRQ
	if accept {
		typ = pduAssociateAC
	}
	dst := appendPDUHeader(nil, typ)
	dst = binary.BigEndian.AppendUint16(dst, 1) // protocol version 1
	dst = append(dst, 0, 0)
	dst = append(dst, padAE(a.calledAE)...)
	dst = append(dst, padAE(a.callingAE)...)
	dst = append(dst, make([]byte, 32)...)
	dst = appendItem(dst, itemApplicationContext, []byte(applicationContext))
	for _, pc := range a.contexts {
		dst = appendPresentationContext(dst, pc, accept)
	}
	dst = appendItem(dst, itemUserInformation, a.userInformation())
	finishPDU(dst, 0)
	return dst
}

func appendPresentationContext(dst []byte, pc presentationContext, accept bool) []byte {
	var body []byte
	if accept {
		body = []byte{pc.id, 0, pc.result, 0}
	} else {
		body = []byte{pc.id, 0, 0, 0}
		body = appendItem(body, itemAbstractSyntax, []byte(pc.abstractSyntax))
	}
	for _, ts := range pc.transferSyntaxes {
		body = appendItem(body, itemTransferSyntax, []byte(ts))
	}
	typ := byte(itemPresentationRQ)
	if accept {
		typ = itemPresentationAC
	}
	return appendItem(dst, typ, body)
}

func (a *associate) userInformation() []byte {
	body := appendItem(nil, itemMaxLength, binary.BigEndian.AppendUint32(nil, a.maxLength))
	body = appendItem(body, itemImplementationUID, []byte(implementationClassUID))
	return appendItem(body, itemImplementationName, []byte(implementationVersion))
}

func appendItem(dst []byte, typ byte, data []byte) []byte {
	dst = append(dst, typ, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(data)))
	return append(dst, data...)
}

// padAE returns an AE title as the 16 space-padded bytes of the PDU.
func padAE(ae string) []byte {
	b := []byte(ae)
	if len(b) > 16 {
		b = b[:16]
	}
	for len(b) < 16 {
		b = append(b, ' ')
	}
	return b
}
