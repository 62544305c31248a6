package dimse

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// ClientOptions configure an association we request.
type ClientOptions struct {
	// CallingAE is our AE title (default "REPERE-SCU").
	CallingAE string
	// CalledAE is the peer's AE title (default DefaultAETitle).
	CalledAE string
	// AbstractSyntaxes to propose (default Verification and Worklist FIND).
	AbstractSyntaxes []string
	// TransferSyntaxes to propose for each (default Explicit then Implicit
	// VR Little Endian).
	TransferSyntaxes []string
	Limits           Limits
	Timeouts         Timeouts
}

// Client is an association we requested. It runs one operation at a time.
type Client struct {
	conn      net.Conn
	reader    *pduReader
	writer    *messageWriter
	assembled *assembler
	pending   []*message
	contexts  map[string]*acceptedContext // by abstract syntax
	limits    Limits
	timeouts  Timeouts
	messageID uint16
}

// RejectedError is an A-ASSOCIATE-RJ from the peer.
type RejectedError struct {
	Result, Source, Reason byte
}

func (e *RejectedError) Error() string {
	kind := "permanently"
	if e.Result == rejectTransient {
		kind = "transiently"
	}
	return fmt.Sprintf("dimse: association %s rejected: %s", kind, e.reasonText())
}

func (e *RejectedError) reasonText() string {
	switch {
	case e.Source == rejectSourceUser && e.Reason == rejectCalledAENotRecognized:
		return "called AE title not recognized"
	case e.Source == rejectSourceUser && e.Reason == rejectCallingAENotRecognized:
		return "calling AE title not recognized"
	case e.Source == rejectSourceUser && e.Reason == rejectAppContextNotSupported:
		return "application context not supported"
	case e.Source == rejectSourceACSE && e.Reason == rejectProtocolVersion:
		return "protocol version not supported"
	case e.Source == rejectSourceProvider && e.Reason == rejectLocalLimitExceeded:
		return "local limit exceeded"
	case e.Source == rejectSourceProvider && e.Reason == 1:
		return "temporary congestion"
	}
	return fmt.Sprintf("source %d, reason %d", e.Source, e.Reason)
}

// ErrAborted is returned when the peer aborts the association.
var ErrAborted = errors.New("dimse: association aborted by peer")

// Echo opens an association, sends a C-ECHO and releases: the check behind
// `repere dicom-echo`.
func Echo(ctx context.Context, addr, callingAE, calledAE string) error {
	c, err := Connect(ctx, addr, ClientOptions{
		CallingAE: callingAE, CalledAE: calledAE,
		AbstractSyntaxes: []string{VerificationSOPClass},
	})
	if err != nil {
		return err
	}
	if err := c.Echo(ctx); err != nil {
		c.Abort()
		return err
	}
	return c.Release(ctx)
}

// Connect opens a connection and negotiates an association.
func Connect(ctx context.Context, addr string, opts ClientOptions) (*Client, error) {
	opts = opts.withDefaults()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dimse: connect: %w", err)
	}
	c := &Client{
		conn:      conn,
		reader:    &pduReader{r: bufio.NewReaderSize(conn, 64<<10), limit: opts.Limits.MaxPDULength},
		writer:    &messageWriter{conn: conn, timeout: opts.Timeouts.Write},
		assembled: &assembler{limits: opts.Limits},
		limits:    opts.Limits,
		timeouts:  opts.Timeouts,
	}
	if err := c.associate(ctx, opts); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.CallingAE == "" {
		o.CallingAE = "REPERE-SCU"
	}
	if o.CalledAE == "" {
		o.CalledAE = DefaultAETitle
	}
	if len(o.AbstractSyntaxes) == 0 {
		o.AbstractSyntaxes = []string{VerificationSOPClass, WorklistFindSOPClass}
	}
	if len(o.TransferSyntaxes) == 0 {
		o.TransferSyntaxes = transferSyntaxPreference
	}
	o.Limits = o.Limits.withDefaults()
	o.Timeouts = o.Timeouts.withDefaults()
	return o
}

