package dimse

import "time"

// Limits bound what a peer can make us read and hold. Every length read from
// the network is checked against them before any allocation.
type Limits struct {
	// MaxPDULength is the largest PDU body we accept. It is also the
	// Maximum Length we announce, so a conforming peer never exceeds it.
	MaxPDULength uint32
	// MaxMessageSize bounds a reassembled command or dataset. Worklist
	// queries are a few kilobytes.
	MaxMessageSize int
	// MaxElementLength bounds a single element value.
	MaxElementLength uint32
	// MaxDepth bounds sequence nesting.
	MaxDepth int
}

// DefaultLimits are generous for a worklist and small for a server.
var DefaultLimits = Limits{
	MaxPDULength:     64 << 10,
	MaxMessageSize:   1 << 20,
	MaxElementLength: 64 << 10,
	MaxDepth:         8,
}

// minPDULength is the smallest Maximum Length we announce for what we
// receive; a configuration asking for less gets this.
const minPDULength = 1024

// minPeerPDULength is the smallest Maximum Length a peer may announce and
// still be served: a PDV item header and one byte of data. PS3.8 sets no
// minimum, so anything that can carry data is accepted (512 included); a
// small maximum only means more PDUs.
const minPeerPDULength = pdvOverhead + 1

func (l Limits) withDefaults() Limits {
	if l.MaxPDULength == 0 {
		l.MaxPDULength = DefaultLimits.MaxPDULength
	}
	l.MaxPDULength = max(l.MaxPDULength, minPDULength)
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = DefaultLimits.MaxMessageSize
	}
	if l.MaxElementLength == 0 {
		l.MaxElementLength = DefaultLimits.MaxElementLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// Timeouts of an association (PS3.8 9.1.5 for ARTIM).
type Timeouts struct {
	// Association is ARTIM: how long we wait for the A-ASSOCIATE-RQ after
	// a connection opens, and for the peer to close after a release or a
	// rejection.
	Association time.Duration
	// Idle is how long an established association may stay silent.
	Idle time.Duration
	// Read bounds the reading of one PDU once its header has arrived, so a
	// peer cannot trickle bytes to hold a connection.
	Read time.Duration
	// Write bounds the sending of one PDU to a peer that stopped reading.
	Write time.Duration
}

// DefaultTimeouts suit a scanner console on the practice network.
var DefaultTimeouts = Timeouts{
	Association: 30 * time.Second,
	Idle:        5 * time.Minute,
	Read:        30 * time.Second,
	Write:       30 * time.Second,
}

func (t Timeouts) withDefaults() Timeouts {
	if t.Association <= 0 {
		t.Association = DefaultTimeouts.Association
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	if t.Read <= 0 {
		t.Read = DefaultTimeouts.Read
	}
	if t.Write <= 0 {
		t.Write = DefaultTimeouts.Write
	}
	return t
}
