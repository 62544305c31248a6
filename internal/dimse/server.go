package dimse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAETitle is the called AE title the server answers to unless
// configured otherwise.
const DefaultAETitle = "REPERE"

// DefaultAddr uses 11112, the port IANA registered for DICOM: unlike 104 it
// needs no privilege.
const DefaultAddr = ":11112"

// Server accepts DICOM associations and answers C-ECHO and, when Find is
// set, Modality Worklist C-FIND, and, when MPPS is set, Modality Performed
// Procedure Step N-CREATE and N-SET, and, when Store is set, C-STORE of
// radiation dose reports. The zero value serves C-ECHO on
// DefaultAddr as DefaultAETitle. Fields must not change once serving.
type Server struct {
	// Addr is the TCP address to listen on (ListenAndServe only).
	Addr string
	// AETitle is the called AE title peers must use.
	AETitle string
	// AllowedCallingAEs, when not empty, lists the only calling AE titles
	// accepted: the consoles of the practice.
	AllowedCallingAEs []string
	// Find answers Modality Worklist queries; nil refuses that SOP class.
	Find FindHandler
	// MPPS receives Modality Performed Procedure Steps; nil refuses that
	// SOP class.
	MPPS MPPSHandler
	// Store receives radiation dose reports (C-STORE of the SOP classes in
	// DoseReportSOPClasses); nil refuses them.
	Store StoreHandler
	// MaxAssociations bounds concurrent associations (default 32); further
	// requests are rejected as transient so the console retries.
	MaxAssociations int
	// MaxAssociationsPerAddress bounds the concurrent associations of one
	// client address (default 8), below MaxAssociations: a console that
	// leaves associations open idle locks out only itself, never another.
	MaxAssociationsPerAddress int
	// Limits and Timeouts default to DefaultLimits and DefaultTimeouts
	// field by field.
	Limits   Limits
	Timeouts Timeouts
	// ShutdownGrace is how long running operations may finish once the
	// serving context is cancelled (default 5s).
	ShutdownGrace time.Duration
	// Logger receives association events, never patient data; nil discards.
	Logger *slog.Logger

	nextID atomic.Uint64
	active atomic.Int64

	mu        sync.Mutex
	byAddress map[string]int // open associations per client address
}

// ListenAndServe listens on s.Addr and serves until ctx is cancelled.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dimse: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts associations on ln until ctx is cancelled, then stops
// accepting, lets running operations finish within ShutdownGrace, aborts
// what remains and returns nil. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.validate(); err != nil {
		ln.Close()
		return err
	}
	stopListening := context.AfterFunc(ctx, func() { ln.Close() })
	defer stopListening()
	// hard outlives ctx by the grace period: it ends operations in progress.
	hard, abortAll := context.WithCancel(context.WithoutCancel(ctx))
	defer abortAll()

	var wg sync.WaitGroup
	err := s.acceptLoop(ctx, ln, func(conn net.Conn) {
		wg.Go(func() { s.serveConn(ctx, hard, conn) })
	})
	ln.Close()
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(s.shutdownGrace()):
		s.logger().Warn("dicom shutdown grace elapsed, aborting associations", "active", s.active.Load())
		abortAll()
		<-drained
	}
	return err
}

func (s *Server) acceptLoop(ctx context.Context, ln net.Listener, serve func(net.Conn)) error {
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err == nil {
			backoff = 0
			serve(conn)
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() || isTemporary(err) {
			// Out of file descriptors and the like: wait instead of spinning.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger().Warn("dicom accept failed, retrying", "err", err, "in", backoff)
			select {
			case <-time.After(backoff):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		return fmt.Errorf("dimse: accept: %w", err)
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) validate() error {
	if ae := s.calledAE(); len(ae) > 16 {
		return fmt.Errorf("dimse: AE title %q longer than 16 characters", ae)
	}
	for _, ae := range s.AllowedCallingAEs {
		if len(ae) > 16 || ae == "" {
			return fmt.Errorf("dimse: invalid allowed calling AE title %q", ae)
		}
	}
	return nil
}

func (s *Server) calledAE() string {
	if s.AETitle == "" {
		return DefaultAETitle
	}
	return s.AETitle
}

func (s *Server) maxAssociations() int64 {
	if s.MaxAssociations <= 0 {
		return 32
	}
	return int64(s.MaxAssociations)
}

func (s *Server) maxPerAddress() int {
	if s.MaxAssociationsPerAddress <= 0 {
		return 8
	}
	return s.MaxAssociationsPerAddress
}

// admit counts a new association of host and says whether it is over a
// limit (and which); release must be called when it ends, admitted or not.
func (s *Server) admit(host string) (over string, release func()) {
	total := s.active.Add(1)
	s.mu.Lock()
	if s.byAddress == nil {
		s.byAddress = make(map[string]int)
	}
	s.byAddress[host]++
	mine := s.byAddress[host]
	s.mu.Unlock()
	release = func() {
		s.active.Add(-1)
		s.mu.Lock()
		if s.byAddress[host]--; s.byAddress[host] <= 0 {
			delete(s.byAddress, host)
		}
		s.mu.Unlock()
	}
	switch {
	case mine > s.maxPerAddress():
		over = "too many associations from this address"
	case total > s.maxAssociations():
		over = "too many associations"
	}
	return over, release
}

func hostOf(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

func (s *Server) shutdownGrace() time.Duration {
	if s.ShutdownGrace <= 0 {
		return 5 * time.Second
	}
	return s.ShutdownGrace
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Server) abstractSyntaxes() []string {
	syntaxes := []string{VerificationSOPClass}
	if s.Find != nil {
		syntaxes = append(syntaxes, WorklistFindSOPClass)
	}
	if s.MPPS != nil {
		syntaxes = append(syntaxes, ModalityPerformedProcedureStepSOPClass)
	}
	if s.Store != nil {
		syntaxes = append(syntaxes, DoseReportSOPClasses...)
	}
	return syntaxes
}

// serveConn runs one association. A panic in a handler ends only this
// association: one bad query must not take the worklist down for every room.
func (s *Server) serveConn(ctx, hard context.Context, conn net.Conn) {
	id := s.nextID.Add(1)
	log := s.logger().With("association", id, "remote", conn.RemoteAddr().String())
	overloaded, release := s.admit(hostOf(conn.RemoteAddr()))
	defer release()
	closeOnAbort := context.AfterFunc(hard, func() { conn.Close() })
	defer closeOnAbort()
	defer conn.Close()
	defer func() {
		if r := recover(); r != nil {
			log.Error("dicom association panicked", "panic", r)
		}
	}()
	a := &association{
		id:       id,
		server:   s,
		conn:     quickAck(conn),
		log:      log,
		limits:   s.Limits.withDefaults(),
		timeouts: s.Timeouts.withDefaults(),
	}
	a.serve(ctx, hard, overloaded)
}
