package mail_test

import (
	"bytes"
	"errors"
	"testing"

	"repere/internal/mail"
	"repere/internal/mail/mailtest"
)

// FuzzMessageRoundTrip renders messages with arbitrary subject, text and
// file name and reads them back as a mail client would: either Bytes
// refuses cleanly with ErrInvalid, or the reader gets exactly what was sent.
func FuzzMessageRoundTrip(f *testing.F) {
	f.Add("Votre convocation du 12 mars", "Madame Lefèvre,\nà jeun.\n", "convocation-Lefèvre.pdf")
	f.Add("", "", "a")
	f.Add("=?utf-8?q?x?=", ".\r\n.\r\n", "\"quoted\" name; x=1.pdf")
	f.Add("  espaces  ", "ligne\rseule\r\n\n", "%41 *'.pdf")
	f.Add("a\r\nBcc: x@example.test", "texte", "a\nb.pdf")
	f.Add("日本語の件名 🙂", "=3D\t \n", "ﬁchier 🙂.pdf")
	f.Fuzz(func(t *testing.T, subject, text, fileName string) {
		m := convocation()
		m.Subject, m.Text = subject, text
		m.Attachments[0].Name = fileName
		data, err := m.Bytes()
		if err != nil {
			if !errors.Is(err, mail.ErrInvalid) {
				t.Fatalf("error outside ErrInvalid: %v", err)
			}
			return
		}
		checkWire(t, data)
		got, err := mailtest.Parse(data)
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, data)
		}
		if got.Subject != subject {
			t.Errorf("subject %q came back as %q", subject, got.Subject)
		}
		if want := canonical(text); got.Text != want {
			t.Errorf("text %q came back as %q", want, got.Text)
		}
		if len(got.Attachments) != 2 || got.Attachments[0].Name != fileName ||
			!bytes.Equal(got.Attachments[0].Data, m.Attachments[0].Data) {
			t.Errorf("attachment %q came back as %+v", fileName, got.Attachments)
		}
	})
}
