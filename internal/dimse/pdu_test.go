package dimse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAssociateRoundTrip(t *testing.T) {
	rq := &associate{
		calledAE: "REPERE", callingAE: "CT_SALLE1", maxLength: 16384,
		contexts: []presentationContext{
			{id: 1, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
			{id: 3, abstractSyntax: WorklistFindSOPClass, transferSyntaxes: []string{ExplicitVRLittleEndian, ImplicitVRLittleEndian}},
		},
	}
	ac := &associate{
		calledAE: "REPERE", callingAE: "CT_SALLE1", maxLength: 65536,
		contexts: []presentationContext{
			{id: 1, result: contextAccepted, transferSyntaxes: []string{ImplicitVRLittleEndian}},
			{id: 3, result: contextTransferSyntaxNotSupport, transferSyntaxes: []string{ImplicitVRLittleEndian}},
		},
	}
	for _, tt := range []struct {
		name   string
		a      *associate
		accept bool
		typ    pduType
	}{{"request", rq, false, pduAssociateRQ}, {"accept", ac, true, pduAssociateAC}} {
		t.Run(tt.name, func(t *testing.T) {
			pr := &pduReader{r: bytes.NewReader(tt.a.encode(tt.accept)), limit: 1 << 16}
			typ, body, err := pr.read()
			if err != nil || typ != tt.typ {
				t.Fatalf("read: %v %v", typ, err)
			}
			got, err := decodeAssociate(body, tt.accept)
			if err != nil {
				t.Fatal(err)
			}
			want := *tt.a
			want.protocolVersion, want.appContext = 1, applicationContext
			want.implClassUID, want.implVersion = implementationClassUID, implementationVersion
			if diff := cmp.Diff(&want, got, cmp.AllowUnexported(associate{}, presentationContext{})); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeAssociateErrors(t *testing.T) {
	valid := (&associate{calledAE: "A", callingAE: "B", contexts: []presentationContext{
		{id: 1, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}}}}).encode(false)[pduHeaderLength:]
	tests := []struct {
		name string
		body []byte
	}{
		{"shorter than fixed fields", valid[:40]},
		{"item longer than PDU", append(bytes.Clone(valid[:associateFixedLength]), 0x10, 0, 0xFF, 0xFF)},
		{"truncated item header", append(bytes.Clone(valid[:associateFixedLength]), 0x10, 0)},
		{"context without abstract syntax", append(bytes.Clone(valid[:associateFixedLength]), 0x20, 0, 0, 4, 1, 0, 0, 0)},
		{"bad maximum length item", append(bytes.Clone(valid[:associateFixedLength]), 0x50, 0, 0, 6, 0x51, 0, 0, 2, 0, 0)},
		{"accept item in a request", append(bytes.Clone(valid[:associateFixedLength]), 0x21, 0, 0, 4, 1, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeAssociate(tt.body, false); !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestPDUReaderLimit(t *testing.T) {
	pdu := []byte{4, 0, 0, 1, 0, 0} // 65536-byte body announced
	pr := &pduReader{r: bytes.NewReader(pdu), limit: 1024}
	var tooLarge pduTooLargeError
	if _, _, err := pr.read(); !errors.As(err, &tooLarge) {
		t.Errorf("err = %v, want pduTooLargeError", err)
	}
	pr = &pduReader{r: bytes.NewReader([]byte{4, 0, 0, 0, 0, 10, 1, 2}), limit: 1024}
	if _, _, err := pr.read(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated body: err = %v", err)
	}
}

func TestEachPDV(t *testing.T) {
	two := appendPDV(appendPDV(nil, pdv{contextID: 1, command: true, last: true, data: []byte("cmd")}),
		pdv{contextID: 1, last: false, data: []byte("da")})
	tests := []struct {
		name    string
		body    []byte
		want    []pdv
		wantErr bool
	}{
		{"two PDVs", two, []pdv{{1, true, true, []byte("cmd")}, {1, false, false, []byte("da")}}, false},
		{"empty PDU", nil, nil, true},
		{"length below 2", []byte{0, 0, 0, 1, 1, 3}, nil, true},
		{"length past the end", []byte{0, 0, 0, 9, 1, 3, 'x'}, nil, true},
		{"truncated header", []byte{0, 0, 0}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []pdv
			err := eachPDV(tt.body, func(v pdv) error { got = append(got, v); return nil })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(pdv{})); !tt.wantErr && diff != "" {
				t.Errorf("PDVs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMessageFragmentation sends a message through a small peer maximum
// and reassembles it: every PDU must respect the maximum.
func TestMessageFragmentation(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, maxBody := range []uint32{0, 1024, 4096, 16384} {
		client, server := net.Pipe()
		mw := &messageWriter{conn: client, timeout: time.Second, maxBody: maxBody}
		cmd := &command{field: commandCFindRQ, messageID: 7, sopClassUID: WorklistFindSOPClass, hasDataset: true}
		go func() { _ = mw.writeMessage(3, cmd, data); client.Close() }()
		pr := &pduReader{r: server, limit: 1 << 20}
		as := &assembler{limits: DefaultLimits}
		var msg *message
		for msg == nil {
			typ, body, err := pr.read()
			if err != nil {
				t.Fatalf("max %d: %v", maxBody, err)
			}
			if typ != pduData || maxBody > 0 && uint32(len(body)) > maxBody {
				t.Fatalf("max %d: %s of %d bytes", maxBody, typ, len(body))
			}
			err = eachPDV(body, func(v pdv) error {
				m, err := as.add(v)
				if m != nil {
					msg = m
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		server.Close()
		if msg.contextID != 3 || msg.command.messageID != 7 || !bytes.Equal(msg.data, data) {
			t.Errorf("max %d: reassembled message differs", maxBody)
		}
	}
}

func TestAssemblerErrors(t *testing.T) {
	cmd := (&command{field: commandCEchoRQ, messageID: 1, sopClassUID: VerificationSOPClass}).encode()
	withData := (&command{field: commandCFindRQ, messageID: 1, sopClassUID: WorklistFindSOPClass, hasDataset: true}).encode()
	tests := []struct {
		name string
		pdvs []pdv
	}{
		{"dataset before command", []pdv{{contextID: 1, last: true, data: []byte{1, 2}}}},
		{"context changes inside a message", []pdv{{1, true, false, cmd[:10]}, {3, true, true, cmd[10:]}}},
		{"command where dataset expected", []pdv{{1, true, true, withData}, {1, true, true, cmd}}},
		{"garbage command", []pdv{{1, true, true, []byte{1, 2, 3}}}},
		{"command without fields", []pdv{{1, true, true, le(uint16(0), uint16(0), uint32(4), uint32(0))}}},
		{"message too large", []pdv{{1, true, false, make([]byte, 600)}, {1, true, false, make([]byte, 600)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := &assembler{limits: Limits{MaxMessageSize: 1000}.withDefaults()}
			var err error
			for _, v := range tt.pdvs {
				if _, err = as.add(v); err != nil {
					break
				}
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestCommandRoundTrip(t *testing.T) {
	tests := []*command{
		{field: commandCEchoRQ, messageID: 1, sopClassUID: VerificationSOPClass},
		{field: commandCFindRQ, messageID: 2, sopClassUID: WorklistFindSOPClass, priority: 2, hasDataset: true},
		{field: commandCCancelRQ, respondedTo: 2},
		{field: commandCFindRQ | responseBit, respondedTo: 2, sopClassUID: WorklistFindSOPClass, status: StatusPending, hasDataset: true},
		{field: commandCFindRQ | responseBit, respondedTo: 2, sopClassUID: WorklistFindSOPClass, status: StatusIdentifierDoesNotMatch,
			errorComment: "bad key"},
		{field: commandNCreateRQ, messageID: 3, sopClassUID: ModalityPerformedProcedureStepSOPClass, sopInstanceUID: "2.25.7", hasDataset: true},
		{field: commandNSetRQ, messageID: 4, sopClassUID: ModalityPerformedProcedureStepSOPClass, sopInstanceUID: "2.25.7", hasDataset: true},
		{field: commandNSetRQ | responseBit, respondedTo: 4, sopClassUID: ModalityPerformedProcedureStepSOPClass, sopInstanceUID: "2.25.7",
			status: StatusProcessingFailure, errorComment: "no longer", errorID: ErrorIDNoLongerUpdatable, offending: []Tag{0x00400252}},
	}
	for _, want := range tests {
		encoded := want.encode()
		if got := binary.LittleEndian.Uint32(encoded[8:]); int(got) != len(encoded)-12 {
			t.Errorf("%s: group length %d, want %d", want, got, len(encoded)-12)
		}
		got, err := decodeCommand(encoded, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(command{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want, diff)
		}
	}
}
