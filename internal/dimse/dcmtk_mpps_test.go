package dimse

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// dcmtk ships no MPPS SCU, so our client's N-CREATE and N-SET are checked
// the other way round: the bytes it sends are captured on the wire, cut
// into command and dataset as the server does, and dcmdump reads each.

// recordingProxy forwards one connection to addr and keeps what the client
// sent.
func recordingProxy(t *testing.T, addr string) (string, func() []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sent bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		client, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer client.Close()
		server, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer server.Close()
		go func() { _, _ = io.Copy(client, server); client.Close() }()
		buf := make([]byte, 32<<10)
		for {
			n, err := client.Read(buf)
			mu.Lock()
			sent.Write(buf[:n])
			mu.Unlock()
			if _, werr := server.Write(buf[:n]); err != nil || werr != nil {
				return
			}
		}
	}()
	return ln.Addr().String(), func() []byte {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return sent.Bytes()
	}
}

// capturedMessages reassembles the P-DATA of a client's byte stream.
func capturedMessages(t *testing.T, stream []byte) []*message {
	t.Helper()
	reader := &pduReader{r: bufio.NewReader(bytes.NewReader(stream)), limit: 1 << 20}
	as := &assembler{limits: DefaultLimits}
	var msgs []*message
	for {
		typ, body, err := reader.read()
		if err != nil {
			return msgs
		}
		if typ != pduData {
			continue
		}
		if err := eachPDV(body, func(v pdv) error {
			msg, err := as.add(v)
			if msg != nil {
				msgs = append(msgs, msg)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func dcmdump(t *testing.T, dir, name string, data []byte, explicit bool) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ts := "-ti"
	if explicit {
		ts = "-te"
	}
	out, err := runTool(t, "dcmdump", "-f", ts, "+L", "-Un", path)
	if err != nil || strings.Contains(out, "E: ") {
		t.Fatalf("dcmdump %s: %v\n%s", name, err, out)
	}
	return out
}

func TestDcmtkDumpsOurMPPSMessages(t *testing.T) {
	requireTool(t, "dcmdump")
	addr, captured := recordingProxy(t, startServer(t, &Server{MPPS: newFakeMPPS()}))
	c, err := Connect(context.Background(), addr, ClientOptions{
		AbstractSyntaxes: []string{ModalityPerformedProcedureStepSOPClass},
		TransferSyntaxes: []string{ExplicitVRLittleEndian},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	created := NewDataset(
		NewString(TagSpecificCharacterSet, "ISO_IR 192"),
		NewText(TagPatientName, PN, "LEFÈVRE^Zoé", CharsetUTF8),
		NewText(TagPatientID, LO, "P0001", CharsetUTF8),
		NewSequence(0x00400270, NewDataset(
			NewText(TagAccessionNumber, SH, "A0001", CharsetUTF8),
			NewString(TagStudyInstanceUID, "2.25.1001"),
			NewText(TagSPSID, SH, "S0001", CharsetUTF8),
			NewText(TagRequestedProcedureID, SH, "RP0001", CharsetUTF8),
		)),
		NewString(0x00400241, "CT_SALLE1"),
		NewString(0x00400244, "20260610"),
		NewString(0x00400245, "083512"),
		NewString(0x00400252, "IN PROGRESS"),
	)
	if _, err := c.NCreate(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.777", created); err != nil {
		t.Fatal(err)
	}
	completed := NewDataset(
		NewString(0x00400250, "20260610"), NewString(0x00400251, "090102"),
		NewString(0x00400252, "COMPLETED"),
		NewSequence(0x0040030E, NewDataset(NewFloat64(0x00189345, 12.5))),
		NewText(0x00400310, ST, "Total DLP = 512.3 mGy*cm", CharsetUTF8),
	)
	if err := c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.777", completed); err != nil {
		t.Fatal(err)
	}
	if err := c.Release(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := capturedMessages(t, captured())
	if len(msgs) != 2 {
		t.Fatalf("captured %d messages, want N-CREATE and N-SET", len(msgs))
	}
	dir := t.TempDir()
	checks := []struct {
		name     string
		data     []byte
		explicit bool
		want     []string
	}{
		{"ncreate-command", msgs[0].command.encode(), false, []string{
			"(0000,0002) UI [1.2.840.10008.3.1.2.3.3]", "(0000,0100) US 320", "(0000,0110) US 1",
			"(0000,0800) US 0", "(0000,1000) UI [2.25.777]"}},
		{"ncreate-dataset", msgs[0].data, true, []string{
			"(0008,0005) CS [ISO_IR 192]", "(0010,0010) PN [LEFÈVRE^Zoé]", "(0010,0020) LO [P0001]",
			"(0040,0270) SQ", "(0008,0050) SH [A0001]", "(0020,000d) UI [2.25.1001]", "(0040,0009) SH [S0001]",
			"(0040,1001) SH [RP0001]", "(0040,0241) AE [CT_SALLE1]", "(0040,0244) DA [20260610]",
			"(0040,0245) TM [083512]", "(0040,0252) CS [IN PROGRESS]"}},
		{"nset-command", msgs[1].command.encode(), false, []string{
			"(0000,0003) UI [1.2.840.10008.3.1.2.3.3]", "(0000,0100) US 288", "(0000,0110) US 2",
			"(0000,0800) US 0", "(0000,1001) UI [2.25.777]"}},
		{"nset-dataset", msgs[1].data, true, []string{
			"(0040,0250) DA [20260610]", "(0040,0251) TM [090102]", "(0040,0252) CS [COMPLETED]",
			"(0040,030e) SQ", "(0018,9345) FD 12.5", "(0040,0310) ST [Total DLP = 512.3 mGy*cm]"}},
	}
	for _, check := range checks {
		out := dcmdump(t, dir, check.name, check.data, check.explicit)
		for _, want := range check.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: dcmdump lacks %q:\n%s", check.name, want, out)
			}
		}
	}
	// The command must be what the client sent, byte for byte: re-encoding
	// the decoded command is only a way to get it out of the capture.
	if got := msgs[0].command.encode(); !bytes.Contains(captured(), got) {
		t.Error("re-encoded N-CREATE command differs from the bytes sent")
	}
}
