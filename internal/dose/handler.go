package dose

import (
	"context"
	"errors"
	"log/slog"

	"repere/internal/dimse"
)

// Receiver keeps a dose report read from the scanner (the application
// layer). attached says whether an act was found for it.
type Receiver interface {
	ReceiveReport(ctx context.Context, r Report, callingAE string) (attached bool, err error)
}

// Handler is the DICOM C-STORE handler of dose reports: it reads the
// report, refuses what is not a CT dose report with a failure status (so
// nothing is stored and the scanner's operator sees it), and hands the rest
// to the receiver.
type Handler struct {
	receiver Receiver
	log      *slog.Logger
}

// NewHandler returns the handler; log may be nil.
func NewHandler(r Receiver, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{receiver: r, log: log}
}

var _ dimse.StoreHandler = (*Handler)(nil)

// Store implements dimse.StoreHandler. The comments of its statuses carry
// no patient data.
func (h *Handler) Store(ctx context.Context, req *dimse.StoreRequest) error {
	mismatch := func(comment string) error {
		h.log.Warn("dicom dose report refused", "why", comment, "calling_ae", req.CallingAE, "sop_instance_uid", req.SOPInstanceUID)
		return &dimse.StatusError{Status: dimse.StatusStoreDataSetMismatch, Comment: comment}
	}
	if class := req.Dataset.String(tagSOPClassUID, dimse.CharsetDefault); class != req.SOPClassUID {
		return mismatch("SOP Class UID of the data set differs from the command's")
	}
	if uid := req.Dataset.String(tagSOPInstanceUID, dimse.CharsetDefault); uid != req.SOPInstanceUID {
		return mismatch("SOP Instance UID of the data set differs from the command's")
	}
	r, err := Parse(req.Dataset)
	switch {
	case errors.Is(err, ErrNotDoseReport):
		return mismatch("not a CT radiation dose report")
	case errors.Is(err, ErrIncomplete):
		return mismatch("CT dose report without study or dose")
	case err != nil:
		return err
	}
	attached, err := h.receiver.ReceiveReport(ctx, r, req.CallingAE)
	if err != nil {
		return err
	}
	if !attached {
		h.log.Warn("dicom dose report matches no act: kept unattached", "calling_ae", req.CallingAE, "sop_instance_uid", req.SOPInstanceUID)
	}
	for _, w := range r.Warnings {
		h.log.Info("dicom dose report tolerated", "sop_instance_uid", req.SOPInstanceUID, "what", w)
	}
	return nil
}
