package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (dcmtk) is required under CI=true", name)
		}
		t.Skipf("%s not installed (apt-get install dcmtk)", name)
	}
	return path
}

// TestDemoWorklistOverDICOM starts the product with the demo and asks its
// worklist, as a CT console would, for tomorrow's acts of one room.
func TestDemoWorklistOverDICOM(t *testing.T) {
	findscu := requireTool(t, "findscu")
	port := freePort(t)
	_, stdout, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "w.db"), "--demo", "--dicom-addr", "127.0.0.1:"+port, "--dicom-charset", "utf8")
	defer stop()

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"dicom-echo", "--addr", "127.0.0.1:" + port}, &out, &errOut); err != nil {
		t.Fatalf("dicom-echo: %v", err)
	}
	day := demoDay(t, stdout).Format("20060102")
	cmd := exec.Command(findscu, "-W", "-aec", "REPERE", "-aet", "CT1_CONSOLE",
		"-k", "PatientName", "-k", "PatientID", "-k", "AccessionNumber", "-k", "StudyInstanceUID",
		"-k", "(0040,0100)[0].ScheduledStationAETitle=CT1_INTERV",
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartDate="+day,
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartTime",
		"-k", "(0040,0100)[0].ScheduledProcedureStepDescription",
		"-k", "(0040,0100)[0].Modality",
		"127.0.0.1", port)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, got)
	}
	text := string(got)
	responses := strings.Count(text, "Find Response:")
	if responses != 2 {
		t.Fatalf("%d worklist entries for CT1 tomorrow, want 2 (blood patch and foraminal infiltration):\n%s", responses, text)
	}
	for _, want := range []string{"LEFÈVRE^Zoé", "PASQUIER^Jérôme", "Blood patch épidural sous scanner", "[CT]", "RP0000000"} {
		if !strings.Contains(text, want) {
			t.Errorf("findscu output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ROUSSEAU") {
		t.Error("another room's patient was listed")
	}
}

func TestDicomEchoRefusedAddress(t *testing.T) {
	port := freePort(t) // nothing listens there
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"dicom-echo", "--addr", "127.0.0.1:" + port, "--timeout", "2s"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("echo to a closed port: %v", err)
	}
}

// TestDicomAssociationFlags: the ARTIM timer, the idle timeout and the
// association limits are the operator's, with a clear error when mistyped.
func TestDicomAssociationFlags(t *testing.T) {
	cases := []struct {
		name          string
		args          []string
		artim, idle   time.Duration
		total, perAdd int
		wantError     string
	}{
		{"defaults", nil, 30 * time.Second, 5 * time.Minute, 32, 8, ""},
		{"set", []string{"--dicom-artim", "10s", "--dicom-idle-timeout", "90s", "--dicom-max-associations", "20", "--dicom-max-per-address", "4"}, 10 * time.Second, 90 * time.Second, 20, 4, ""},
		{"bad duration", []string{"--dicom-idle-timeout", "5"}, 0, 0, 0, 0, "--dicom-idle-timeout must be a positive duration"},
		{"zero", []string{"--dicom-artim", "0s"}, 0, 0, 0, 0, "--dicom-artim must be a positive duration"},
		{"bad count", []string{"--dicom-max-per-address", "many"}, 0, 0, 0, 0, "--dicom-max-per-address must be a positive number"},
		{"per address above total", []string{"--dicom-max-associations", "4", "--dicom-max-per-address", "8"}, 0, 0, 0, 0, "must not exceed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parseServeFlags(c.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			timeouts, total, perAddress, err := cfg.dicom.limits()
			if c.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantError) {
					t.Fatalf("error %v, want one saying %q", err, c.wantError)
				}
				return
			}
			if err != nil || timeouts.Association != c.artim || timeouts.Idle != c.idle || total != c.total || perAddress != c.perAdd {
				t.Fatalf("got %v %v %d %d (%v), want %v %v %d %d", timeouts.Association, timeouts.Idle, total, perAddress, err, c.artim, c.idle, c.total, c.perAdd)
			}
		})
	}
}

// TestServeBindsTheWorklistBeforeReady: serve says "ready" only once the
// worklist's port is bound. A port already taken stops the start, before
// "ready", with the reason. Before, the port was bound in the background
// after "ready": a console connecting at once could be refused (the demo
// worklist test failed so once in CI), and a taken port failed the
// server after it had said it was ready.
func TestServeBindsTheWorklistBeforeReady(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "t.db"),
		"--demo-history", "0", "--dicom-addr", taken.Addr().String()}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "dicom worklist: listen") {
		t.Fatalf("serve with the worklist's port taken: %v, want the listen error", err)
	}
	if strings.Contains(stderr.String(), "msg=ready") {
		t.Errorf("serve said ready before binding the worklist's port:\n%s", stderr.String())
	}
}
