package dimse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// FindRequest is a C-FIND request as the handler sees it.
type FindRequest struct {
	// AssociationID is the association's number in the server's log: a
	// handler can say something once per association.
	AssociationID uint64
	// CallingAE identifies the console: a worklist filters by it when the
	// query names no station.
	CallingAE   string
	CalledAE    string
	SOPClassUID string
	Priority    uint16
	// Identifier is the query: matching keys with values, return keys empty.
	Identifier *Dataset
	// Charset is the query's Specific Character Set, for decoding its text.
	Charset Charset
}

// SendFunc returns one match to the peer as a pending response. status is
// StatusPending, or StatusPendingWarning when optional keys were not
// supported. It fails once the request is cancelled by C-CANCEL or the
// association ends, and the handler should then return promptly.
type SendFunc func(identifier *Dataset, status uint16) error

// FindHandler answers C-FIND requests. The error it returns sets the final
// status: nil is Success, a *StatusError carries its own status, anything
// else is reported as Unable to Process (its text goes to the log, not to
// the peer).
type FindHandler interface {
	Find(ctx context.Context, req *FindRequest, send SendFunc) error
}

// FindHandlerFunc adapts a function to FindHandler.
type FindHandlerFunc func(ctx context.Context, req *FindRequest, send SendFunc) error

// Find calls f.
func (f FindHandlerFunc) Find(ctx context.Context, req *FindRequest, send SendFunc) error {
	return f(ctx, req, send)
}

// StatusError is a failure status with its comment (sent to the peer: no
// patient data) and the offending elements.
type StatusError struct {
	Status    uint16
	Comment   string
	Offending []Tag
	// ErrorID is the Error ID (0000,0903) some services define, 0 if none.
	ErrorID uint16
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("dimse status 0x%04X: %s", e.Status, e.Comment)
}

// dispatch answers one request.
func (a *association) dispatch(ctx context.Context, msg *message) error {
	cmd := msg.command
	if !cmd.isRequest() {
		a.log.Warn("dicom response received by the server, ignored", "command", cmd.String())
		return nil
	}
	pc := a.contexts[msg.contextID]
	if cmd.sopClassUID != pc.abstractSyntax {
		return a.respond(msg, cmd.response(StatusSOPClassNotSupported))
	}
	switch {
	case cmd.field == commandCEchoRQ && pc.abstractSyntax == VerificationSOPClass:
		a.log.Debug("dicom c-echo")
		return a.respond(msg, cmd.response(StatusSuccess))
	case cmd.field == commandCFindRQ && pc.abstractSyntax == WorklistFindSOPClass:
		return a.find(ctx, pc, msg)
	case (cmd.field == commandNCreateRQ || cmd.field == commandNSetRQ) &&
		pc.abstractSyntax == ModalityPerformedProcedureStepSOPClass:
		return a.normalized(ctx, pc, msg)
	case cmd.field == commandCStoreRQ && a.server.Store != nil && slices.Contains(DoseReportSOPClasses, pc.abstractSyntax):
		return a.store(ctx, pc, msg)
	}
	// Includes C-STORE of other objects, C-MOVE, N-GET and operations on the wrong SOP class.
	a.log.Warn("dicom operation not supported", "command", cmd.String())
	return a.respond(msg, cmd.response(StatusUnrecognizedOperation))
}

func (a *association) respond(msg *message, rsp *command) error {
	return a.writer.writeMessage(msg.contextID, rsp, nil)
}

// find answers a C-FIND: pending responses as the handler sends matches,
// then one final status.
func (a *association) find(ctx context.Context, pc *acceptedContext, msg *message) error {
	started := time.Now()
	cmd := msg.command
	req, failure := a.findRequest(pc, msg)
	if failure != nil {
		a.log.Warn("dicom c-find refused", "status", fmt.Sprintf("0x%04X", failure.Status), "why", failure.Comment)
		return a.respond(msg, failureResponse(cmd, failure))
	}
	opCtx, op := a.startOperation(ctx, cmd.messageID)
	defer a.endOperation(op)
	matches := 0
	var writeErr error
	send := func(identifier *Dataset, status uint16) error {
		if err := opCtx.Err(); err != nil {
			return err
		}
		if !IsPending(status) {
			return fmt.Errorf("dimse: send with non-pending status 0x%04X", status)
		}
		data, err := EncodeDataset(identifier, pc.transferSyntax)
		if err != nil {
			return err
		}
		rsp := cmd.response(status)
		rsp.hasDataset = true
		if writeErr = a.writer.queueMessage(msg.contextID, rsp, data); writeErr != nil {
			op.cancel()
			return writeErr
		}
		matches++
		return nil
	}
	handlerErr := a.server.Find.Find(opCtx, req, send)
	if writeErr != nil {
		return writeErr
	}
	final := a.finalResponse(cmd, op, handlerErr)
	if final == nil {
		return errors.New("association ended during c-find")
	}
	a.log.Info("dicom c-find", "matches", matches, "status", fmt.Sprintf("0x%04X", final.status),
		"duration", time.Since(started).Round(time.Microsecond))
	return a.respond(msg, final)
}

func (a *association) findRequest(pc *acceptedContext, msg *message) (*FindRequest, *StatusError) {
	if msg.data == nil {
		return nil, &StatusError{Status: StatusIdentifierDoesNotMatch, Comment: "C-FIND without identifier"}
	}
	identifier, err := DecodeDataset(msg.data, pc.transferSyntax, a.limits)
	if err != nil {
		return nil, &StatusError{Status: StatusUnableToProcess, Comment: "malformed identifier"}
	}
	charset, ok := ParseCharset(identifier.String(TagSpecificCharacterSet, CharsetDefault))
	if !ok {
		// Most queries carry no text to match: serve them, reading the
		// query as ASCII, rather than leave the console without a list.
		a.log.Warn("dicom c-find with an unsupported character set, read as ASCII",
			"specific_character_set", identifier.String(TagSpecificCharacterSet, CharsetDefault))
	}
	return &FindRequest{
		AssociationID: a.id,
		CallingAE:     a.callingAE,
		CalledAE:      a.calledAE,
		SOPClassUID:   msg.command.sopClassUID,
		Priority:      msg.command.priority,
		Identifier:    identifier,
		Charset:       charset,
	}, nil
}

// finalResponse picks the status that ends a C-FIND, or nil when the
// association is ending and nothing can be sent.
func (a *association) finalResponse(cmd *command, op *operation, handlerErr error) *command {
	if a.wasCancelled(op) {
		return cmd.response(StatusCancel)
	}
	a.mu.Lock()
	ending := a.ending
	a.mu.Unlock()
	if ending {
		return nil
	}
	var statusErr *StatusError
	switch {
	case handlerErr == nil:
		return cmd.response(StatusSuccess)
	case errors.As(handlerErr, &statusErr):
		return failureResponse(cmd, statusErr)
	}
	a.log.Error("dicom c-find handler failed", "err", handlerErr)
	return failureResponse(cmd, &StatusError{Status: StatusUnableToProcess, Comment: "unable to process"})
}

func failureResponse(cmd *command, failure *StatusError) *command {
	rsp := cmd.response(failure.Status)
	rsp.errorComment = failure.Comment
	rsp.offending = failure.Offending
	rsp.errorID = failure.ErrorID
	return rsp
}
