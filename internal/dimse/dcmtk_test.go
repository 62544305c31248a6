package dimse

import (
	"context"
	"strings"
	"testing"
	"time"
)

// These tests run dcmtk's tools against our server: a real peer catches
// what our own client, written with the same understanding, would not.

func TestDcmtkEchoscu(t *testing.T) {
	addr := startServer(t, &Server{})
	host, port := hostPort(t, addr)
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    string
	}{
		{"accepted", []string{"-v", "-aec", "REPERE", host, port}, false, "Received Echo Response (Success)"},
		{"wrong called AE", []string{"-v", "-aec", "OTHER", host, port}, true, "Called AE Title Not Recognized"},
		{"max PDU 4096", []string{"-v", "-pdu", "4096", "-aec", "REPERE", host, port}, false, "Received Echo Response (Success)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runTool(t, "echoscu", tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("echoscu error = %v, want error %v\n%s", err, tt.wantErr, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("echoscu output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestDcmtkEchoscuCallingAENotAllowed(t *testing.T) {
	addr := startServer(t, &Server{AllowedCallingAEs: []string{"CT_SALLE1"}})
	host, port := hostPort(t, addr)
	out, err := runTool(t, "echoscu", "-v", "-aet", "INTRUDER", "-aec", "REPERE", host, port)
	if err == nil || !strings.Contains(out, "Calling AE Title Not Recognized") {
		t.Errorf("intruder: err=%v\n%s", err, out)
	}
	out, err = runTool(t, "echoscu", "-v", "-aet", "CT_SALLE1", "-aec", "REPERE", host, port)
	if err != nil {
		t.Errorf("allowed console: %v\n%s", err, out)
	}
}

func TestEchoClient(t *testing.T) {
	addr := startServer(t, &Server{AETitle: "ANY"})
	if err := Echo(context.Background(), addr, "SCU", "ANY"); err != nil {
		t.Fatal(err)
	}
}

func TestDcmtkFindscuCancel(t *testing.T) {
	addr := startServer(t, &Server{Find: countingHandler(200, 20*time.Millisecond)})
	host, port := hostPort(t, addr)
	out, err := runTool(t, "findscu", "-v", "-W", "-aec", "REPERE", "--cancel", "2", "-k", "PatientID", host, port)
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	if n := strings.Count(out, "(Pending)"); n < 2 || n > 4 {
		t.Errorf("%d pending responses, want about 2 before the cancel took effect:\n%s", n, out)
	}
	if !strings.Contains(out, "Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)") {
		t.Errorf("no Cancel status in findscu output:\n%s", out[max(0, len(out)-1500):])
	}
	if testing.Verbose() {
		t.Log(out[max(0, len(out)-400):])
	}
}

// TestDcmtkFindscuSmallPDU sends answers larger than the peer's maximum
// PDU: they must be fragmented as findscu announced.
func TestDcmtkFindscuSmallPDU(t *testing.T) {
	comments := strings.Repeat("0123456789", 1000)
	big := FindHandlerFunc(func(ctx context.Context, req *FindRequest, send SendFunc) error {
		ds := NewDataset(NewText(TagPatientID, LO, "P1", CharsetDefault), NewText(0x00104000, LT, comments, CharsetDefault))
		return send(ds, StatusPending)
	})
	addr := startServer(t, &Server{Find: big})
	host, port := hostPort(t, addr)
	out, err := runTool(t, "findscu", "-W", "-aec", "REPERE", "-pdu", "4096", "-k", "PatientID", "-k", "PatientComments", host, port)
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	if !strings.Contains(out, "# 10000, 1 PatientComments") {
		t.Errorf("10000-byte comment not received whole:\n%s", out[max(0, len(out)-600):])
	}
}
