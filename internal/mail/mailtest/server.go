// Package mailtest runs a real SMTP server inside a test, on 127.0.0.1 with
// a free port, and parses what it receives so the test can read the mail a
// patient would read. It speaks EHLO/HELO, STARTTLS (self-signed certificate
// made in memory), AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, and can
// be told to refuse the next commands with a given reply code.
package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	netmail "net/mail"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"repere/internal/mail"
)

// Options shape the server's behaviour.
type Options struct {
	// RequireAuth refuses MAIL before a successful AUTH PLAIN with Username
	// and Password. AUTH is offered whenever Username is set.
	RequireAuth        bool
	Username, Password string
	// TLS offers STARTTLS; AUTH is then offered only after it, as real
	// submission servers do.
	TLS bool
	// ImplicitTLS speaks TLS from the first byte, like port 465.
	ImplicitTLS bool
	// FailNext are reply codes given, in order, to the next MAIL, RCPT or
	// DATA commands instead of accepting them: 451 then 550, say. A 0
	// accepts its command, so {0, 550} refuses the RCPT after a MAIL.
	FailNext []int
}

// Received is one message the server accepted.
type Received struct {
	// From and To are the envelope (MAIL FROM, RCPT TO).
	From string
	To   []string
	// Data is the message as transmitted, dot-unstuffed, CRLF kept.
	Data []byte
	// TLS tells whether the session was encrypted; AuthUser who logged in.
	TLS      bool
	AuthUser string
	// Helo is the name the client gave in EHLO (or HELO).
	Helo string
	// Parsed is Data decoded; ParseErr says why it could not be.
	Parsed
	ParseErr error
}

// Server is a running test SMTP server.
type Server struct {
	t     testing.TB
	opts  Options
	ln    net.Listener
	cert  tls.Certificate
	roots *x509.CertPool

	mu       sync.Mutex
	messages []Received
	arrived  chan struct{} // closed and replaced at each message
	failNext []int
	conns    map[net.Conn]struct{}
	closed   bool
	wg       sync.WaitGroup
}

// Start listens on 127.0.0.1:0 and serves until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		opts:     opts,
		arrived:  make(chan struct{}),
		failNext: slices.Clone(opts.FailNext),
		conns:    map[net.Conn]struct{}{},
	}
	if opts.TLS || opts.ImplicitTLS {
		var err error
		if s.cert, s.roots, err = selfSigned(); err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	if opts.ImplicitTLS {
		ln = tls.NewListener(ln, s.tlsConfig())
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host is always 127.0.0.1.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the port picked by the system.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// RootCAs trusts the server's certificate; nil without TLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Config returns a mail.Config that reaches this server with its own
// credentials and certificate, From "cabinet@example.test".
func (s *Server) Config() mail.Config {
	security := mail.NoTLS
	switch {
	case s.opts.ImplicitTLS:
		security = mail.ImplicitTLS
	case s.opts.TLS:
		security = mail.StartTLS
	}
	return mail.Config{
		Host:     s.Host(),
		Port:     s.Port(),
		Username: s.opts.Username,
		Password: s.opts.Password,
		Security: security,
		From:     netmail.Address{Name: "Cabinet de radiologie", Address: "cabinet@example.test"},
		Timeout:  10 * time.Second,
		RootCAs:  s.roots,
	}
}

// FailNext queues more reply codes for the next MAIL, RCPT or DATA.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// Messages returns what was received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Wait returns once n messages have arrived, and fails the test if they do
// not within timeout. Call it from the test's goroutine.
func (s *Server) Wait(n int, timeout time.Duration) []Received {
	s.t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		got, arrived := slices.Clone(s.messages), s.arrived
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-arrived:
		case <-timer.C:
			s.t.Fatalf("mailtest: %d message(s) after %v, want %d", len(got), timeout, n)
			return got
		}
	}
}

// Close stops the server and waits for every connection to end. It runs
// by itself at the end of the test.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.ln.Close()
		for c := range s.conns {
			c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed; a test listener has no other failure worth handling
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
				conn.Close()
			}()
			newSession(s, conn).serve()
		}()
	}
}

func (s *Server) tlsConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}
}

// nextFailure pops the next injected reply code, 0 when none.
func (s *Server) nextFailure() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failNext) == 0 {
		return 0
	}
	code := s.failNext[0]
	s.failNext = s.failNext[1:]
	return code
}

func (s *Server) store(r Received) {
	r.Parsed, r.ParseErr = Parse(r.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func enhancedCode(code int) string {
	return strconv.Itoa(code/100) + ".0.0"
}
