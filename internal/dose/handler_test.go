package dose_test

import (
	"context"
	"errors"
	"testing"

	"repere/internal/dimse"
	"repere/internal/dose"
)

type receiver struct {
	got      []dose.Report
	attached bool
}

func (r *receiver) ReceiveReport(_ context.Context, rep dose.Report, _ string) (bool, error) {
	r.got = append(r.got, rep)
	return r.attached, nil
}

// TestHandlerStatuses: what the scanner is answered, and that nothing
// reaches the receiver when the object is refused.
func TestHandlerStatuses(t *testing.T) {
	enhanced := spec()
	enhanced.SOPClassUID = dimse.EnhancedSRStorage
	foreign := spec()
	foreign.RootCode = "126000"
	for _, tt := range []struct {
		name       string
		class, uid string
		ds         *dimse.Dataset
		status     uint16 // 0: success
		received   int
	}{
		{"X-Ray Radiation Dose SR", dimse.XRayRadiationDoseSRStorage, "2.25.100", spec().Dataset(), 0, 1},
		{"Enhanced SR with the dose template", dimse.EnhancedSRStorage, "2.25.100", enhanced.Dataset(), 0, 1},
		{"class of the command differs", dimse.EnhancedSRStorage, "2.25.100", spec().Dataset(), dimse.StatusStoreDataSetMismatch, 0},
		{"instance of the command differs", dimse.XRayRadiationDoseSRStorage, "2.25.999", spec().Dataset(), dimse.StatusStoreDataSetMismatch, 0},
		{"another SR", dimse.XRayRadiationDoseSRStorage, "2.25.100", foreign.Dataset(), dimse.StatusStoreDataSetMismatch, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &receiver{}
			err := dose.NewHandler(r, nil).Store(context.Background(), &dimse.StoreRequest{SOPClassUID: tt.class, SOPInstanceUID: tt.uid, Dataset: tt.ds})
			var status *dimse.StatusError
			switch {
			case tt.status == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.status != 0 && (!errors.As(err, &status) || status.Status != tt.status):
				t.Fatalf("got %v, want status 0x%04X", err, tt.status)
			}
			if len(r.got) != tt.received {
				t.Fatalf("%d reports received, want %d", len(r.got), tt.received)
			}
		})
	}
}
