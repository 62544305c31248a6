package mail_test

import (
	"bytes"
	"errors"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"repere/internal/mail"
	"repere/internal/mail/mailtest"
)

// pdf stands for a convocation: bytes that are not text, every value once.
var pdf = func() []byte {
	b := []byte("%PDF-1.7\n")
	for i := range 600 {
		b = append(b, byte(i))
	}
	return b
}()

func convocation() mail.Message {
	return mail.Message{
		From:    netmail.Address{Name: "Cabinet d'imagerie Saint-Éloi", Address: "cabinet@example.test"},
		To:      netmail.Address{Name: "Hélène Lefèvre", Address: "helene.lefevre@example.test"},
		ReplyTo: &netmail.Address{Name: "Secrétariat", Address: "secretariat@example.test"},
		Subject: "Votre convocation : infiltration scanno-guidée du 12 mars à 9 h 30",
		Text: "Madame Lefèvre,\n\nVous êtes attendue le jeudi 12 mars à 9 h 30.\n" +
			".Ligne commençant par un point\nÀ jeun 6 heures avant ; arrêt du Kardégic ? non.   \n" +
			"= signe égal, ligne très longue " + strings.Repeat("é", 120) + "\n",
		HTML: "<p>Madame Lefèvre,</p>\n<p>Vous êtes attendue le <b>jeudi 12 mars à 9 h 30</b>.</p>",
		Attachments: []mail.Attachment{
			{Name: "convocation-Lefèvre.pdf", ContentType: "application/pdf", Data: pdf},
			{Name: "consignes de préparation.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("à jeun\r\n")},
		},
		MessageID: "outbox-42@example.test",
		Date:      time.Date(2026, 3, 10, 8, 0, 0, 0, time.FixedZone("CET", 3600)),
		Headers:   map[string]string{"Auto-Submitted": "auto-generated", "X-Repere-Outbox": "42"},
	}
}

// checkWire asserts what every rendered message must be: 7-bit, CRLF only,
// no line over 998 characters.
func checkWire(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Errorf("message does not end with CRLF")
	}
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if len(line) > 998 {
			t.Errorf("line %d is %d characters long", i+1, len(line))
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		for _, c := range line {
			if c >= 0x80 || c == 0 {
				t.Fatalf("line %d is not 7-bit: %q", i+1, line)
			}
		}
	}
}

func TestBytesRoundTripFrench(t *testing.T) {
	m := convocation()
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, data)
	got, err := mailtest.Parse(data)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	checkParsed(t, m, got)
	again, _ := m.Bytes()
	if !bytes.Equal(data, again) {
		t.Errorf("rendering the same message twice gave different bytes")
	}
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for _, want := range []string{
		"Date: Tue, 10 Mar 2026 08:00:00 +0100\r\n",
		"Message-ID: <outbox-42@example.test>\r\n",
		"Auto-Submitted: auto-generated\r\n",
		"MIME-Version: 1.0\r\n",
		"Content-Type: multipart/mixed;",
	} {
		if !bytes.Contains(head, []byte(want)) {
			t.Errorf("header lacks %q:\n%s", want, head)
		}
	}
	if !bytes.Contains(data, []byte(`filename*=utf-8''convocation-Lef%C3%A8vre.pdf`)) {
		t.Errorf("attachment name is not RFC 2231 encoded:\n%s", data)
	}
	// A client that reads only Content-Type's RFC 2047 name sees the same.
	typeOnly := bytes.ReplaceAll(data, []byte("Content-Disposition:"), []byte("X-Ignored:"))
	if got, err := mailtest.Parse(typeOnly); err != nil {
		t.Error(err)
	} else {
		checkParsed(t, m, got)
	}
}

// checkParsed compares what a reader gets with what was sent.
func checkParsed(t testing.TB, m mail.Message, got mailtest.Parsed) {
	t.Helper()
	if got.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, m.Subject)
	}
	if want := canonical(m.Text); got.Text != want {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	if want := canonical(m.HTML); got.HTML != want {
		t.Errorf("HTML = %q, want %q", got.HTML, want)
	}
	for field, want := range map[string]netmail.Address{"From": m.From, "To": m.To} {
		addr, err := got.Header.AddressList(field)
		if err != nil || len(addr) != 1 || *addr[0] != want {
			t.Errorf("%s = %v (%v), want %v", field, addr, err, want)
		}
	}
	if len(got.Attachments) != len(m.Attachments) {
		t.Fatalf("%d attachments, want %d", len(got.Attachments), len(m.Attachments))
	}
	for i, a := range m.Attachments {
		g := got.Attachments[i]
		if g.Name != a.Name || !bytes.Equal(g.Data, a.Data) {
			t.Errorf("attachment %d = %q (%d bytes), want %q (%d bytes)", i, g.Name, len(g.Data), a.Name, len(a.Data))
		}
	}
}

