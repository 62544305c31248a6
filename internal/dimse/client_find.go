package dimse

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrCancelled is returned by Find when the peer confirmed a C-CANCEL that
// ctx's cancellation caused.
var ErrCancelled = errors.New("dimse: C-FIND cancelled")

// Find sends a C-FIND with identifier and calls each for every match, in
// order. If each returns an error, or ctx is cancelled, Find sends a
// C-CANCEL, reads the responses up to the final one and returns that error
// (ErrCancelled for ctx). A failure status is returned as *StatusError.
func (c *Client) Find(ctx context.Context, sopClassUID string, identifier *Dataset, each func(*Dataset) error) error {
	pc, err := c.context(sopClassUID)
	if err != nil {
		return err
	}
	data, err := EncodeDataset(identifier, pc.transferSyntax)
	if err != nil {
		return err
	}
	rq := &command{field: commandCFindRQ, messageID: c.nextMessageID(), sopClassUID: sopClassUID, hasDataset: true}
	if err := c.writer.writeMessage(pc.id, rq, data); err != nil {
		return err
	}
	canceller := &findCanceller{client: c, contextID: pc.id, request: rq}
	stop := context.AfterFunc(ctx, func() { canceller.cancel(ErrCancelled) })
	defer stop()
	for {
		msg, err := c.readMessage(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		rsp := msg.command
		if rsp.field != commandCFindRQ|responseBit || rsp.respondedTo != rq.messageID {
			return fmt.Errorf("dimse: unexpected %s during C-FIND", rsp)
		}
		if !IsPending(rsp.status) {
			return canceller.outcome(rsp)
		}
		if canceller.done() {
			continue // matches still in flight after our C-CANCEL
		}
		match, err := DecodeDataset(msg.data, pc.transferSyntax, c.limits)
		if err == nil {
			err = each(match)
		}
		if err != nil {
			canceller.cancel(err)
		}
	}
}

// findCanceller sends at most one C-CANCEL for a C-FIND and remembers why.
type findCanceller struct {
	client    *Client
	contextID byte
	request   *command

	mu     sync.Mutex
	reason error
}

func (fc *findCanceller) cancel(reason error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.reason != nil {
		return
	}
	fc.reason = reason
	cancel := &command{field: commandCCancelRQ, respondedTo: fc.request.messageID}
	// A failed write surfaces as the read error of Find's loop.
	_ = fc.client.writer.writeMessage(fc.contextID, cancel, nil)
}

func (fc *findCanceller) done() bool {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.reason != nil
}

func (fc *findCanceller) outcome(rsp *command) error {
	fc.mu.Lock()
	reason := fc.reason
	fc.mu.Unlock()
	switch {
	case rsp.status == StatusSuccess || rsp.status == StatusCancel:
		return reason
	case reason != nil:
		return reason
	}
	return &StatusError{Status: rsp.status, Comment: rsp.errorComment}
}
