package dimse

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzReadPDU feeds arbitrary bytes to the PDU reader and every decoder
// behind it: nothing may panic or allocate beyond the limits.
func FuzzReadPDU(f *testing.F) {
	f.Add(validRequest())
	f.Add((&associate{calledAE: "A", callingAE: "B", maxLength: 1024, contexts: []presentationContext{
		{id: 1, result: contextAccepted, transferSyntaxes: []string{ImplicitVRLittleEndian}}}}).encode(true))
	f.Add(findRequest())
	f.Add(nRequest(commandNCreateRQ, "2.25.9", le(uint16(0x0040), uint16(0x0252), uint32(12), "IN PROGRESS ")))
	f.Add(fourBytePDU(pduAssociateRJ, 1, 1, 7))
	f.Add(fourBytePDU(pduAbort, 0, 2, 6))
	f.Add(fourBytePDU(pduReleaseRQ, 0, 0, 0))
	f.Add(endlessFragments()[:300])
	f.Fuzz(func(t *testing.T, input []byte) {
		limits := Limits{MaxPDULength: 16384, MaxMessageSize: 32 << 10}.withDefaults()
		pr := &pduReader{r: bytes.NewReader(input), limit: limits.MaxPDULength}
		as := &assembler{limits: limits}
		for {
			typ, body, err := pr.read()
			if err != nil {
				return
			}
			switch typ {
			case pduAssociateRQ, pduAssociateAC:
				_, _ = decodeAssociate(body, typ == pduAssociateAC)
			case pduData:
				err = eachPDV(body, func(v pdv) error {
					msg, err := as.add(v)
					if msg != nil && msg.data != nil {
						_, _ = DecodeDataset(msg.data, ImplicitVRLittleEndian, limits)
					}
					return err
				})
				if err != nil {
					return
				}
			}
		}
	})
}

// FuzzDecodeDataset checks the dataset parser in both transfer syntaxes,
// and that whatever it accepts encodes and decodes again.
func FuzzDecodeDataset(f *testing.F) {
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian} {
		encoded, err := EncodeDataset(sampleDataset(), ts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encoded, ts == ExplicitVRLittleEndian)
	}
	f.Add(le(uint16(0x0040), uint16(0x0100), uint32(undefinedLength), uint16(0xFFFE), uint16(0xE000), uint32(undefinedLength),
		uint16(0xFFFE), uint16(0xE00D), uint32(0), uint16(0xFFFE), uint16(0xE0DD), uint32(0)), false)
	f.Fuzz(func(t *testing.T, input []byte, explicit bool) {
		ts := ImplicitVRLittleEndian
		if explicit {
			ts = ExplicitVRLittleEndian
		}
		ds, err := DecodeDataset(input, ts, DefaultLimits)
		if err != nil {
			return
		}
		encoded, err := EncodeDataset(ds, ts)
		if err != nil {
			return // e.g. an odd 65535-byte value no longer fits once padded
		}
		if _, err := DecodeDataset(encoded, ts, DefaultLimits); err != nil {
			t.Fatalf("re-encoded dataset does not decode: %v", err)
		}
	})
}

// FuzzAssociation plays arbitrary bytes after a valid association request
// against a live association: it must end, without panicking, once the
// peer closes.
func FuzzAssociation(f *testing.F) {
	f.Add(findRequest())
	f.Add(fourBytePDU(pduReleaseRQ, 0, 0, 0))
	f.Add(pData(pdv{contextID: 1, command: true, last: true,
		data: (&command{field: commandCEchoRQ, messageID: 1, sopClassUID: VerificationSOPClass}).encode()}))
	f.Add(pData(pdv{contextID: 1, command: true, last: true,
		data: (&command{field: commandCCancelRQ, respondedTo: 1}).encode()}))
	created, _ := EncodeDataset(stepAttributes("IN PROGRESS"), ImplicitVRLittleEndian)
	completed, _ := EncodeDataset(stepAttributes("COMPLETED"), ImplicitVRLittleEndian)
	f.Add(join(nRequest(commandNCreateRQ, "2.25.9", created), nRequest(commandNSetRQ, "2.25.9", completed)))
	f.Add(nRequest(commandNSetRQ, "2.25.9", completed))
	f.Add(nRequest(commandNCreateRQ, "", created[:len(created)/2]))
	s := &Server{
		Find:     countingHandler(3, 0),
		MPPS:     newFakeMPPS(),
		Limits:   Limits{MaxPDULength: 16384, MaxMessageSize: 32 << 10},
		Timeouts: Timeouts{Association: time.Second, Idle: time.Second, Read: time.Second, Write: time.Second},
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.serveConn(context.Background(), context.Background(), server)
		}()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_, _ = client.Write(append(validRequest(), input...))
		client.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("association did not end after the peer closed")
		}
	})
}
