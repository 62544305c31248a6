package mpps

import (
	"context"
	"errors"
	"repere/internal/booking"
	"time"
)

// Performed Procedure Step Status (0040,0252) values, PS3.3 C.4.14, and the
// step as Repère records it: see package booking, which owns them.
const (
	StatusInProgress   = booking.StepInProgress
	StatusCompleted    = booking.StepCompleted
	StatusDiscontinued = booking.StepDiscontinued
)

// IsFinal reports whether a step with this status may no longer change.
func IsFinal(status string) bool { return booking.StepIsFinal(status) }

func isKnownStatus(status string) bool {
	return status == StatusInProgress || IsFinal(status)
}

// PerformedStep is one Modality Performed Procedure Step.
type PerformedStep = booking.PerformedStep

// StepStore persists steps. UpdateStep loads the current step, calls apply
// (which enforces the state machine and merges the N-SET) and saves the
// result only when apply returns nil; it must do so atomically, so that two
// N-SETs of one step cannot both pass from IN PROGRESS.
type StepStore interface {
	// CreateStep returns ErrDuplicateStep if the UID exists.
	CreateStep(ctx context.Context, s PerformedStep) error
	// UpdateStep returns ErrNoSuchStep for an unknown UID, and apply's
	// error unchanged.
	UpdateStep(ctx context.Context, uid string, apply func(cur *PerformedStep) error) error
}

// Errors of a StepStore and of the state machine.
var (
	ErrDuplicateStep = booking.ErrDuplicateStep
	ErrNoSuchStep    = booking.ErrNoSuchStep
	// ErrFinal refuses any change to a COMPLETED or DISCONTINUED step.
	ErrFinal = errors.New("mpps: performed procedure step may no longer be updated")
	// ErrInvalidStatus is a status the operation does not allow.
	ErrInvalidStatus = errors.New("mpps: invalid performed procedure step status")
)

// Modification is what an N-SET may change (PS3.4 Table F.7.2-1): the
// status, the end, the dose and the discontinuation reason. The patient,
// the scheduled step references, the station and the start are "not
// allowed" in an N-SET; they are not read from it.
type Modification struct {
	Status                string // "" when not sent
	End                   time.Time
	DLP, CTDIvol          *float64
	DiscontinuationReason string
	// ReceivedAt stands in for End when a final N-SET has none.
	ReceivedAt time.Time
}

// ApplyTo merges m into cur, or refuses it: PS3.4 F.7.2.2.2 lets an N-SET
// through only while the step is IN PROGRESS.
func (m Modification) ApplyTo(cur *PerformedStep) error {
	if cur.Status != StatusInProgress {
		return ErrFinal
	}
	if m.Status != "" && !isKnownStatus(m.Status) {
		return ErrInvalidStatus
	}
	if m.Status != "" {
		cur.Status = m.Status
	}
	if !m.End.IsZero() {
		cur.End = m.End
	}
	if m.DLP != nil {
		cur.DLP = m.DLP
	}
	if m.CTDIvol != nil {
		cur.CTDIvol = m.CTDIvol
	}
	if m.DiscontinuationReason != "" {
		cur.DiscontinuationReason = m.DiscontinuationReason
	}
	if IsFinal(cur.Status) && cur.End.IsZero() {
		cur.End = m.ReceivedAt
	}
	return nil
}
