package web

import (
	"encoding/base64"
	"testing"
)

// FuzzDecodeSignature: whatever a tablet (or an attacker) posts as the
// signature, decoding returns a PNG or an error, never panics, and never
// accepts more than the size bound.
func FuzzDecodeSignature(f *testing.F) {
	f.Add("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
	f.Add("data:image/png;base64,")
	f.Add("data:image/jpeg;base64,/9j/4AAQ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		data, err := decodeSignature(s)
		if err == nil && (len(data) == 0 || len(data) > maxSignatureBytes) {
			t.Fatalf("accepted %d bytes", len(data))
		}
	})
}

// FuzzDecodeSignatureBytes feeds arbitrary bytes as the PNG itself.
func FuzzDecodeSignatureBytes(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeSignature("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	})
}

// FuzzParseClock: opening-hours fields never panic and stay within a day.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "12:60", "-1:00", "7:5", "", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, ok := parseClock(s); ok && (m < 0 || m > 24*60) {
			t.Fatalf("%q gave %d minutes", s, m)
		}
	})
}
