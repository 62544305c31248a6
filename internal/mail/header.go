package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxLine is RFC 5322's hard limit on a line, without its CRLF.
const maxLine = 998

// foldAt is the recommended line length: headers are folded beyond it.
const foldAt = 78

// reservedHeaders are written from Message fields; Headers may not set them.
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Disposition", "Content-Transfer-Encoding", "Content-Type",
	"Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Sender", "Subject", "To",
}

func (m Message) messageID() (string, error) {
	id := m.MessageID
	if id == "" {
		random := make([]byte, 16)
		rand.Read(random)
		_, domain, _ := strings.Cut(m.From.Address, "@")
		return "<" + hex.EncodeToString(random) + "@" + domain + ">", nil
	}
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || len(id) > 250 ||
		strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("<>()[]\\,;:\"", r) }) {
		return "", invalid("message ID %q is not of the form <left@right>", m.MessageID)
	}
	return "<" + id + ">", nil
}

func formatAddress(field string, a netmail.Address) (string, error) {
	if a.Address == "" {
		return "", invalid("%s address missing", field)
	}
	if strings.ContainsAny(a.Name+a.Address, "\r\n") {
		return "", invalid("%s address contains a line break", field)
	}
	if !utf8.ValidString(a.Name) {
		return "", invalid("%s name is not valid UTF-8", field)
	}
	// Non-ASCII mailboxes need SMTPUTF8, which patients' providers do not
	// reliably offer; refuse them rather than bounce later.
	parsed, err := netmail.ParseAddress("<" + a.Address + ">")
	if err != nil || parsed.Address != a.Address || strings.ContainsFunc(a.Address, func(r rune) bool { return r >= 0x7f }) {
		return "", invalid("%s address %q is not a valid ASCII email address", field, a.Address)
	}
	if !strings.ContainsFunc(a.Name, func(r rune) bool { return r < ' ' || r > '~' }) {
		return a.String(), nil // net/mail quotes the name when needed
	}
	// Like net/mail, but with encoded words that fit the folded line.
	return encodeWords(a.Name, len("Reply-To: ")) + " " + (&netmail.Address{Address: a.Address}).String(), nil
}

// encodeSubject returns the subject as written when it survives unfolding
// unchanged, and as RFC 2047 encoded words otherwise.
func encodeSubject(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") {
		return "", invalid("subject contains a line break")
	}
	if !utf8.ValidString(s) {
		return "", invalid("subject is not valid UTF-8")
	}
	if plainHeaderText(s) {
		return s, nil
	}
	return encodeWords(s, len("Subject: ")), nil
}

// plainHeaderText reports whether s can be sent unencoded and read back
// equal: printable ASCII, nothing a reader would take for an encoded word,
// and no whitespace that folding or unfolding would change.
func plainHeaderText(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) ||
		strings.Contains(s, "=?") || strings.Contains(s, "  ") ||
		strings.TrimSpace(s) != s {
		return false
	}
	for word := range strings.SplitSeq(s, " ") {
		if len(word) > foldAt-len("Subject: ") {
			return false
		}
	}
	return true
}

// encodeWords encodes s as RFC 2047 Q encoded words, split between runes,
// short enough that the first fits after the used characters of the header
// line and the others on continuation lines, within foldAt. The character
// set is the one allowed in display names too. mime.QEncoding would return
// ASCII text unchanged even when it holds "=?" or runs of spaces, hence
// this small encoder.
func encodeWords(s string, used int) string {
	const prefix, suffix = "=?utf-8?q?", "?="
	maxWord := max(foldAt-used, len(prefix+suffix)+12)
	var words []string
	var word strings.Builder
	for _, r := range s {
		var encoded strings.Builder
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			switch {
			case c == ' ':
				encoded.WriteByte('_')
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
				strings.IndexByte("!*+-/", c) >= 0:
				encoded.WriteByte(c)
			default:
				fmt.Fprintf(&encoded, "=%02X", c)
			}
		}
		if word.Len() > 0 && len(prefix)+word.Len()+encoded.Len()+len(suffix) > maxWord {
			words = append(words, prefix+word.String()+suffix)
			word.Reset()
			maxWord = 75 // RFC 2047's limit, one space under foldAt
		}
		word.WriteString(encoded.String())
	}
	words = append(words, prefix+word.String()+suffix)
	return strings.Join(words, " ")
}

func extraHeaderValue(name, value string) (string, error) {
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == ':' }) {
		return "", invalid("header name %q", name)
	}
	if slices.Contains(reservedHeaders, textproto.CanonicalMIMEHeaderKey(name)) {
		return "", invalid("header %s is set from the message fields", name)
	}
	if strings.ContainsAny(value, "\r\n") {
		return "", invalid("header %s contains a line break", name)
	}
	if !utf8.ValidString(value) {
		return "", invalid("header %s is not valid UTF-8", name)
	}
	if strings.ContainsFunc(value, func(r rune) bool { return (r < ' ' && r != '\t') || r > '~' }) {
		return encodeWords(value, len(name)+len(": ")), nil
	}
	return value, nil
}

// headerWriter writes folded header fields and keeps the first error.
type headerWriter struct {
	b   *bytes.Buffer
	err error
}

func (h *headerWriter) field(name, value string) {
	if h.err != nil {
		return
	}
	folded, err := foldValue(name, value)
	if err != nil {
		h.err = err
		return
	}
	h.b.WriteString(name + ": " + folded + "\r\n")
}

// foldValue inserts CRLF before single spaces so that no line of the field
// exceeds foldAt where a space allows it, and fails when a word is too long
// for the 998-character limit. Unfolding restores the value exactly.
func foldValue(name, value string) (string, error) {
	var out strings.Builder
	lineLen := len(name) + len(": ")
	endsWithSpace := false
	for i, word := range strings.Split(value, " ") {
		if len(word) > maxLine-1 {
			return "", invalid("header %s has a word longer than %d characters", name, maxLine-1)
		}
		if i > 0 {
			canFold := word != "" && !endsWithSpace && out.Len() > 0
			if canFold && lineLen+1+len(word) > foldAt {
				out.WriteString("\r\n")
				lineLen = 0
			}
			out.WriteByte(' ')
			lineLen++
		}
		if lineLen+len(word) > maxLine {
			return "", invalid("header %s cannot be folded under %d characters", name, maxLine)
		}
		out.WriteString(word)
		lineLen += len(word)
		endsWithSpace = word == ""
	}
	return out.String(), nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("mail: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
