package worklist

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
	"repere/internal/mpps"
)

// TestFindscuPerConsole plays issue 9 item 2 with findscu as three
// consoles asking for "my worklist" without a station: a mapped one gets
// its room, an unknown one nothing, and everything once opted in.
func TestFindscuPerConsole(t *testing.T) {
	rooms := map[string]string{"CT2_CONSOLE": "CT_SALLE2"}
	tests := []struct {
		name, callingAE string
		allowAll        bool
		want            []string
	}{
		{"mapped console gets its room", "CT2_CONSOLE", false, []string{"P0003"}},
		{"unmapped console gets nothing", "NEW_CT", false, nil},
		{"unmapped console, all rooms allowed", "NEW_CT", true, []string{"P0001", "P0003", "P0002", "P0004"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startWorklist(t, NewHandler(Config{Source: StaticSource(demoItems()), Location: paris,
				StationByCallingAE: rooms, AllowUnmappedAll: tt.allowAll}))
			host, port, _ := net.SplitHostPort(addr)
			out, err := runTool(t, t.TempDir(), "findscu", "-W", "-aec", "REPERE", "-aet", tt.callingAE,
				"-k", "PatientID", "-k", "(0040,0100)[0].ScheduledStationAETitle", host, port)
			if err != nil {
				t.Fatalf("findscu: %v\n%s", err, out)
			}
			got := patientIDs(splitResponses(string(out)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("patients (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPerformedStepsOnTheWorklist checks what MPPS changes on the list: a
// step in progress shows STARTED, a completed one disappears, a
// discontinued one stays to be performed again.
func TestPerformedStepsOnTheWorklist(t *testing.T) {
	items := demoItems()
	items[0].Step.PerformedStatus = mpps.StatusInProgress
	items[1].Step.PerformedStatus = mpps.StatusCompleted
	items[2].Step.PerformedStatus = mpps.StatusDiscontinued
	h := NewHandler(Config{Source: StaticSource(items), Location: paris, AllowUnmappedAll: true})
	got, err := find(t, h, "ANY", dimse.CharsetUTF8, stepKeys(key(dimse.TagSPSStatus, "")))
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for i, ds := range got.answers {
		step := ds.Get(dimse.TagScheduledProcedureStepSeq).Items[0]
		statuses[got.ids[i]] = step.String(dimse.TagSPSStatus, dimse.CharsetUTF8)
	}
	want := map[string]string{"P0001": "STARTED", "P0003": "SCHEDULED", "P0004": "SCHEDULED"}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("listed steps (-want +got):\n%s", diff)
	}
}
