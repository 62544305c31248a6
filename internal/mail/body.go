package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf8"
)

// writeBody writes the Content-* fields, the blank line and the body. The
// shape is the smallest that holds the content: one text part, an alternative
// of text and HTML, and a mixed around either when there are attachments.
func (m Message) writeBody(b *bytes.Buffer) error {
	header, content, err := m.textParts()
	if err != nil {
		return err
	}
	if len(m.Attachments) > 0 {
		var mixed bytes.Buffer
		w := multipart.NewWriter(&mixed)
		w.SetBoundary(m.boundary("mixed"))
		part, err := w.CreatePart(folded(header))
		if err != nil {
			return err
		}
		part.Write(content)
		for i, a := range m.Attachments {
			if err := writeAttachment(w, a); err != nil {
				return fmt.Errorf("%w (attachment %d)", err, i+1)
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
		header = multipartHeader("multipart/mixed", w.Boundary())
		content = mixed.Bytes()
	}
	if !bytes.HasSuffix(content, []byte("\r\n")) {
		// A single text part that ends mid-line: a soft line break ends the
		// message with CRLF without adding a line break to the text.
		content = append(content, "=\r\n"...)
	}
	h := headerWriter{b: b}
	for _, name := range slices.Sorted(maps.Keys(header)) {
		h.field(name, header.Get(name))
	}
	if h.err != nil {
		return h.err
	}
	b.WriteString("\r\n")
	b.Write(content)
	return nil
}

// textParts returns the header and content of the text, the HTML, or a
// multipart/alternative of both.
func (m Message) textParts() (textproto.MIMEHeader, []byte, error) {
	switch {
	case m.HTML == "":
		return textPart("text/plain", m.Text)
	case m.Text == "":
		return textPart("text/html", m.HTML)
	}
	var alt bytes.Buffer
	w := multipart.NewWriter(&alt)
	w.SetBoundary(m.boundary("alternative"))
	for _, p := range []struct{ mediaType, text string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		header, content, err := textPart(p.mediaType, p.text)
		if err != nil {
			return nil, nil, err
		}
		part, err := w.CreatePart(header)
		if err != nil {
			return nil, nil, err
		}
		part.Write(content)
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	return multipartHeader("multipart/alternative", w.Boundary()), alt.Bytes(), nil
}

// boundary is derived from the content rather than drawn at random, so that
// a message with a set Date and MessageID renders to the same bytes every
// time (tests compare them; retries resend them). Content holding the hash of
// itself cannot be written by chance.
func (m Message) boundary(kind string) string {
	h := sha256.New()
	for _, s := range []string{kind, m.Subject, m.Text, m.HTML} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	for _, a := range m.Attachments {
		fmt.Fprintf(h, "%d:%s%d:", len(a.Name), a.Name, len(a.Data))
		h.Write(a.Data)
	}
	return "repere-" + hex.EncodeToString(h.Sum(nil))[:48]
}

func multipartHeader(mediaType, boundary string) textproto.MIMEHeader {
	return textproto.MIMEHeader{
		"Content-Type": {mime.FormatMediaType(mediaType, map[string]string{"boundary": boundary})},
	}
}

// folded returns h with long values folded, for multipart.Writer, which
// writes values as given. The values here are ours and short: no error.
func folded(h textproto.MIMEHeader) textproto.MIMEHeader {
	out := textproto.MIMEHeader{}
	for name, values := range h {
		for _, v := range values {
			f, _ := foldValue(name, v)
			out.Add(name, f)
		}
	}
	return out
}

// textPart encodes text as quoted-printable, which also turns every line
// break into CRLF and keeps lines under 76 characters.
func textPart(mediaType, text string) (textproto.MIMEHeader, []byte, error) {
	var content bytes.Buffer
	qp := quotedprintable.NewWriter(&content)
	// Only \n reaches the writer: it turns each into CRLF, but a lone \r
	// followed by an encoded byte and \n loses that \n (Go 1.26).
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, nil, err
	}
	return textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	}, content.Bytes(), nil
}

func writeAttachment(mixed *multipart.Writer, a Attachment) error {
	if err := checkFileName(a.Name); err != nil {
		return err
	}
	contentType := a.ContentType
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.Contains(mediaType, "/") || strings.HasPrefix(mediaType, "multipart/") ||
		strings.HasPrefix(mediaType, "message/") { // neither may be base64 (RFC 2046 5)
		return invalid("attachment content type %q", contentType)
	}
	// Content-Disposition carries the RFC 2231 name that standards-minded
	// clients read; Content-Type's name, RFC 2047 encoded when not ASCII, is
	// what older Outlook and webmails read. Thunderbird sends both alike.
	params["name"] = a.Name
	if strings.ContainsFunc(a.Name, func(r rune) bool { return r > '~' }) {
		params["name"] = encodeWords(a.Name, len("Content-Type: ")+len(mediaType)+len(`; name="`))
	}
	typeValue, err := foldValue("Content-Type", mime.FormatMediaType(mediaType, params))
	if err != nil {
		return err
	}
	disposition, err := foldValue("Content-Disposition",
		mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	if err != nil {
		return err
	}
	w, err := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {typeValue},
		"Content-Disposition":       {disposition},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return err
	}
	encoded := base64.StdEncoding.EncodeToString(a.Data)
	for len(encoded) > 76 {
		fmt.Fprintf(w, "%s\r\n", encoded[:76])
		encoded = encoded[76:]
	}
	if encoded != "" {
		fmt.Fprintf(w, "%s\r\n", encoded)
	}
	return nil
}

// checkFileName keeps names to what a mail client can save as one file.
func checkFileName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return invalid("attachment without a file name")
	case len(name) > 255:
		return invalid("attachment name longer than 255 bytes")
	case !utf8.ValidString(name):
		return invalid("attachment name %q is not valid UTF-8", name)
	case strings.ContainsAny(name, `/\`):
		return invalid("attachment name %q contains a path separator", name)
	case strings.ContainsFunc(name, isControl):
		return invalid("attachment name %q contains a control character", name)
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }
