package dimse

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// association is the server side of one connection.
type association struct {
	id       uint64
	server   *Server
	conn     net.Conn
	log      *slog.Logger
	limits   Limits
	timeouts Timeouts
	writer   *messageWriter

	callingAE string
	calledAE  string
	contexts  map[byte]*acceptedContext

	mu        sync.Mutex
	operation *operation // the C-FIND in progress, if any
	ending    bool       // the peer aborted or the connection failed
}

// operation lets the reading goroutine cancel the request being answered.
type operation struct {
	messageID uint16
	cancel    context.CancelFunc
	cancelled bool // by C-CANCEL, as opposed to the association ending
}

// event is what the reading goroutine hands to the serving one: a complete
// message, or a PDU that ends the association, or the error that ended it.
type event struct {
	msg *message
	pdu pduType
	err error
}

// protocolError is a violation of PS3.8 answered by an A-ABORT.
type protocolError struct {
	reason byte
	err    error
}

func (e *protocolError) Error() string { return e.err.Error() }
func (e *protocolError) Unwrap() error { return e.err }

// overloaded, when not empty, says which association limit this one is
// over: it is then rejected as transient, after its request is read.
func (a *association) serve(ctx, hard context.Context, overloaded string) {
	a.writer = &messageWriter{conn: a.conn, timeout: a.timeouts.Write}
	reader := &pduReader{r: bufio.NewReaderSize(a.conn, 32<<10), limit: a.limits.MaxPDULength}
	rq, err := a.receiveRequest(reader)
	if err != nil {
		a.log.Debug("dicom association request not received", "err", err)
		a.abortOnProtocolError(err)
		return
	}
	n := negotiation{
		calledAE:         a.server.calledAE(),
		allowedCallingAE: a.server.AllowedCallingAEs,
		abstractSyntaxes: a.server.abstractSyntaxes(),
		overloaded:       overloaded,
	}
	log := a.log.With("calling_ae", rq.callingAE, "called_ae", rq.calledAE)
	if rej := n.check(rq); rej != nil {
		log.Info("dicom association rejected", "reason", rej.why)
		if a.writer.writePDU(rej.pdu()) == nil {
			a.closeGracefully()
		}
		return
	}
	answers, usable := n.answer(rq)
	if len(usable) == 0 {
		log.Info("dicom association rejected", "reason", noContext.why)
		if a.writer.writePDU(noContext.pdu()) == nil {
			a.closeGracefully()
		}
		return
	}
	a.log, a.callingAE, a.calledAE, a.contexts = log, rq.callingAE, rq.calledAE, usable
	accept := &associate{calledAE: rq.calledAE, callingAE: rq.callingAE, contexts: answers, maxLength: a.limits.MaxPDULength}
	if err := a.writer.writePDU(accept.encode(true)); err != nil {
		return
	}
	a.writer.maxBody = rq.maxLength
	a.log.Info("dicom association accepted", "contexts", len(usable), "peer_implementation", rq.implVersion)
	a.run(ctx, hard, reader)
}

// receiveRequest reads the A-ASSOCIATE-RQ within the ARTIM timeout.
func (a *association) receiveRequest(reader *pduReader) (*associate, error) {
	if err := a.conn.SetReadDeadline(time.Now().Add(a.timeouts.Association)); err != nil {
		return nil, err
	}
	typ, body, err := reader.read()
	if err != nil {
		return nil, err
	}
	if typ != pduAssociateRQ {
		return nil, &protocolError{abortUnexpectedPDU, errors.New("expected A-ASSOCIATE-RQ, got " + typ.String())}
	}
	rq, err := decodeAssociate(body, false)
	if err != nil {
		return nil, &protocolError{abortInvalidParameter, err}
	}
	return rq, nil
}

// run serves requests until the association ends. The reading goroutine
// exists so that a C-CANCEL is seen while a C-FIND is being answered.
func (a *association) run(ctx, hard context.Context, reader *pduReader) {
	events := make(chan event)
	done := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		a.readLoop(reader, events, done)
	}()
	defer func() {
		close(done)
		a.conn.Close()
		<-readerDone
	}()
	for {
		select {
		case ev := <-events:
			if !a.handle(hard, ev) {
				return
			}
		case <-ctx.Done():
			a.log.Info("dicom association aborted: server stopping")
			a.sendAbort(abortSourceProvider, abortNotSpecified)
			return
		}
	}
}

// handle acts on one event and reports whether the association goes on.
func (a *association) handle(ctx context.Context, ev event) bool {
	switch {
	case ev.err != nil:
		a.endOnError(ev.err)
		return false
	case ev.pdu == pduReleaseRQ:
		if a.writer.writePDU(fourBytePDU(pduReleaseRP, 0, 0, 0)) == nil {
			a.closeGracefully()
		}
		a.log.Info("dicom association released")
		return false
	case ev.pdu == pduAbort:
		a.log.Info("dicom association aborted by peer")
		return false
	}
	if err := a.dispatch(ctx, ev.msg); err != nil {
		a.log.Warn("dicom association ended while answering", "err", err)
		return false
	}
	return true
}

func (a *association) endOnError(err error) {
	var netErr net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrUnexpectedEOF):
		a.log.Info("dicom connection closed by peer without release")
	case errors.As(err, &netErr) && netErr.Timeout():
		a.log.Info("dicom association idle timeout")
		a.sendAbort(abortSourceProvider, abortNotSpecified)
	default:
		a.log.Warn("dicom association aborted", "err", err)
		a.abortOnProtocolError(err)
	}
}

func (a *association) abortOnProtocolError(err error) {
	var pe *protocolError
	var tooLarge pduTooLargeError
	switch {
	case errors.As(err, &pe):
		a.sendAbort(abortSourceProvider, pe.reason)
	case errors.As(err, &tooLarge), errors.Is(err, ErrMalformed):
		a.sendAbort(abortSourceProvider, abortInvalidParameter)
	}
}

func (a *association) sendAbort(source, reason byte) {
	_ = a.writer.writePDU(fourBytePDU(pduAbort, 0, source, reason))
}

// closeGracefully lets the peer read what we sent and close first, as
// PS3.8 expects of the acceptor after a release or a rejection, within ARTIM.
func (a *association) closeGracefully() {
	if tcp, ok := a.conn.(interface{ CloseWrite() error }); ok {
		_ = tcp.CloseWrite()
	}
	_ = a.conn.SetReadDeadline(time.Now().Add(a.timeouts.Association))
	_, _ = io.Copy(io.Discard, io.LimitReader(a.conn, 64<<10))
}

// readLoop turns PDUs into events. It answers C-CANCEL itself, by cancelling
// the operation in progress, and stops after the event that ends the
// association.
func (a *association) readLoop(reader *pduReader, events chan<- event, done <-chan struct{}) {
	assembled := &assembler{limits: a.limits}
	for {
		evs := a.readPDU(reader, assembled)
		for _, ev := range evs {
			if ev.msg != nil && ev.msg.command.field == commandCCancelRQ {
				a.cancelOperation(ev.msg.command.respondedTo)
				continue
			}
			final := ev.msg == nil
			if final && ev.pdu != pduReleaseRQ {
				a.interrupt()
			}
			select {
			case events <- ev:
			case <-done:
				return
			}
			if final {
				return
			}
		}
	}
}

// readPDU reads one PDU and returns the events it produces: none for a
// fragment, one or more messages for a P-DATA-TF, one final event otherwise.
func (a *association) readPDU(reader *pduReader, assembled *assembler) []event {
	// The idle timeout runs between PDUs; once one has started, it must
	// arrive whole within the read timeout.
	_ = a.conn.SetReadDeadline(time.Now().Add(a.timeouts.Idle))
	typ, length, err := reader.header()
	if err != nil {
		return []event{{err: err}}
	}
	_ = a.conn.SetReadDeadline(time.Now().Add(a.timeouts.Read))
	body, err := reader.body(length)
	if err != nil {
		return []event{{err: err}}
	}
	switch typ {
	case pduData:
		return a.messages(body, assembled)
	case pduReleaseRQ, pduAbort:
		return []event{{pdu: typ}}
	case pduAssociateRQ, pduAssociateAC, pduAssociateRJ, pduReleaseRP:
		return []event{{err: &protocolError{abortUnexpectedPDU, errors.New("unexpected " + typ.String())}}}
	}
	return []event{{err: &protocolError{abortUnrecognizedPDU, errors.New("unrecognized " + typ.String())}}}
}

func (a *association) messages(body []byte, assembled *assembler) []event {
	var evs []event
	err := eachPDV(body, func(v pdv) error {
		if _, ok := a.contexts[v.contextID]; !ok {
			return malformed("PDV on presentation context %d, not accepted", v.contextID)
		}
		msg, err := assembled.add(v)
		if msg != nil {
			evs = append(evs, event{msg: msg})
		}
		return err
	})
	if err != nil {
		evs = append(evs, event{err: &protocolError{abortInvalidParameter, err}})
	}
	return evs
}

// startOperation registers the request being answered and returns its
// context, already cancelled if the association is ending.
func (a *association) startOperation(ctx context.Context, messageID uint16) (context.Context, *operation) {
	opCtx, cancel := context.WithCancel(ctx)
	op := &operation{messageID: messageID, cancel: cancel}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.operation = op
	if a.ending {
		cancel()
	}
	return opCtx, op
}

func (a *association) endOperation(op *operation) {
	op.cancel()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.operation = nil
}

// wasCancelled reports whether op was stopped by a C-CANCEL.
func (a *association) wasCancelled(op *operation) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return op.cancelled && !a.ending
}

func (a *association) cancelOperation(messageID uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// A C-CANCEL for a request already answered is simply ignored.
	if op := a.operation; op != nil && op.messageID == messageID {
		op.cancelled = true
		op.cancel()
	}
}

func (a *association) interrupt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ending = true
	if a.operation != nil {
		a.operation.cancel()
	}
}
