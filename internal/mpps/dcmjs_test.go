package mpps

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"repere/internal/dimse"
)

// The interoperability tests below drive our DICOM server with dcmjs-dimse,
// a second DIMSE implementation (Node), pinned in testdata/node.
const dcmjsDir = "testdata/node"

type dcmjsResult struct {
	Accepted     bool `json:"accepted"`
	Rejected     bool `json:"rejected"`
	NetworkError string
	Responses    []struct {
		Status      int    `json:"status"`
		Comment     string `json:"comment"`
		PatientName string `json:"patientName"`
	} `json:"responses"`
}

// dcmjs runs one scenario of testdata/node/dimse.js against addr.
func dcmjs(t *testing.T, addr, scenario string) dcmjsResult {
	t.Helper()
	bin, err := exec.LookPath("node")
	missing := ""
	if err != nil {
		missing = "node (Debian package nodejs)"
	} else if _, err := os.Stat(filepath.Join(dcmjsDir, "node_modules", "dcmjs-dimse", "package.json")); err != nil {
		missing = "the npm package dcmjs-dimse (npm ci --prefix internal/mpps/testdata/node)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true", missing)
		}
		t.Skipf("%s not installed", missing)
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, filepath.Join(dcmjsDir, "dimse.js"), host, port, scenario).Output()
	if err != nil {
		t.Fatalf("dcmjs-dimse %s: %v\n%s", scenario, err, out)
	}
	var r dcmjsResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("dcmjs-dimse %s printed %q: %v", scenario, out, err)
	}
	return r
}

func serveDICOM(t *testing.T, s *dimse.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// bigAnswers answers a worklist query with three items each longer than a
// 512-byte PDU.
var bigAnswers = dimse.FindHandlerFunc(func(ctx context.Context, req *dimse.FindRequest, send dimse.SendFunc) error {
	for _, name := range []string{"DUPONT^Jeanne", "MARTIN^Paul", "PETIT^Léa"} {
		ds := dimse.NewDataset(dimse.NewString(dimse.TagSpecificCharacterSet, "ISO_IR 100"),
			dimse.NewText(dimse.TagPatientName, dimse.PN, name, dimse.CharsetLatin1),
			dimse.NewText(dimse.TagPatientID, dimse.LO, "P1", dimse.CharsetLatin1),
			dimse.NewText(0x00104000, dimse.LT, strings.Repeat("commentaire ", 200), dimse.CharsetLatin1))
		if err := send(ds, dimse.StatusPending); err != nil {
			return err
		}
	}
	return nil
})

// TestDcmjsWorklistWithSmallPDU: a client announcing a 512-byte maximum
// PDU gets every answer whole (dcmtk's tools stop at 4096).
func TestDcmjsWorklistWithSmallPDU(t *testing.T) {
	addr := serveDICOM(t, &dimse.Server{Find: bigAnswers})
	r := dcmjs(t, addr, "worklist512")
	if !r.Accepted || len(r.Responses) != 4 || r.Responses[3].Status != 0 {
		t.Fatalf("worklist at 512 bytes: %+v", r)
	}
	if r.Responses[2].PatientName != "PETIT^Léa" {
		t.Errorf("third answer's name %q", r.Responses[2].PatientName)
	}
}

// TestDcmjsPerformedSteps: the MPPS checks of PS3.4 F.7 as another
// implementation's client sees them: a missing type 1 attribute is 0x0120,
// a valid step is created, an N-SET of the patient's name is 0x0105, the
// completion succeeds; a server without MPPS rejects an association that
// offers only MPPS.
func TestDcmjsPerformedSteps(t *testing.T) {
	store := NewMemoryStore()
	h := NewHandler(Config{Store: store, Location: paris, Now: func() time.Time { return arrival }})
	addr := serveDICOM(t, &dimse.Server{Find: bigAnswers, MPPS: h})
	r := dcmjs(t, addr, "mpps")
	var got []int
	for _, res := range r.Responses {
		got = append(got, res.Status)
	}
	want := []int{int(dimse.StatusMissingAttribute), 0, int(dimse.StatusNoSuchAttribute), 0}
	if !r.Accepted || len(got) != len(want) {
		t.Fatalf("statuses %v, want %v (%+v)", got, want, r)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: status 0x%04X, want 0x%04X (%s)", i, got[i], want[i], r.Responses[i].Comment)
		}
	}

	findOnly := serveDICOM(t, &dimse.Server{Find: bigAnswers})
	if r := dcmjs(t, findOnly, "mppsOnly"); !r.Rejected || r.Accepted {
		t.Errorf("MPPS-only association to a server without MPPS: %+v, want rejected", r)
	}
}
