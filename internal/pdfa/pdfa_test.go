package pdfa

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// TestConvertRefusesWhatItCannotRead: anything but our writer's classic
// layout is refused with an error, never half converted.
func TestConvertRefusesWhatItCannotRead(t *testing.T) {
	m := Meta{Title: "t", Author: "a", Creator: "c", Created: time.Unix(0, 0)}
	for name, in := range map[string]string{
		"not a PDF":    "hello",
		"no startxref": "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n",
		"xref stream":  "%PDF-1.5\n1 0 obj\n<< /Type /XRef >>\nendobj\nstartxref\n9\n%%EOF\n",
		"bad offset":   "%PDF-1.4\nstartxref\n99999\n%%EOF\n",
	} {
		if out, err := Convert([]byte(in), m); err == nil {
			t.Errorf("%s: converted to %q", name, out)
		}
	}
}

// TestSRGBProfile: the ICC profile's header says its size, version 2, a
// display RGB profile to XYZ with the acsp signature, and its tags lie
// inside it.
func TestSRGBProfile(t *testing.T) {
	p := sRGBProfile()
	if int(binary.BigEndian.Uint32(p)) != len(p) || string(p[12:24]) != "mntrRGB XYZ " || string(p[36:40]) != "acsp" || p[8] != 2 {
		t.Fatalf("bad header: %x", p[:40])
	}
	n := int(binary.BigEndian.Uint32(p[128:]))
	seen := map[string]bool{}
	for i := range n {
		e := p[132+12*i:]
		sig, off, size := string(e[:4]), int(binary.BigEndian.Uint32(e[4:])), int(binary.BigEndian.Uint32(e[8:]))
		if off%4 != 0 || off+size > len(p) {
			t.Errorf("tag %s outside the profile", sig)
		}
		seen[sig] = true
	}
	for _, want := range strings.Fields("desc cprt wtpt rXYZ gXYZ bXYZ rTRC gTRC bTRC") {
		if !seen[want] {
			t.Errorf("no %s tag", want)
		}
	}
	if !bytes.Equal(p, sRGBProfile()) {
		t.Error("the profile changes between calls")
	}
}
