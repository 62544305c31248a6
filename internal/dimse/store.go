package dimse

import (
	"context"
	"errors"
	"fmt"
)

// Storage SOP classes of radiation dose reports (PS3.4 B.5). A CT console
// sends its dose report as X-Ray Radiation Dose SR; some send Enhanced or
// Comprehensive SR with the same content tree (TID 10011).
const (
	XRayRadiationDoseSRStorage         = "1.2.840.10008.5.1.4.1.1.88.67"
	EnhancedXRayRadiationDoseSRStorage = "1.2.840.10008.5.1.4.1.1.88.76"
	EnhancedSRStorage                  = "1.2.840.10008.5.1.4.1.1.88.22"
	ComprehensiveSRStorage             = "1.2.840.10008.5.1.4.1.1.88.33"
)

// DoseReportSOPClasses are the storage SOP classes a StoreHandler accepts.
var DoseReportSOPClasses = []string{XRayRadiationDoseSRStorage, EnhancedXRayRadiationDoseSRStorage,
	EnhancedSRStorage, ComprehensiveSRStorage}

// C-STORE failure statuses (PS3.4 B.2.3).
const (
	// StatusStoreDataSetMismatch is "Data Set does not match SOP Class"
	// (A900H): e.g. an SR that is not a dose report.
	StatusStoreDataSetMismatch uint16 = 0xA900
	// StatusStoreCannotUnderstand is "Cannot understand" (C000H): a dataset
	// that cannot be decoded, such as a truncated one.
	StatusStoreCannotUnderstand uint16 = 0xC000
	// StatusStoreOutOfResources is "Refused: Out of Resources" (A700H).
	StatusStoreOutOfResources uint16 = 0xA700
)

// StoreRequest is a C-STORE request as the handler sees it.
type StoreRequest struct {
	AssociationID  uint64
	CallingAE      string
	CalledAE       string
	SOPClassUID    string
	SOPInstanceUID string
	// Dataset is the object sent, decoded; never nil.
	Dataset *Dataset
	Charset Charset
}

// StoreHandler receives C-STORE requests. As for the other handlers, the
// error sets the status: nil is Success, a *StatusError carries its own,
// anything else is Out of Resources (A700H) and its text goes to the log.
// A handler that fails must have stored nothing.
type StoreHandler interface {
	Store(ctx context.Context, req *StoreRequest) error
}

// store answers a C-STORE on a storage context.
func (a *association) store(ctx context.Context, pc *acceptedContext, msg *message) error {
	cmd := msg.command
	var failure *StatusError
	switch {
	case msg.data == nil:
		failure = &StatusError{Status: StatusStoreCannotUnderstand, Comment: "C-STORE without data set"}
	case cmd.sopInstanceUID == "":
		failure = &StatusError{Status: StatusStoreCannotUnderstand, Comment: "C-STORE without Affected SOP Instance UID"}
	}
	var ds *Dataset
	if failure == nil {
		var err error
		if ds, err = DecodeDataset(msg.data, pc.transferSyntax, a.limits); err != nil {
			a.log.Warn("dicom c-store dataset not decoded", "err", err)
			failure = &StatusError{Status: StatusStoreCannotUnderstand, Comment: "malformed or truncated data set"}
		}
	}
	if failure == nil {
		charset, _ := ParseCharset(ds.String(TagSpecificCharacterSet, CharsetDefault))
		req := &StoreRequest{AssociationID: a.id, CallingAE: a.callingAE, CalledAE: a.calledAE,
			SOPClassUID: cmd.sopClassUID, SOPInstanceUID: cmd.sopInstanceUID, Dataset: ds, Charset: charset}
		if err := a.server.Store.Store(ctx, req); err != nil {
			failure = a.storeStatusOf(err)
		}
	}
	rsp := cmd.response(StatusSuccess)
	if failure != nil {
		rsp.status, rsp.errorComment, rsp.offending = failure.Status, failure.Comment, failure.Offending
	}
	a.log.Info("dicom c-store", "status", fmt.Sprintf("0x%04X", rsp.status), "sop_instance_uid", cmd.sopInstanceUID)
	return a.respond(msg, rsp)
}

func (a *association) storeStatusOf(err error) *StatusError {
	var se *StatusError
	if errors.As(err, &se) {
		return se
	}
	a.log.Error("dicom c-store handler failed", "err", err)
	return &StatusError{Status: StatusStoreOutOfResources, Comment: "processing failure"}
}

// IsStoreSuccess reports whether a C-STORE status stored the object:
// Success and the B000H-B007H warnings (coercion, elements discarded).
func IsStoreSuccess(status uint16) bool {
	return status == StatusSuccess || status&0xF000 == 0xB000
}
