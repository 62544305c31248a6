package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/dimse"
	"repere/internal/screening"
	"repere/internal/store"
)

// findscuDay asks the worklist for a day's entries as callingAE, naming a
// station only when station is not empty, and returns findscu's output.
func findscuDay(t *testing.T, findscu, port, callingAE, station, day string) string {
	t.Helper()
	args := []string{"-W", "-aec", "REPERE", "-aet", callingAE, "-k", "PatientName", "-k", "AccessionNumber",
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartDate=" + day, "-k", "(0040,0100)[0].ScheduledProcedureStepStatus"}
	if station != "" {
		args = append(args, "-k", "(0040,0100)[0].ScheduledStationAETitle="+station)
	}
	out, err := exec.Command(findscu, append(args, "127.0.0.1", port)...).CombinedOutput()
	if err != nil {
		t.Fatalf("findscu as %s: %v\n%s", callingAE, err, out)
	}
	return string(out)
}

// TestConsoleListsAndPerformedSteps plays a CT console on the demo: without
// a station it gets its own room's list (an unknown console gets nothing),
// then it reports the blood patch IN PROGRESS and COMPLETED by MPPS, after
// which the act is done and leaves the worklist.
func TestConsoleListsAndPerformedSteps(t *testing.T) {
	findscu := requireTool(t, "findscu")
	port := freePort(t)
	_, stdout, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "m.db"), "--demo", "--dicom-addr", "127.0.0.1:"+port, "--dicom-charset", "utf8")
	defer stop()
	day := demoDay(t, stdout).Format("20060102")

	own := findscuDay(t, findscu, port, "CT1_INTERV", "", day)
	if n := strings.Count(own, "Find Response:"); n != 2 || strings.Contains(own, "ROUSSEAU") {
		t.Fatalf("CT1's console without a station: %d entries, want its own 2:\n%s", n, own)
	}
	if n := strings.Count(findscuDay(t, findscu, port, "STRANGER", "", day), "Find Response:"); n != 0 {
		t.Fatalf("an unmapped console got %d entries, want none", n)
	}
	var m []string
	for _, response := range strings.Split(own, "Find Response:") {
		if strings.Contains(response, "LEFÈVRE^Zoé") {
			m = regexp.MustCompile(`\(0008,0050\) SH \[(RP\d+)`).FindStringSubmatch(response)
		}
	}
	if m == nil {
		t.Fatalf("no accession number for LEFÈVRE:\n%s", own)
	}
	accession := m[1]

	ctx := context.Background()
	c, err := dimse.Connect(ctx, "127.0.0.1:"+port, dimse.ClientOptions{CallingAE: "CT1_INTERV", AbstractSyntaxes: []string{dimse.ModalityPerformedProcedureStepSOPClass}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Now().In(paris)
	step := dimse.NewDataset(
		dimse.NewString(dimse.TagSpecificCharacterSet, "ISO_IR 192"),
		dimse.NewSequence(0x00400270, dimse.NewDataset(
			dimse.NewText(dimse.TagAccessionNumber, dimse.SH, accession, dimse.CharsetUTF8),
			dimse.NewString(dimse.TagStudyInstanceUID, "2.25.777001001"),
		)),
		dimse.NewString(0x00400241, "CT1_INTERV"),
		dimse.NewString(0x00400253, "PPS777001"),
		dimse.NewString(0x00080060, "CT"),
		dimse.NewString(0x00400244, now.Format("20060102")),
		dimse.NewString(0x00400245, now.Format("150405")),
		dimse.NewString(0x00400252, "IN PROGRESS"),
	)
	uid, err := c.NCreate(ctx, dimse.ModalityPerformedProcedureStepSOPClass, "2.25.777001", step)
	if err != nil {
		t.Fatalf("N-CREATE: %v", err)
	}
	if started := findscuDay(t, findscu, port, "CT1_INTERV", "", day); !strings.Contains(started, "STARTED") {
		t.Errorf("the act in progress is not STARTED on the worklist:\n%s", started)
	}
	done := dimse.NewDataset(
		dimse.NewString(0x00400250, now.Format("20060102")),
		dimse.NewString(0x00400251, now.Add(40*time.Minute).Format("150405")),
		dimse.NewString(0x00400252, "COMPLETED"),
	)
	if err := c.NSet(ctx, dimse.ModalityPerformedProcedureStepSOPClass, uid, done); err != nil {
		t.Fatalf("N-SET COMPLETED: %v", err)
	}
	if err := c.NSet(ctx, dimse.ModalityPerformedProcedureStepSOPClass, uid, done); err == nil {
		t.Error("an N-SET after COMPLETED was accepted")
	}
	after := findscuDay(t, findscu, port, "CT1_INTERV", "", day)
	if n := strings.Count(after, "Find Response:"); n != 1 || strings.Contains(after, "LEFÈVRE") {
		t.Errorf("after COMPLETED: %d entries, want the other one only:\n%s", n, after)
	}
}

// TestWorklistCarriesSafety: the demo patient with a contrast allergy shows
// it, with the screening's alert and his weight, in findscu -W output.
func TestWorklistCarriesSafety(t *testing.T) {
	findscu := requireTool(t, "findscu")
	port := freePort(t)
	_, stdout, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--demo", "--dicom-addr", "127.0.0.1:"+port, "--dicom-charset", "utf8")
	defer stop()
	day := demoDay(t, stdout).Format("20060102")
	out, err := exec.Command(findscu, "-W", "-aec", "REPERE", "-aet", "CT1_INTERV",
		"-k", "PatientName", "-k", "MedicalAlerts", "-k", "Allergies", "-k", "PatientWeight",
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartDate="+day, "127.0.0.1", port).CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	var pasquier string
	for _, response := range strings.Split(string(out), "Find Response:") {
		if strings.Contains(response, "PASQUIER") {
			pasquier = response
		}
	}
	for _, want := range []string{"(0010,2110) LO [Produit de contraste iodé", "(0010,1030) DS [81"} {
		if !strings.Contains(pasquier, want) {
			t.Errorf("PASQUIER's entry lacks %q:\n%s", want, pasquier)
		}
	}
	// Scanner 2's console: ROUSSEAU comes without anyone to take her home.
	out, err = exec.Command(findscu, "-W", "-aec", "REPERE", "-aet", "CT2_INTERV", "-k", "PatientName", "-k", "MedicalAlerts",
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartDate="+day, "127.0.0.1", port).CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ROUSSEAU") || !strings.Contains(string(out), "(0010,2000) LO [Pas d'accompagnant") {
		t.Errorf("ROUSSEAU's entry lacks the medical alert:\n%s", out)
	}
}

// TestWorklistCarriesThePrescription: what the radiologist prescribes when
// signing the screening reaches the console as Pre-Medication and Requested
// Contrast Agent (both in the Scheduled Procedure Step, PS3.4 K.6-1).
func TestWorklistCarriesThePrescription(t *testing.T) {
	findscu := requireTool(t, "findscu")
	port := freePort(t)
	db := filepath.Join(t.TempDir(), "p.db")
	_, stdout, stop := startServe(t, "--db", db, "--demo", "--dicom-addr", "127.0.0.1:"+port, "--dicom-charset", "utf8")
	defer stop()
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	refs, _ := st.ListReferrals(ctx, store.ReferralFilter{})
	for _, r := range refs {
		if strings.Contains(r.PatientName, "PASQUIER") {
			sc, err := st.Screening(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.AddScreeningDecision(ctx, screening.Decision{ReferralID: r.ID, Kind: screening.DecisionSigned, AnswersVersion: sc.Version,
				VerdictStatus: "review", Premedication: "Hydroxyzine 25 mg", ContrastAgent: "Gadolinium (pas d'iode)"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	day := demoDay(t, stdout).Format("20060102")
	out, err := exec.Command(findscu, "-W", "-aec", "REPERE", "-aet", "CT1_INTERV", "-k", "PatientName",
		"-k", "(0040,0100)[0].ScheduledProcedureStepStartDate="+day, "-k", "(0040,0100)[0].PreMedication", "-k", "(0040,0100)[0].RequestedContrastAgent", "127.0.0.1", port).CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	for _, want := range []string{"(0040,0012) LO [Hydroxyzine 25 mg", "(0032,1070) LO [Gadolinium (pas d'iode)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("findscu output lacks %q:\n%s", want, out)
		}
	}
}
