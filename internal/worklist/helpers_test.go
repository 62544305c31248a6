package worklist

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"repere/internal/dimse"
)

var paris = mustLocation("Europe/Paris")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, paris)
}

// demoItems is a small day of CT-guided acts in two rooms, with the
// accents that break worklists.
func demoItems() []Item {
	return []Item{
		{
			PatientName: PersonName{"LEFÈVRE", "Zoé"}, PatientID: "P0001", PatientSex: "F",
			PatientBirthDate: time.Date(1984, 3, 12, 0, 0, 0, 0, time.UTC), PatientWeightKg: 62.5,
			MedicalAlerts: []string{"Anticoagulant suspendu", "Non accompagnée"}, ContrastAllergies: []string{"Produit de contraste iodé"},
			AccessionNumber: "A0001", RequestedProcedureID: "RP0001",
			RequestedProcedureDescription: "Infiltration foraminale L5-S1 droite",
			RequestedProcedureCode:        &Code{Value: "LHLH001", Scheme: "CCAM", Meaning: "Infiltration foraminale"},
			StudyInstanceUID:              "2.25.1001", ReferringPhysician: PersonName{"MARTIN", "Hélène"},
			Step: ScheduledStep{
				StationAETitle: "CT_SALLE1", StationName: "SALLE1", Start: at(2026, 6, 10, 8, 30),
				PerformingPhysician: PersonName{"DURAND", "Jérôme"}, Description: "Infiltration sous scanner",
				ID: "S0001", PreMedication: "Prémédication antiallergique", ContrastAgent: "Iopamidol",
			},
		},
		{
			PatientName: PersonName{"DUPRÉ", "Françoise"}, PatientID: "P0002", PatientSex: "F",
			PatientBirthDate: time.Date(1990, 7, 1, 0, 0, 0, 0, time.UTC),
			AccessionNumber:  "A0002", RequestedProcedureID: "RP0002", RequestedProcedureDescription: "Blood patch épidural",
			StudyInstanceUID: "2.25.1002", ReferringPhysician: PersonName{"NOËL", "Anaïs"},
			Step: ScheduledStep{
				StationAETitle: "CT_SALLE1", Start: at(2026, 6, 10, 14, 0),
				PerformingPhysician: PersonName{"DURAND", "Jérôme"}, Description: "Blood patch", ID: "S0002",
			},
		},
		{
			PatientName: PersonName{"ŒUVRARD", "Gaëtan"}, PatientID: "P0003", PatientSex: "M",
			AccessionNumber: "A0003", RequestedProcedureID: "RP0003", RequestedProcedureDescription: "Cimentoplastie L1",
			StudyInstanceUID: "2.25.1003",
			Step: ScheduledStep{
				StationAETitle: "CT_SALLE2", Start: at(2026, 6, 10, 9, 0),
				PerformingPhysician: PersonName{"ROUX", "Léa"}, Description: "Vertébroplastie", ID: "S0003",
			},
		},
		{
			PatientName: PersonName{"MARTIN", "Éloïse"}, PatientID: "P0004", PatientSex: "F",
			AccessionNumber: "A0004", RequestedProcedureID: "RP0004", RequestedProcedureDescription: "Infiltration facettaire",
			StudyInstanceUID: "2.25.1004",
			Step: ScheduledStep{
				StationAETitle: "CT_SALLE1", Start: at(2026, 6, 11, 7, 45),
				PerformingPhysician: PersonName{"DURAND", "Jérôme"}, Description: "Infiltration facettaire", ID: "S0004",
			},
		},
	}
}

// startWorklist serves h on a loopback port until the test ends.
func startWorklist(t testing.TB, h dimse.FindHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	srv := &dimse.Server{Find: h, Logger: logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// requireTool returns the path of a dcmtk binary, skipping the test when it
// is missing, except under CI where the suite must prove it runs them.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (install Debian package dcmtk): %v", name, err)
		} else {
			t.Skipf("%s not found (install Debian package dcmtk)", name)
		}
	}
	return path
}

func runTool(t testing.TB, dir, name string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, requireTool(t, name), args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}
