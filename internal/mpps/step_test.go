package mpps

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestApplyTo is the state machine of PS3.4 F.7.2.2.2, one row a
// transition.
func TestApplyTo(t *testing.T) {
	end := time.Date(2026, 6, 10, 9, 1, 0, 0, paris)
	tests := []struct {
		name    string
		from    string
		m       Modification
		wantErr error
		want    PerformedStep // when allowed
	}{
		{"in progress to completed", StatusInProgress, Modification{Status: StatusCompleted, End: end, DLP: ptr(512.3)}, nil,
			PerformedStep{Status: StatusCompleted, End: end, DLP: ptr(512.3)}},
		{"in progress to discontinued", StatusInProgress, Modification{Status: StatusDiscontinued, DiscontinuationReason: "Patient refused"}, nil,
			PerformedStep{Status: StatusDiscontinued, End: arrival, DiscontinuationReason: "Patient refused"}},
		{"in progress stays in progress", StatusInProgress, Modification{CTDIvol: ptr(12)}, nil,
			PerformedStep{Status: StatusInProgress, CTDIvol: ptr(12)}},
		{"explicit in progress", StatusInProgress, Modification{Status: StatusInProgress}, nil,
			PerformedStep{Status: StatusInProgress}},
		{"unknown status", StatusInProgress, Modification{Status: "DONE"}, ErrInvalidStatus, PerformedStep{}},
		{"completed is final", StatusCompleted, Modification{Status: StatusDiscontinued}, ErrFinal, PerformedStep{}},
		{"completed refuses even no change", StatusCompleted, Modification{}, ErrFinal, PerformedStep{}},
		{"discontinued is final", StatusDiscontinued, Modification{Status: StatusCompleted}, ErrFinal, PerformedStep{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := PerformedStep{Status: tt.from}
			tt.m.ReceivedAt = arrival
			err := tt.m.ApplyTo(&cur)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if cur.Status != tt.from {
					t.Errorf("refused change altered the step to %q", cur.Status)
				}
				return
			}
			if diff := cmp.Diff(tt.want, cur); diff != "" {
				t.Errorf("step (-want +got):\n%s", diff)
			}
		})
	}
}
