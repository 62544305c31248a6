package mpps

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"repere/internal/dimse"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// arrival is the fixed clock of the tests.
var arrival = time.Date(2026, 6, 10, 9, 30, 0, 0, paris)

// startMPPS serves h on a loopback port until the test ends.
func startMPPS(t testing.TB, h dimse.MPPSHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dimse.Server{MPPS: h, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
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

// inProgress is the N-CREATE a CT console sends when the act starts.
func inProgress() *dimse.Dataset {
	return dimse.NewDataset(
		dimse.NewString(dimse.TagSpecificCharacterSet, "ISO_IR 100"),
		dimse.NewText(dimse.TagPatientName, dimse.PN, "LEFÈVRE^Zoé", dimse.CharsetLatin1),
		dimse.NewText(dimse.TagPatientID, dimse.LO, "P0001", dimse.CharsetLatin1),
		dimse.NewSequence(tagScheduledStepAttributes, dimse.NewDataset(
			dimse.NewText(dimse.TagAccessionNumber, dimse.SH, "A0001", dimse.CharsetLatin1),
			dimse.NewString(dimse.TagStudyInstanceUID, "2.25.1001"),
			dimse.NewText(dimse.TagSPSID, dimse.SH, "S0001", dimse.CharsetLatin1),
			dimse.NewText(dimse.TagRequestedProcedureID, dimse.SH, "RP0001", dimse.CharsetLatin1),
		)),
		dimse.NewString(tagPerformedStationAE, "CT_SALLE1"),
		dimse.NewText(tagPPSID, dimse.SH, "PPS0001", dimse.CharsetLatin1),
		dimse.NewString(tagModality, "CT"),
		dimse.NewString(tagPPSStartDate, "20260610"),
		dimse.NewString(tagPPSStartTime, "083512.5"),
		dimse.NewString(tagPPSEndDate, ""),
		dimse.NewString(tagPPSEndTime, ""),
		dimse.NewString(tagPPSStatus, StatusInProgress),
	)
}

func withStatus(ds *dimse.Dataset, status string) *dimse.Dataset {
	ds.Set(dimse.NewString(tagPPSStatus, status))
	return ds
}

func ended(status string, elements ...*dimse.Element) *dimse.Dataset {
	ds := dimse.NewDataset(elements...)
	ds.Set(dimse.NewString(tagPPSEndDate, "20260610"))
	ds.Set(dimse.NewString(tagPPSEndTime, "0901"))
	ds.Set(dimse.NewString(tagPPSStatus, status))
	return ds
}

func ptr(v float64) *float64 { return &v }
