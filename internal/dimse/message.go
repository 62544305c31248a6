package dimse

import (
	"net"
	"sync"
	"time"
)

// message is a DIMSE message: a command and, when the command says so, an
// encoded dataset, both on one presentation context.
type message struct {
	contextID byte
	command   *command
	data      []byte
}

// assembler rebuilds messages from the PDV fragments of P-DATA-TF PDUs
// (PS3.8 9.3.5.1, PS3.7 6.3.1): command fragments, then dataset fragments.
type assembler struct {
	limits    Limits
	contextID byte
	started   bool
	command   *command
	buf       []byte
}

// add consumes one PDV and returns the message it completes, if any. The
// fragments are copied: the PDU buffer is reused.
func (as *assembler) add(v pdv) (*message, error) {
	if as.started && v.contextID != as.contextID {
		return nil, malformed("PDV on context %d inside a message on context %d", v.contextID, as.contextID)
	}
	if v.command != (as.command == nil) {
		return nil, malformed("PDV of the wrong kind (command=%v)", v.command)
	}
	if len(as.buf)+len(v.data) > as.limits.MaxMessageSize {
		return nil, malformed("message larger than %d bytes", as.limits.MaxMessageSize)
	}
	as.started, as.contextID = true, v.contextID
	as.buf = append(as.buf, v.data...)
	if !v.last {
		return nil, nil
	}
	if as.command == nil {
		cmd, err := decodeCommand(as.buf, as.limits)
		if err != nil {
			return nil, err
		}
		as.buf = nil
		if cmd.hasDataset {
			as.command = cmd
			return nil, nil
		}
		as.started = false
		return &message{contextID: v.contextID, command: cmd}, nil
	}
	msg := &message{contextID: v.contextID, command: as.command, data: as.buf}
	as.command, as.buf, as.started = nil, nil, false
	return msg, nil
}

// messageWriter sends messages as P-DATA-TF PDUs no longer than the peer
// accepts. It is safe for concurrent use: a client sends C-CANCEL while its
// Find is reading responses, and the flush timer runs on its own.
//
// C-FIND responses are queued rather than written one by one: thousands of
// small writes cost more than the matching itself. The queue is written
// when it grows past flushThreshold, when the operation ends, or flushDelay
// after its first message, so a slow handler's matches still reach the
// console (and its C-CANCEL can follow) without waiting.
type messageWriter struct {
	mu      sync.Mutex
	conn    net.Conn
	timeout time.Duration
	maxBody uint32 // the peer's Maximum Length; 0 means no limit
	queued  []byte
	timer   *time.Timer
	err     error // a failed write: every later call fails
}

// largestPDU caps our PDUs when the peer sets no limit.
const largestPDU = 256 << 10

// pdvOverhead is the PDV item length field plus its two header bytes.
const pdvOverhead = 6

const (
	flushThreshold = 64 << 10
	flushDelay     = 2 * time.Millisecond
)

// writeMessage sends a message now, with anything queued before it.
func (mw *messageWriter) writeMessage(contextID byte, cmd *command, data []byte) error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	mw.queued = mw.appendMessage(mw.queued, contextID, cmd, data)
	return mw.flushLocked()
}

// queueMessage sends a message soon; see messageWriter.
func (mw *messageWriter) queueMessage(contextID byte, cmd *command, data []byte) error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	if mw.err != nil {
		return mw.err
	}
	mw.queued = mw.appendMessage(mw.queued, contextID, cmd, data)
	if len(mw.queued) >= flushThreshold {
		return mw.flushLocked()
	}
	if mw.timer == nil {
		mw.timer = time.AfterFunc(flushDelay, mw.flush)
	} else {
		mw.timer.Reset(flushDelay)
	}
	return nil
}

func (mw *messageWriter) flush() {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	_ = mw.flushLocked()
}

func (mw *messageWriter) flushLocked() error {
	if mw.timer != nil {
		mw.timer.Stop()
	}
	if mw.err != nil || len(mw.queued) == 0 {
		return mw.err
	}
	mw.err = mw.write(mw.queued)
	mw.queued = mw.queued[:0]
	return mw.err
}

// appendMessage encodes a message as P-DATA-TF PDUs: command and dataset in
// as few PDUs as the peer's maximum allows, for a small worklist answer one.
func (mw *messageWriter) appendMessage(b []byte, contextID byte, cmd *command, data []byte) []byte {
	maxBody := int(mw.maxBody)
	if maxBody == 0 || maxBody > largestPDU {
		maxBody = largestPDU
	}
	pduStart := len(b)
	b = appendPDUHeader(b, pduData)
	for _, part := range []struct {
		command bool
		bytes   []byte
	}{{true, cmd.encode()}, {false, data}} {
		if !part.command && !cmd.hasDataset {
			break
		}
		rest := part.bytes
		for first := true; first || len(rest) > 0; first = false {
			// A PDU holds at least one PDV: a new one starts only after data.
			used := len(b) - pduStart - pduHeaderLength
			room := maxBody - used - pdvOverhead
			if used > 0 && (room < min(len(rest), 64) || room <= 0) {
				finishPDU(b, pduStart)
				pduStart = len(b)
				b = appendPDUHeader(b, pduData)
				room = maxBody - pdvOverhead
			}
			n := min(room, len(rest))
			b = appendPDV(b, pdv{contextID: contextID, command: part.command, last: n == len(rest), data: rest[:n]})
			rest = rest[n:]
		}
	}
	finishPDU(b, pduStart)
	return b
}

// writePDU sends an already encoded PDU, after anything queued.
func (mw *messageWriter) writePDU(pdu []byte) error {
	mw.mu.Lock()
	defer mw.mu.Unlock()
	mw.queued = append(mw.queued, pdu...)
	return mw.flushLocked()
}

func (mw *messageWriter) write(b []byte) error {
	if err := mw.conn.SetWriteDeadline(time.Now().Add(mw.timeout)); err != nil {
		return err
	}
	_, err := mw.conn.Write(b)
	return err
}
