package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/fhir"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// interopDir holds the Node packages of the independent FHIR client and
// validator (installed by scripts/test with npm ci).
const interopDir = "../fhir/testdata/node"

// node returns the node binary, after checking the packages are installed;
// it skips the test (fails it under CI=true) otherwise.
func node(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("node")
	if err != nil {
		storetest.Require(t, "node (Debian package nodejs)")
	}
	for _, pkg := range []string{"fhir-kit-client", "fhir"} {
		if _, err := os.Stat(filepath.Join(interopDir, "node_modules", pkg, "package.json")); err != nil {
			storetest.Require(t, "the npm package "+pkg+" (npm ci --prefix internal/fhir/testdata/node)")
		}
	}
	return bin
}

// TestFHIRWithIndependentClients runs interop.mjs against the server on both
// engines: fhir-kit-client makes the requests, FHIR.js validates every
// resource received, Node's crypto signs the SMART Backend Services
// assertions with keys the admin registered on /admin/api. Each check of the
// script is a subtest.
func TestFHIRWithIndependentClients(t *testing.T) {
	bin := node(t)
	engines(t, func(t *testing.T, h *harness) {
		keys := t.TempDir()
		if out, err := exec.Command(bin, filepath.Join(interopDir, "interop.mjs"), "keys", keys).CombinedOutput(); err != nil {
			t.Fatalf("node keys: %v\n%s", err, out)
		}
		cfg := h.interopConfig(keys)
		path := filepath.Join(t.TempDir(), "config.json")
		b, _ := json.Marshal(cfg)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "interop.mjs", "run", path)
		cmd.Dir = interopDir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		results := 0
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			line := sc.Text()
			name, why, failed := strings.Cut(strings.TrimPrefix(line, "not "), ": ")
			name = strings.TrimPrefix(name, "ok ")
			if !strings.HasPrefix(line, "ok ") && !strings.HasPrefix(line, "not ok ") {
				continue
			}
			results++
			t.Run(name, func(t *testing.T) {
				if failed {
					t.Error(why)
				}
			})
		}
		if results == 0 || err != nil && results == 0 {
			t.Fatalf("interop.mjs: %v\n%s\n%s", err, out, stderr.String())
		}
	})
}

// interopConfig prepares what the script needs: a client with a static
// token, a SMART backend client registered by the admin with the script's
// public keys, and the ids of records of each type.
func (h *harness) interopConfig(keysDir string) map[string]any {
	t := h.t
	token := "interop-static-token"
	if _, err := h.store.CreateAPIClient(system, "Interop", fhir.HashToken(token),
		[]string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}, storetest.Now().AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	jwks, err := os.ReadFile(filepath.Join(keysDir, "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	admin := h.signedIn(auth.Admin)
	if r := admin.post("/admin/api", url.Values{"name": {"DPI backend"}, "scope": {"system/*.read"}, "validity": {"365"},
		"auth": {"jwks"}, "jwks": {string(jwks)}}); r.status != 200 {
		t.Fatalf("registering the SMART client: %d\n%s", r.status, r.body)
	}
	clients, err := h.store.APIClients(system)
	if err != nil {
		t.Fatal(err)
	}
	smartID := ""
	for _, c := range clients {
		if c.Name == "DPI backend" {
			smartID = itoa(c.ID)
		}
	}
	pts, _, err := h.store.FindPatients(system, store.PatientSearch{Limit: 2})
	if err != nil || len(pts) < 2 {
		t.Fatalf("demo patients: %v", err)
	}
	lefevre := h.referralID("LEFÈVRE")
	refID, _ := strconv.ParseInt(lefevre, 10, 64)
	ref, err := h.store.Referral(system, refID)
	if err != nil {
		t.Fatal(err)
	}
	// A referral with two versions: received, then cancelled.
	changed, err := h.store.CreateReferral(system, referral.Referral{PatientID: ref.PatientID, ActID: "facet_joint_infiltration", PrescriptionDate: h.clock.Now().In(paris).Format(time.DateOnly)})
	if err == nil {
		err = h.store.SetReferralStatus(system, changed, referral.Cancelled, "interop test")
	}
	if err != nil {
		t.Fatal(err)
	}
	physicians, _ := h.store.Physicians(system)
	var practitioner, rpps string
	for _, ph := range physicians {
		if ph.RPPS != "" {
			practitioner, rpps = "ref-"+itoa(ph.ID), ph.RPPS
			break
		}
	}
	rooms, _ := h.store.Rooms(system)
	schedule := ""
	for _, r := range rooms {
		if r.StationAETitle != "" {
			schedule = itoa(r.ID)
			break
		}
	}
	other := pts[0].ID
	if other == ref.PatientID {
		other = pts[1].ID
	}
	appt := h.appointmentID()
	report := h.reportID()
	now := h.clock.Now()
	return map[string]any{
		"base": h.ts.URL + fhir.Prefix, "token": token, "keysDir": keysDir, "smartClientID": smartID,
		"patientID": itoa(ref.PatientID), "otherPatientID": itoa(other), "referralID": lefevre, "changedReferralID": itoa(changed),
		"appointmentID": appt, "reportID": report, "consentID": h.consentID(), "procedureID": "", "screeningID": "",
		"practitionerID": practitioner, "rpps": rpps, "scheduleID": schedule, "binaryID": "report-" + report,
		"today": now.In(paris).Format(time.DateOnly), "serverNow": now.Unix(), "serverNowISO": now.Add(-time.Second).UTC().Format(time.RFC3339),
	}
}
