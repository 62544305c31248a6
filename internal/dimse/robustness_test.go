package dimse

import (
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// validRequest is an A-ASSOCIATE-RQ our server accepts.
func validRequest() []byte {
	return (&associate{calledAE: DefaultAETitle, callingAE: "FUZZ", maxLength: 16384, contexts: []presentationContext{
		{id: 1, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
		{id: 3, abstractSyntax: WorklistFindSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
		{id: 5, abstractSyntax: ModalityPerformedProcedureStepSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
	}}).encode(false)
}

// nRequest is an N-CREATE or N-SET PDU on the MPPS context of validRequest.
func nRequest(field uint16, uid string, data []byte) []byte {
	cmd := (&command{field: field, messageID: 2, sopClassUID: ModalityPerformedProcedureStepSOPClass,
		sopInstanceUID: uid, hasDataset: true}).encode()
	return pData(pdv{contextID: 5, command: true, last: true, data: cmd}, pdv{contextID: 5, last: true, data: data})
}

// pData wraps PDV items in a P-DATA-TF PDU.
func pData(pdvs ...pdv) []byte {
	b := appendPDUHeader(nil, pduData)
	for _, v := range pdvs {
		b = appendPDV(b, v)
	}
	finishPDU(b, 0)
	return b
}

func findRequest() []byte {
	cmd := (&command{field: commandCFindRQ, messageID: 1, sopClassUID: WorklistFindSOPClass, hasDataset: true}).encode()
	data, _ := EncodeDataset(worklistQuery(), ImplicitVRLittleEndian)
	return pData(pdv{contextID: 3, command: true, last: true, data: cmd}, pdv{contextID: 3, last: true, data: data})
}

func join(parts ...[]byte) []byte { return slices.Concat(parts...) }

// hostileInputs are what a broken or malicious peer may send. wait means
// the peer then stays silent until the server closes the connection.
var hostileInputs = []struct {
	name  string
	input []byte
	wait  bool
}{
	{"random bytes", randomBytes(1, 1000), false},
	{"huge PDU length", []byte{1, 0, 0x40, 0, 0, 0}, true},
	{"half a request then close", validRequest()[:40], false},
	{"half a request then silence", validRequest()[:40], true},
	{"silence", nil, true},
	{"data before association", pData(pdv{contextID: 1, command: true, last: true, data: []byte{1}}), true},
	{"garbage PDV", join(validRequest(), []byte{4, 0, 0, 0, 0, 3, 0, 0, 9}), true},
	{"PDV on a context not accepted", join(validRequest(), pData(pdv{contextID: 99, command: true, last: true, data: []byte{1, 2}})), true},
	{"second request", join(validRequest(), validRequest()), true},
	{"unknown PDU type", join(validRequest(), []byte{9, 0, 0, 0, 0, 0}), true},
	{"PDU cut short then silence", join(validRequest(), []byte{4, 0, 0, 0, 1, 0, 0, 0}), true},
	{"PDU over the limit", join(validRequest(), []byte{4, 0, 0, 1, 0, 0}), true},
	{"find then vanish", join(validRequest(), findRequest()), false},
	{"release then stay", join(validRequest(), fourBytePDU(pduReleaseRQ, 0, 0, 0)), true},
	{"abort", join(validRequest(), fourBytePDU(pduAbort, 0, 0, 0)), true},
	{"garbage command", join(validRequest(), pData(pdv{contextID: 1, command: true, last: true, data: randomBytes(2, 64)})), true},
	{"endless fragments", join(validRequest(), endlessFragments()), true},
	{"N-CREATE with garbage", join(validRequest(), nRequest(commandNCreateRQ, "2.25.1", randomBytes(3, 200))), true},
	{"N-SET with garbage", join(validRequest(), nRequest(commandNSetRQ, "2.25.1", randomBytes(4, 200))), true},
	{"N-SET then vanish", join(validRequest(), nRequest(commandNSetRQ, "", nil)), false},
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// endlessFragments never completes a command, to hit the message limit.
func endlessFragments() []byte {
	var b []byte
	for range 40 {
		b = append(b, pData(pdv{contextID: 1, command: true, data: make([]byte, 16000)})...)
	}
	return b
}

func TestHostileInputKeepsServerUp(t *testing.T) {
	s := &Server{
		Find:     countingHandler(500, 0),
		MPPS:     newFakeMPPS(),
		Limits:   Limits{MaxPDULength: 16384, MaxMessageSize: 64 << 10},
		Timeouts: Timeouts{Association: 300 * time.Millisecond, Idle: 500 * time.Millisecond, Read: 300 * time.Millisecond},
	}
	addr := startServer(t, s)
	if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for _, in := range hostileInputs {
		t.Run(in.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, _ = conn.Write(in.input)
			if in.wait {
				// The server must end the connection itself, well before
				// our own deadline.
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.Copy(io.Discard, conn); err != nil && !isReset(err) {
					t.Errorf("server did not close the connection: %v", err)
				}
			}
		})
	}
	if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
		t.Fatalf("server down after hostile input: %v", err)
	}
	waitForGoroutines(t, before)
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// waitForGoroutines fails if the goroutine count does not come back to
// at most want: an association left running is a leak.
func waitForGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSlowReaderDoesNotBlockOthers opens an association whose peer never
// reads: the write timeout frees it while other consoles are served.
func TestSlowReaderDoesNotBlockOthers(t *testing.T) {
	s := &Server{Find: countingHandler(100000, 0), Timeouts: Timeouts{Write: 300 * time.Millisecond}}
	addr := startServer(t, s)
	before := runtime.NumGoroutine()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write(join(validRequest(), findRequest()))
	time.Sleep(100 * time.Millisecond)
	if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
		t.Fatalf("echo while another peer stalls: %v", err)
	}
	waitForGoroutines(t, before)
}

// Sanity check of the fixtures themselves.
func TestHostileFixtures(t *testing.T) {
	if binary.BigEndian.Uint32(validRequest()[2:]) != uint32(len(validRequest())-pduHeaderLength) {
		t.Fatal("validRequest length field")
	}
}
