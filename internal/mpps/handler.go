package mpps

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"repere/internal/dimse"
)

// Config configures a Handler.
type Config struct {
	Store StepStore
	// Location is the practice's time zone, in which the console's dates
	// and times are read (default time.Local): DICOM times carry no zone.
	Location *time.Location
	// Now is the clock (default time.Now), for a final N-SET without end.
	Now func() time.Time
	// Logger receives one line per step change, never patient data; nil
	// discards.
	Logger *slog.Logger
}

// Handler serves Modality Performed Procedure Step N-CREATE and N-SET; it
// is a dimse.MPPSHandler.
type Handler struct {
	cfg Config
}

var _ dimse.MPPSHandler = (*Handler)(nil)

// NewHandler returns a handler recording steps in cfg.Store.
func NewHandler(cfg Config) *Handler {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// The refusals, with the statuses PS3.4 F.7.2 and PS3.7 give them.
var (
	// PS3.4 F.7.2.1.2: an N-CREATE whose status is not IN PROGRESS gets
	// 0106H Invalid attribute value; a missing one (type 1) 0120H.
	errCreateNotInProgress = &dimse.StatusError{Status: dimse.StatusInvalidAttributeValue,
		Comment: "N-CREATE status must be IN PROGRESS", Offending: []dimse.Tag{tagPPSStatus}}
	errCreateWithoutStatus = &dimse.StatusError{Status: dimse.StatusMissingAttribute,
		Comment: "Performed Procedure Step Status missing", Offending: []dimse.Tag{tagPPSStatus}}
	// PS3.7 10.1.5: N-CREATE of an instance that exists.
	errDuplicate = &dimse.StatusError{Status: dimse.StatusDuplicateSOPInstance,
		Comment: "performed procedure step already exists"}
	// PS3.7 10.1.3: N-SET of an instance we do not hold.
	errNoSuchStep = &dimse.StatusError{Status: dimse.StatusNoSuchSOPInstance,
		Comment: "no such performed procedure step"}
	// PS3.4 F.7.2.2.2 and Table F.7.2-2: N-SET once COMPLETED or
	// DISCONTINUED is a Processing failure with this comment and Error ID.
	errNoLongerUpdatable = &dimse.StatusError{Status: dimse.StatusProcessingFailure,
		Comment: "Performed Procedure Step Object may no longer be updated", ErrorID: dimse.ErrorIDNoLongerUpdatable}
	// An N-SET status other than the three of PS3.3 C.4.14.
	errSetInvalidStatus = &dimse.StatusError{Status: dimse.StatusInvalidAttributeValue,
		Comment: "status must be IN PROGRESS, COMPLETED or DISCONTINUED", Offending: []dimse.Tag{tagPPSStatus}}
)

// NCreate records a step that has started.
func (h *Handler) NCreate(ctx context.Context, req *dimse.NRequest) error {
	step := h.decoder(req).created(req.SOPInstanceUID, req.CallingAE)
	switch step.Status {
	case StatusInProgress:
	case "":
		return errCreateWithoutStatus
	default:
		return errCreateNotInProgress
	}
	if err := checkCreate(req.Attributes, req.Charset); err != nil {
		return err
	}
	if err := h.cfg.Store.CreateStep(ctx, step); err != nil {
		if errors.Is(err, ErrDuplicateStep) {
			return errDuplicate
		}
		return err
	}
	h.cfg.Logger.Info("mpps step started", "sop_instance_uid", step.SOPInstanceUID,
		"calling_ae", req.CallingAE, "station_ae", step.StationAE)
	return nil
}

// NSet applies a modification to a step still in progress.
func (h *Handler) NSet(ctx context.Context, req *dimse.NRequest) error {
	if err := checkSet(req.Attributes); err != nil {
		return err
	}
	m := h.decoder(req).modification(h.cfg.Now())
	var status string
	err := h.cfg.Store.UpdateStep(ctx, req.SOPInstanceUID, func(cur *PerformedStep) error {
		if err := m.ApplyTo(cur); err != nil {
			return err
		}
		status = cur.Status
		return nil
	})
	switch {
	case errors.Is(err, ErrNoSuchStep):
		return errNoSuchStep
	case errors.Is(err, ErrFinal):
		return errNoLongerUpdatable
	case errors.Is(err, ErrInvalidStatus):
		return errSetInvalidStatus
	case err != nil:
		return err
	}
	h.cfg.Logger.Info("mpps step updated", "sop_instance_uid", req.SOPInstanceUID,
		"calling_ae", req.CallingAE, "status", status)
	return nil
}

func (h *Handler) decoder(req *dimse.NRequest) decoder {
	return decoder{ds: req.Attributes, charset: req.Charset, location: h.cfg.Location}
}
