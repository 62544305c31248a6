package dimse

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
)

// NRequest is an N-CREATE or N-SET request as the handler sees it.
type NRequest struct {
	// AssociationID is the association's number in the server's log.
	AssociationID uint64
	CallingAE     string
	CalledAE      string
	SOPClassUID   string
	// SOPInstanceUID names the instance: the Affected SOP Instance UID of
	// an N-CREATE (generated here when the SCU leaves it out, as PS3.7
	// 10.1.5.1 allows), the Requested SOP Instance UID of an N-SET.
	SOPInstanceUID string
	// Attributes is the N-CREATE Attribute List or the N-SET Modification
	// List, never nil.
	Attributes *Dataset
	// Charset is the dataset's Specific Character Set.
	Charset Charset
}

// MPPSHandler receives Modality Performed Procedure Step requests (PS3.4
// F.7). As for FindHandler, the error sets the status: nil is Success, a
// *StatusError carries its own, anything else is Processing failure
// (0110H) and its text goes to the log only.
type MPPSHandler interface {
	NCreate(ctx context.Context, req *NRequest) error
	NSet(ctx context.Context, req *NRequest) error
}

// normalized answers an N-CREATE or N-SET on the MPPS context. A panic in
// the handler ends the association (serveConn), never the server.
func (a *association) normalized(ctx context.Context, pc *acceptedContext, msg *message) error {
	cmd := msg.command
	create := cmd.field == commandNCreateRQ
	name := "n-set"
	if create {
		name = "n-create"
	}
	req, failure := a.normalizedRequest(pc, msg, create)
	var err error
	if failure == nil {
		if create {
			err = a.server.MPPS.NCreate(ctx, req)
		} else {
			err = a.server.MPPS.NSet(ctx, req)
		}
		failure = a.statusOf(name, err)
	}
	rsp := cmd.response(StatusSuccess)
	if req != nil {
		rsp.sopInstanceUID = req.SOPInstanceUID
	}
	if failure != nil {
		rsp.status, rsp.errorComment, rsp.offending, rsp.errorID =
			failure.Status, failure.Comment, failure.Offending, failure.ErrorID
	}
	a.log.Info("dicom "+name, "status", fmt.Sprintf("0x%04X", rsp.status), "sop_instance_uid", rsp.sopInstanceUID)
	return a.respond(msg, rsp)
}

func (a *association) normalizedRequest(pc *acceptedContext, msg *message, create bool) (*NRequest, *StatusError) {
	cmd := msg.command
	uid := cmd.sopInstanceUID
	switch {
	case uid == "" && create:
		uid = newUID()
	case uid == "":
		return nil, &StatusError{Status: StatusNoSuchSOPInstance, Comment: "N-SET without Requested SOP Instance UID"}
	}
	if msg.data == nil {
		if create {
			return nil, &StatusError{Status: StatusMissingAttribute, Comment: "N-CREATE without attribute list"}
		}
		return nil, &StatusError{Status: StatusProcessingFailure, Comment: "N-SET without modification list"}
	}
	attributes, err := DecodeDataset(msg.data, pc.transferSyntax, a.limits)
	if err != nil {
		return nil, &StatusError{Status: StatusProcessingFailure, Comment: "malformed dataset"}
	}
	charset, ok := ParseCharset(attributes.String(TagSpecificCharacterSet, CharsetDefault))
	if !ok {
		a.log.Warn("dicom mpps with an unsupported character set, read as ASCII",
			"specific_character_set", attributes.String(TagSpecificCharacterSet, CharsetDefault))
	}
	return &NRequest{
		AssociationID:  a.id,
		CallingAE:      a.callingAE,
		CalledAE:       a.calledAE,
		SOPClassUID:    cmd.sopClassUID,
		SOPInstanceUID: uid,
		Attributes:     attributes,
		Charset:        charset,
	}, nil
}

// statusOf turns a handler's error into the failure it reports, or nil.
func (a *association) statusOf(name string, err error) *StatusError {
	var statusErr *StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &statusErr):
		return statusErr
	}
	a.log.Error("dicom "+name+" handler failed", "err", err)
	return &StatusError{Status: StatusProcessingFailure, Comment: "processing failure"}
}

// newUID returns a UID derived from a random UUID (PS3.5 B.2).
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // never fails (crypto/rand)
	b[6] = b[6]&0x0F | 0x40 // version 4
	b[8] = b[8]&0x3F | 0x80 // variant RFC 4122
	return "2.25." + new(big.Int).SetBytes(b[:]).String()
}