func TestBytesShapes(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*mail.Message)
		contentType string
	}{
		{"text only", func(m *mail.Message) { m.HTML, m.Attachments = "", nil }, "text/plain; charset=utf-8"},
		{"HTML only", func(m *mail.Message) { m.Text, m.Attachments = "", nil }, "text/html; charset=utf-8"},
		{"both", func(m *mail.Message) { m.Attachments = nil }, "multipart/alternative"},
		{"attachments", func(*mail.Message) {}, "multipart/mixed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := convocation()
			tt.edit(&m)
			data, err := m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			checkWire(t, data)
			got, err := mailtest.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type = %q, want %q", ct, tt.contentType)
			}
			checkParsed(t, m, got)
		})
	}
}

func TestBytesLongAndTrickySubjects(t *testing.T) {
	for _, subject := range []string{
		"",
		strings.Repeat("Rappel convocation ", 40),
		strings.Repeat("x", 500),
		"  deux espaces  au début et au milieu ",
		"=?utf-8?q?pas_un_mot_encod=C3=A9?=",
		"tab\tet contrôle \x01",
		strings.Repeat("Préparation à jeun ", 30),
	} {
		m := convocation()
		m.Subject = subject
		data, err := m.Bytes()
		if err != nil {
			t.Fatalf("%q: %v", subject, err)
		}
		checkWire(t, data)
		head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
		for line := range strings.SplitSeq(string(head), "\r\n") {
			if len(line) > 78 {
				t.Errorf("%q: header line of %d characters: %q", subject, len(line), line)
			}
		}
		got, err := mailtest.Parse(data)
		if err != nil || got.Subject != subject {
			t.Errorf("subject %q came back as %q (%v)", subject, got.Subject, err)
		}
	}
}

func TestBytesRefusesHeaderInjection(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mail.Message)
	}{
		{"subject CRLF", func(m *mail.Message) { m.Subject = "Convocation\r\nBcc: tous@example.test" }},
		{"subject LF", func(m *mail.Message) { m.Subject = "Convocation\nBcc: tous@example.test" }},
		{"subject CR", func(m *mail.Message) { m.Subject = "Convocation\rBcc: tous@example.test" }},
		{"from name", func(m *mail.Message) { m.From.Name = "Cabinet\r\nBcc: x@example.test" }},
		{"to name", func(m *mail.Message) { m.To.Name = "Hélène\nBcc: x@example.test" }},
		{"to address", func(m *mail.Message) { m.To.Address = "a@example.test\r\nBcc: x@example.test" }},
		{"reply-to", func(m *mail.Message) { m.ReplyTo.Name = "x\r\n" }},
		{"message ID", func(m *mail.Message) { m.MessageID = "a@b\r\nBcc: x@example.test" }},
		{"extra value", func(m *mail.Message) { m.Headers["X-Repere-Outbox"] = "42\r\nBcc: x@example.test" }},
		{"extra name", func(m *mail.Message) { m.Headers["Bcc: x@example.test\r\nX-A"] = "1" }},
		{"extra name colon", func(m *mail.Message) { m.Headers["X-A: b"] = "1" }},
		{"reserved header", func(m *mail.Message) { m.Headers["bcc"] = "x@example.test" }},
		{"attachment name", func(m *mail.Message) { m.Attachments[0].Name = "a.pdf\r\nContent-Type: text/html" }},
		{"attachment type", func(m *mail.Message) { m.Attachments[0].ContentType = "application/pdf\r\nX: y" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := convocation()
			tt.edit(&m)
			data, err := m.Bytes()
			if err == nil {
				t.Fatalf("accepted:\n%s", data)
			}
			if !errors.Is(err, mail.ErrInvalid) || !mail.Permanent(err) {
				t.Errorf("error %v is not ErrInvalid and permanent", err)
			}
		})
	}
}

func TestBytesRefusesInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mail.Message)
	}{
		{"no body", func(m *mail.Message) { m.Text, m.HTML = "", "" }},
		{"text not UTF-8", func(m *mail.Message) { m.Text = "caf\xe9" }},
		{"subject not UTF-8", func(m *mail.Message) { m.Subject = "caf\xe9" }},
		{"no recipient", func(m *mail.Message) { m.To = netmail.Address{} }},
		{"no sender", func(m *mail.Message) { m.From = netmail.Address{} }},
		{"bad address", func(m *mail.Message) { m.To.Address = "hélène.lefèvre" }},
		{"non-ASCII mailbox", func(m *mail.Message) { m.To.Address = "hélène@example.test" }},
		{"message ID without @", func(m *mail.Message) { m.MessageID = "outbox-42" }},
		{"empty file name", func(m *mail.Message) { m.Attachments[0].Name = "" }},
		{"path in file name", func(m *mail.Message) { m.Attachments[0].Name = "../convocation.pdf" }},
		{"bad content type", func(m *mail.Message) { m.Attachments[0].ContentType = "pdf" }},
		{"long file name", func(m *mail.Message) { m.Attachments[0].Name = strings.Repeat("é", 200) + ".pdf" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := convocation()
			tt.edit(&m)
			if _, err := m.Bytes(); !errors.Is(err, mail.ErrInvalid) {
				t.Errorf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

// canonical is text as a reader gets it back: every line break a "\n".
func canonical(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
