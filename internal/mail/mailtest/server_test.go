package mailtest_test

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
	"time"

	"repere/internal/mail/mailtest"
)

// client speaks raw SMTP to the server, one command and its reply at a time.
type client struct {
	t    *testing.T
	conn net.Conn
	text *textproto.Conn
}

func dial(t *testing.T, srv *mailtest.Server) *client {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, text: textproto.NewConn(conn)}
	c.expect(220)
	return c
}

func (c *client) expect(code int) string {
	c.t.Helper()
	got, msg, err := c.text.ReadResponse(0)
	if err != nil && got == 0 {
		c.t.Fatalf("reading reply: %v", err)
	}
	if got != code {
		c.t.Fatalf("reply %d %q, want %d", got, msg, code)
	}
	return msg
}

func (c *client) do(code int, format string, args ...any) string {
	c.t.Helper()
	if err := c.text.PrintfLine(format, args...); err != nil {
		c.t.Fatal(err)
	}
	return c.expect(code)
}

func TestDialogue(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := dial(t, srv)
	c.do(503, "MAIL FROM:<a@example.test>")
	c.do(250, "HELO client.example.test")
	ehlo := c.do(250, "EHLO client.example.test")
	if strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Errorf("EHLO offers what it should not: %q", ehlo)
	}
	c.do(250, "NOOP")
	c.do(500, "FROB")
	c.do(503, "RCPT TO:<b@example.test>")
	c.do(503, "DATA")
	c.do(501, "MAIL FROM:a@example.test")
	c.do(250, "MAIL FROM:<a@example.test> BODY=8BITMIME")
	c.do(250, "RCPT TO:<b@example.test>")
	c.do(250, "RSET")
	c.do(503, "DATA")
	c.do(250, "mail from:<a@example.test>")
	c.do(250, "RCPT TO:<b@example.test>")
	c.do(250, "RCPT TO:<c@example.test>")
	c.do(354, "DATA")
	// The client stuffs a dot before lines that start with one.
	c.do(250, "Subject: essai\r\n\r\n..point en tête\r\n...\r\nfin\r\n.")
	c.do(221, "QUIT")

	got := srv.Wait(1, time.Second)[0]
	if want := "Subject: essai\r\n\r\n.point en tête\r\n..\r\nfin\r\n"; string(got.Data) != want {
		t.Errorf("data = %q, want %q", got.Data, want)
	}
	if got.From != "a@example.test" || strings.Join(got.To, ",") != "b@example.test,c@example.test" {
		t.Errorf("envelope %q -> %q", got.From, got.To)
	}
	if got.Subject != "essai" || got.Text != ".point en tête\n..\nfin\n" {
		t.Errorf("parsed subject %q text %q", got.Subject, got.Text)
	}
}

func TestAuthOnlyAfterSTARTTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: true, RequireAuth: true, Username: "cabinet", Password: "s3cret"})
	c := dial(t, srv)
	ehlo := c.do(250, "EHLO client")
	if !strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Errorf("EHLO before TLS = %q, want STARTTLS and no AUTH", ehlo)
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00cabinet\x00s3cret"))
	c.do(538, "AUTH PLAIN %s", plain)
	c.do(530, "MAIL FROM:<a@example.test>")
	c.do(220, "STARTTLS")

	tlsConn := tls.Client(c.conn, &tls.Config{ServerName: "127.0.0.1", RootCAs: srv.RootCAs()})
	c = &client{t: t, conn: tlsConn, text: textproto.NewConn(tlsConn)}
	c.do(503, "MAIL FROM:<a@example.test>") // EHLO again first
	ehlo = c.do(250, "EHLO client")
	if strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH PLAIN") {
		t.Errorf("EHLO after TLS = %q, want AUTH PLAIN and no STARTTLS", ehlo)
	}
	wrong := base64.StdEncoding.EncodeToString([]byte("\x00cabinet\x00nope"))
	c.do(535, "AUTH PLAIN %s", wrong)
	c.do(504, "AUTH LOGIN")
	c.do(334, "AUTH PLAIN")
	c.do(501, "*")
	c.do(334, "AUTH PLAIN")
	c.do(235, "%s", plain)
	c.do(503, "AUTH PLAIN %s", plain)
	c.do(250, "MAIL FROM:<a@example.test>")
}

func TestFailNext(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{FailNext: []int{451}})
	srv.FailNext(0, 550)
	c := dial(t, srv)
	c.do(250, "EHLO client")
	c.do(451, "MAIL FROM:<a@example.test>")
	c.do(250, "MAIL FROM:<a@example.test>")
	c.do(550, "RCPT TO:<b@example.test>")
	c.do(250, "RCPT TO:<b@example.test>")
}

// TestCloseEndsIdleConnections checks that a client that never says QUIT
// does not keep the server, or its goroutines, alive past the test.
func TestCloseEndsIdleConnections(t *testing.T) {
	before := runtime.NumGoroutine()
	var conn net.Conn
	t.Run("server", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: true})
		var err error
		conn, err = net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		if _, err := conn.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("idle connection not closed by the server: %v", err)
	}
	conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestParseFallsBackToContentTypeName(t *testing.T) {
	data := "Subject: =?iso-8859-1?q?r=E9sultat?=\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n" +
		"--b\r\nContent-Type: application/pdf; name=\"=?utf-8?q?r=C3=A9sultat.pdf?=\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n"
	p, err := mailtest.Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "résultat" || p.Text != "bonjour" || len(p.Attachments) != 1 ||
		p.Attachments[0].Name != "résultat.pdf" || string(p.Attachments[0].Data) != "%PDF" ||
		p.Attachments[0].ContentType != "application/pdf" {
		t.Errorf("parsed %+v", p)
	}
}
