package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"repere/internal/dose/dosetest"
)

// TestServeAcceptsDoseReports: the DICOM port of "repere serve" takes a CT
// dose report from dcmtk's storescu beside the worklist and MPPS, and
// refuses an SR that is not one.
func TestServeAcceptsDoseReports(t *testing.T) {
	storescu, dump2dcm := requireTool(t, "storescu"), requireTool(t, "dump2dcm")
	port := freePort(t)
	_, _, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "d.db"), "--demo", "--dicom-addr", "127.0.0.1:"+port)
	defer stop()
	spec := dosetest.Spec{SOPInstanceUID: "2.25.8880001", StudyInstanceUID: "2.25.8880002", AccessionNumber: "RP99999999", TotalDLP: 120,
		Events: []dosetest.Event{{UID: "2.25.8880003", Spiral: true, CTDIvol: 9.5, DLP: 120, LengthMM: 100}}}
	dir := t.TempDir()
	report, err := dosetest.WriteFile(dump2dcm, dir, "report", spec.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(storescu, "-v", "-aec", "REPERE", "-aet", "CT1_INTERV", "127.0.0.1", port, report).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Received Store Response (Success)") {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
	spec.SOPInstanceUID, spec.RootCode = "2.25.8880004", "126000"
	foreign, err := dosetest.WriteFile(dump2dcm, dir, "foreign", spec.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	out, _ = exec.Command(storescu, "-v", "-aec", "REPERE", "-aet", "CT1_INTERV", "127.0.0.1", port, foreign).CombinedOutput()
	if !strings.Contains(string(out), "DataSetDoesNotMatchSOPClass") {
		t.Fatalf("a foreign SR was not refused:\n%s", out)
	}
}
