package mailtest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"time"
)

// maxData bounds a message; beyond it the server answers 552.
const maxData = 32 << 20

// session is one SMTP connection.
type session struct {
	s    *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer

	tls      bool
	greeted  bool
	authUser string
	helo     string
	from     string
	to       []string
	inTx     bool
}

func newSession(s *Server, conn net.Conn) *session {
	_, isTLS := conn.(*tls.Conn)
	return &session{s: s, conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn), tls: isTLS}
}

func (c *session) serve() {
	c.reply(220, "mailtest ESMTP ready")
	for {
		line, err := c.readLine()
		if err != nil {
			return
		}
		verb, args, _ := strings.Cut(line, " ")
		if !c.command(strings.ToUpper(verb), strings.TrimSpace(args)) {
			return
		}
	}
}

// command handles one command and reports whether to go on.
func (c *session) command(verb, args string) bool {
	switch verb {
	case "EHLO":
		c.greeted, c.helo = true, args
		c.reset()
		c.ehlo()
	case "HELO":
		c.greeted, c.helo = true, args
		c.reset()
		c.reply(250, "mailtest")
	case "STARTTLS":
		return c.startTLS()
	case "AUTH":
		c.auth(args)
	case "MAIL":
		c.mail(args)
	case "RCPT":
		c.rcpt(args)
	case "DATA":
		return c.data()
	case "RSET":
		c.reset()
		c.reply(250, "2.0.0 OK")
	case "NOOP":
		c.reply(250, "2.0.0 OK")
	case "VRFY":
		c.reply(252, "2.5.0 Cannot verify")
	case "QUIT":
		c.reply(221, "2.0.0 Bye")
		return false
	default:
		c.reply(500, "5.5.2 Command not recognized")
	}
	return true
}

func (c *session) ehlo() {
	lines := []string{"mailtest", "SIZE " + fmt.Sprint(maxData), "ENHANCEDSTATUSCODES"}
	if c.s.opts.TLS && !c.tls {
		lines = append(lines, "STARTTLS")
	}
	if c.authOffered() {
		lines = append(lines, "AUTH PLAIN")
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(c.w, "250%s%s\r\n", sep, l)
	}
	c.w.Flush()
}

func (c *session) authOffered() bool {
	wantsAuth := c.s.opts.Username != "" || c.s.opts.RequireAuth
	return wantsAuth && (c.tls || !c.s.opts.TLS)
}

func (c *session) startTLS() bool {
	if !c.s.opts.TLS || c.tls {
		c.reply(502, "5.5.1 STARTTLS not available")
		return true
	}
	c.reply(220, "2.0.0 Ready to start TLS")
	tlsConn := tls.Server(c.conn, c.s.tlsConfig())
	tlsConn.SetDeadline(time.Now().Add(time.Minute))
	if err := tlsConn.Handshake(); err != nil {
		return false
	}
	// RFC 3207: the session starts over, greeting included.
	*c = session{s: c.s, conn: tlsConn, r: bufio.NewReader(tlsConn), w: bufio.NewWriter(tlsConn), tls: true}
	return true
}

func (c *session) auth(args string) {
	mechanism, initial, _ := strings.Cut(args, " ")
	switch {
	case !c.greeted:
		c.reply(503, "5.5.1 EHLO first")
		return
	case c.s.opts.TLS && !c.tls && (c.s.opts.Username != "" || c.s.opts.RequireAuth):
		c.reply(538, "5.7.11 Encryption required for requested authentication mechanism")
		return
	case !c.authOffered():
		c.reply(503, "5.5.1 AUTH not available")
		return
	case c.authUser != "":
		c.reply(503, "5.5.1 Already authenticated")
		return
	case !strings.EqualFold(mechanism, "PLAIN"):
		c.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if initial == "" {
		c.reply(334, "")
		line, err := c.readLine()
		if err != nil {
			return
		}
		initial = line
	}
	if initial == "*" {
		c.reply(501, "5.0.0 Authentication cancelled")
		return
	}
	decoded, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		c.reply(501, "5.5.2 Cannot decode response")
		return
	}
	fields := bytes.Split(decoded, []byte{0})
	if len(fields) != 3 || string(fields[1]) != c.s.opts.Username || string(fields[2]) != c.s.opts.Password ||
		c.s.opts.Username == "" {
		c.reply(535, "5.7.8 Authentication credentials invalid")
		return
	}
	c.authUser = string(fields[1])
	c.reply(235, "2.7.0 Authentication successful")
}

func (c *session) mail(args string) {
	address, ok := pathArg(args, "FROM:")
	switch {
	case !c.greeted:
		c.reply(503, "5.5.1 EHLO first")
	case c.s.opts.RequireAuth && c.authUser == "":
		c.reply(530, "5.7.0 Authentication required")
	case c.inTx:
		c.reply(503, "5.5.1 Nested MAIL command")
	case !ok:
		c.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
	case c.failed():
	default:
		c.from, c.inTx = address, true
		c.reply(250, "2.1.0 OK")
	}
}

func (c *session) rcpt(args string) {
	address, ok := pathArg(args, "TO:")
	switch {
	case !c.inTx:
		c.reply(503, "5.5.1 MAIL first")
	case !ok || address == "":
		c.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
	case c.failed():
	default:
		c.to = append(c.to, address)
		c.reply(250, "2.1.5 OK")
	}
}

func (c *session) data() bool {
	switch {
	case len(c.to) == 0:
		c.reply(503, "5.5.1 RCPT first")
		return true
	case c.failed():
		return true
	}
	c.reply(354, "End data with <CR><LF>.<CR><LF>")
	data, tooBig, err := c.readData()
	if err != nil {
		return false
	}
	if tooBig {
		c.reply(552, "5.3.4 Message too big")
	} else {
		c.s.store(Received{From: c.from, To: c.to, Data: data, TLS: c.tls, AuthUser: c.authUser, Helo: c.helo})
		c.reply(250, "2.0.0 OK queued")
	}
	c.reset()
	return true
}

// readData reads up to the lone dot, removing the dot added before lines
// that start with one (RFC 5321 4.5.2) and keeping CRLF as sent.
func (c *session) readData() (data []byte, tooBig bool, err error) {
	var b bytes.Buffer
	for {
		c.conn.SetReadDeadline(time.Now().Add(time.Minute))
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return nil, false, err
		}
		if string(line) == ".\r\n" || string(line) == ".\n" {
			return b.Bytes(), tooBig, nil
		}
		line = bytes.TrimPrefix(line, []byte("."))
		if b.Len()+len(line) > maxData {
			tooBig = true
			continue
		}
		b.Write(line)
	}
}

// failed answers with the next injected failure, if any.
func (c *session) failed() bool {
	code := c.s.nextFailure()
	if code == 0 {
		return false
	}
	c.reply(code, enhancedCode(code)+" Failure injected by mailtest")
	return true
}

func (c *session) reset() {
	c.from, c.to, c.inTx = "", nil, false
}

func (c *session) reply(code int, text string) {
	fmt.Fprintf(c.w, "%d %s\r\n", code, text)
	c.w.Flush()
}

// readLine reads one command line, which RFC 5321 caps at 512 octets; we
// allow more but not without bound.
func (c *session) readLine() (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(time.Minute))
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// pathArg extracts the address from "FROM:<a@b> SIZE=…".
func pathArg(args, prefix string) (string, bool) {
	if len(args) < len(prefix) || !strings.EqualFold(args[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(args[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	address, _, ok := strings.Cut(rest[1:], ">")
	return address, ok
}
