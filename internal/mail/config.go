package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"
)

// Security values for Config.Security.
const (
	// StartTLS connects in clear and upgrades with STARTTLS before anything
	// else is said; a server that does not offer it is refused. Port 587.
	StartTLS = "starttls"
	// ImplicitTLS speaks TLS from the first byte ("SMTPS"). Port 465.
	ImplicitTLS = "tls"
	// NoTLS is for a relay on the same machine (a local Postfix); refused
	// for any other host unless AllowInsecure. Port 25.
	NoTLS = "none"
)

// ErrNotConfigured is returned by NewSender when no SMTP host is set: the
// product then says email is off and offers the documents for printing.
var ErrNotConfigured = errors.New("mail: SMTP is not configured")

// Config says how to reach the practice's SMTP submission server.
type Config struct {
	// Host is empty when email is not configured.
	Host string
	// Port defaults to 587, 465 or 25 according to Security.
	Port     int
	Username string
	// Password is never logged, printed or put in an error.
	Password string
	// Security is StartTLS (the default when empty), ImplicitTLS or NoTLS.
	Security string
	// AllowInsecure permits NoTLS to a host that is not loopback. Credentials
	// are still never sent in clear to such a host.
	AllowInsecure bool
	// From is the practice's address, used when a message has none.
	From netmail.Address
	// HELO is the name given in EHLO; defaults to "localhost".
	HELO string
	// Timeout bounds one whole delivery; defaults to 30 seconds.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil means the system roots.
	// Tests set it to mailtest's self-signed root.
	RootCAs *x509.CertPool
}

// Configured reports whether email delivery is set up at all.
func (c Config) Configured() bool { return strings.TrimSpace(c.Host) != "" }

// Validate checks a configured Config; an unconfigured one is valid (email
// is then off). Errors never contain the password.
func (c Config) Validate() error {
	if !c.Configured() {
		return nil
	}
	if strings.ContainsFunc(c.Host, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '/' || r == '@' }) {
		return fmt.Errorf("mail: SMTP host %q is not a host name", c.Host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("mail: SMTP port %d out of range", c.Port)
	}
	switch c.security() {
	case StartTLS, ImplicitTLS:
	case NoTLS:
		if !isLoopback(c.Host) {
			if !c.AllowInsecure {
				return fmt.Errorf("mail: SMTP security %q is only allowed to a loopback host, not %q (set AllowInsecure to force it)", NoTLS, c.Host)
			}
			if c.Username != "" {
				return fmt.Errorf("mail: refusing to send SMTP credentials unencrypted to %q", c.Host)
			}
		}
	default:
		return fmt.Errorf("mail: SMTP security %q: want %q, %q or %q", c.Security, StartTLS, ImplicitTLS, NoTLS)
	}
	if c.Password != "" && c.Username == "" {
		return errors.New("mail: SMTP password set without a user name")
	}
	if strings.ContainsAny(c.Username+c.HELO, "\r\n\x00") {
		return errors.New("mail: SMTP user name or HELO contains a control character")
	}
	if strings.ContainsAny(c.Password, "\x00") {
		return errors.New("mail: SMTP password contains a NUL byte")
	}
	if _, err := formatAddress("from", c.From); err != nil {
		return fmt.Errorf("mail: sender address: %w", err)
	}
	if c.Timeout < 0 {
		return errors.New("mail: negative SMTP timeout")
	}
	return nil
}

// String describes the configuration for the startup log, password masked.
func (c Config) String() string {
	if !c.Configured() {
		return "smtp: not configured"
	}
	user := ""
	if c.Username != "" {
		user = c.Username
		if c.Password != "" {
			user += ":***"
		}
		user += "@"
	}
	return fmt.Sprintf("smtp %s://%s%s from %s", c.security(), user, c.addr(), c.From.String())
}

// GoString masks the password in %#v as well.
func (c Config) GoString() string { return "mail.Config{" + c.String() + "}" }

func (c Config) security() string {
	if c.Security == "" {
		return StartTLS
	}
	return strings.ToLower(c.Security)
}

func (c Config) addr() string {
	port := c.Port
	if port == 0 {
		switch c.security() {
		case ImplicitTLS:
			port = 465
		case NoTLS:
			port = 25
		default:
			port = 587
		}
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return 30 * time.Second
	}
	return c.Timeout
}

func (c Config) helo() string {
	if c.HELO == "" {
		return "localhost"
	}
	return c.HELO
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}
