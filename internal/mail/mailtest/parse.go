package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"

	"repere/internal/mail"
)

// Parsed is what a reader of a message sees: decoded subject, texts and
// attachments. Line breaks in Text and HTML are "\n".
type Parsed struct {
	Header      netmail.Header
	Subject     string
	Text, HTML  string
	Attachments []mail.Attachment
}

// Parse decodes a message as a mail client would, with net/mail,
// mime/multipart and the RFC 2047, RFC 2231, quoted-printable and base64
// decoders of the standard library.
func Parse(data []byte) (Parsed, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: msg.Header}
	p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return p, fmt.Errorf("subject: %w", err)
	}
	err = p.walk(entity{
		contentType: msg.Header.Get("Content-Type"),
		encoding:    msg.Header.Get("Content-Transfer-Encoding"),
		disposition: msg.Header.Get("Content-Disposition"),
		body:        msg.Body,
	}, 0)
	return p, err
}

// entity is one MIME part before decoding.
type entity struct {
	contentType, encoding, disposition string
	body                               io.Reader
}

func (p *Parsed) walk(e entity, depth int) error {
	if depth > 10 {
		return fmt.Errorf("MIME nesting deeper than 10")
	}
	if e.contentType == "" {
		e.contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(e.contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", e.contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(e.body, params["boundary"])
		for {
			// NextRawPart: NextPart would decode quoted-printable and hide it.
			part, err := r.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			err = p.walk(entity{
				contentType: part.Header.Get("Content-Type"),
				encoding:    part.Header.Get("Content-Transfer-Encoding"),
				disposition: part.Header.Get("Content-Disposition"),
				body:        part,
			}, depth+1)
			if err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(decoder(e.encoding, e.body))
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	name, isAttachment, err := fileName(e.disposition, params)
	if err != nil {
		return err
	}
	switch {
	case isAttachment:
		delete(params, "name")
		p.Attachments = append(p.Attachments, mail.Attachment{
			Name: name, ContentType: mime.FormatMediaType(mediaType, params), Data: data,
		})
	case mediaType == "text/plain":
		p.Text += newlines(data)
	case mediaType == "text/html":
		p.HTML += newlines(data)
	}
	return nil
}

func decoder(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r) // skips CR and LF
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// fileName reads the name from Content-Disposition (RFC 2231 decoded by
// mime.ParseMediaType), falling back to Content-Type's name, RFC 2047
// encoded by some clients. Unlike multipart.Part.FileName it does not strip
// directories, so tests see exactly what was sent.
func fileName(disposition string, typeParams map[string]string) (string, bool, error) {
	name := ""
	isAttachment := false
	if disposition != "" {
		kind, params, err := mime.ParseMediaType(disposition)
		if err != nil {
			return "", false, fmt.Errorf("content disposition %q: %w", disposition, err)
		}
		isAttachment = kind == "attachment" || params["filename"] != ""
		name = params["filename"]
	}
	if name == "" && typeParams["name"] != "" {
		decoded, err := new(mime.WordDecoder).DecodeHeader(typeParams["name"])
		if err != nil {
			return "", false, err
		}
		name, isAttachment = decoded, true
	}
	return name, isAttachment, nil
}

// newlines turns the CRLF of canonical text into "\n".
func newlines(data []byte) string {
	return strings.ReplaceAll(string(data), "\r\n", "\n")
}