func (c *Client) associate(ctx context.Context, opts ClientOptions) error {
	rq := &associate{calledAE: opts.CalledAE, callingAE: opts.CallingAE, maxLength: c.limits.MaxPDULength}
	for i, syntax := range opts.AbstractSyntaxes {
		rq.contexts = append(rq.contexts, presentationContext{
			id: byte(2*i + 1), abstractSyntax: syntax, transferSyntaxes: opts.TransferSyntaxes,
		})
	}
	if err := c.writer.writePDU(rq.encode(false)); err != nil {
		return err
	}
	typ, body, err := c.readPDU(ctx, c.timeouts.Association)
	if err != nil {
		return err
	}
	switch typ {
	case pduAssociateAC:
	case pduAssociateRJ:
		if len(body) < 4 {
			return malformed("short A-ASSOCIATE-RJ")
		}
		return &RejectedError{Result: body[1], Source: body[2], Reason: body[3]}
	case pduAbort:
		return ErrAborted
	default:
		return fmt.Errorf("dimse: unexpected %s during association", typ)
	}
	ac, err := decodeAssociate(body, true)
	if err != nil {
		return err
	}
	c.writer.maxBody = ac.maxLength
	c.contexts = make(map[string]*acceptedContext)
	for _, pc := range ac.contexts {
		if pc.result != contextAccepted || len(pc.transferSyntaxes) == 0 || int(pc.id/2) >= len(opts.AbstractSyntaxes) {
			continue
		}
		syntax := opts.AbstractSyntaxes[pc.id/2]
		c.contexts[syntax] = &acceptedContext{id: pc.id, abstractSyntax: syntax, transferSyntax: pc.transferSyntaxes[0]}
	}
	return nil
}

// readPDU reads one PDU, giving up after timeout or when ctx ends.
func (c *Client) readPDU(ctx context.Context, timeout time.Duration) (pduType, []byte, error) {
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		return 0, nil, err
	}
	return c.reader.read()
}

// readMessage reads PDUs until a message is complete.
func (c *Client) readMessage(ctx context.Context) (*message, error) {
	for len(c.pending) == 0 {
		typ, body, err := c.readPDU(ctx, c.timeouts.Idle)
		if err != nil {
			return nil, err
		}
		switch typ {
		case pduData:
		case pduAbort:
			return nil, ErrAborted
		default:
			return nil, fmt.Errorf("dimse: unexpected %s", typ)
		}
		err = eachPDV(body, func(v pdv) error {
			msg, err := c.assembled.add(v)
			if msg != nil {
				c.pending = append(c.pending, msg)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	msg := c.pending[0]
	c.pending = c.pending[1:]
	return msg, nil
}

func (c *Client) context(abstractSyntax string) (*acceptedContext, error) {
	pc := c.contexts[abstractSyntax]
	if pc == nil {
		return nil, fmt.Errorf("dimse: peer accepted no presentation context for %s", abstractSyntax)
	}
	return pc, nil
}

func (c *Client) nextMessageID() uint16 {
	c.messageID++
	return c.messageID
}

// Echo sends a C-ECHO and checks its status.
func (c *Client) Echo(ctx context.Context) error {
	pc, err := c.context(VerificationSOPClass)
	if err != nil {
		return err
	}
	rq := &command{field: commandCEchoRQ, messageID: c.nextMessageID(), sopClassUID: VerificationSOPClass}
	if err := c.writer.writeMessage(pc.id, rq, nil); err != nil {
		return err
	}
	rsp, err := c.readMessage(ctx)
	if err != nil {
		return err
	}
	if rsp.command.field != commandCEchoRQ|responseBit || rsp.command.status != StatusSuccess {
		return &StatusError{Status: rsp.command.status, Comment: rsp.command.errorComment}
	}
	return nil
}

// Release ends the association politely.
func (c *Client) Release(ctx context.Context) error {
	defer c.conn.Close()
	if err := c.writer.writePDU(fourBytePDU(pduReleaseRQ, 0, 0, 0)); err != nil {
		return err
	}
	for {
		typ, _, err := c.readPDU(ctx, c.timeouts.Association)
		if err != nil {
			return err
		}
		switch typ {
		case pduReleaseRP:
			return nil
		case pduAbort:
			return ErrAborted
		}
	}
}

// Abort ends the association at once.
func (c *Client) Abort() {
	_ = c.writer.writePDU(fourBytePDU(pduAbort, 0, abortSourceUser, abortNotSpecified))
	c.conn.Close()
}
