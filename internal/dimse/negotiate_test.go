package dimse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCharsets(t *testing.T) {
	tests := []struct {
		name    string
		cs      Charset
		text    string
		encoded string
		decoded string
	}{
		{"UTF-8 keeps everything", CharsetUTF8, "ŒUVRARD^Zoé", "ŒUVRARD^Zoé", "ŒUVRARD^Zoé"},
		{"Latin-1 accents", CharsetLatin1, "LEFÈVRE^Zoé", "LEF\xc8VRE^Zo\xe9", "LEFÈVRE^Zoé"},
		{"Latin-1 spells out Œ", CharsetLatin1, "ŒUVRARD^Cœur", "OEUVRARD^Coeur", "OEUVRARD^Coeur"},
		{"Latin-1 drops accents it lacks", CharsetLatin1, "Łukasz Ğ", "?ukasz G", "?ukasz G"},
		{"ASCII drops accents", CharsetDefault, "DUPRÉ^Françoise", "DUPRE^Francoise", "DUPRE^Francoise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded := tt.cs.Encode(tt.text)
			if string(encoded) != tt.encoded {
				t.Errorf("Encode = %q, want %q", encoded, tt.encoded)
			}
			if got := tt.cs.Decode(encoded); got != tt.decoded {
				t.Errorf("Decode = %q, want %q", got, tt.decoded)
			}
		})
	}
	if got := CharsetDefault.Decode([]byte("A\xe9")); got != "A\uFFFD" {
		t.Errorf("non-ASCII byte without a character set decoded as %q", got)
	}
	if got := CharsetUTF8.Decode([]byte("A\xe9")); got != "A\uFFFD" {
		t.Errorf("invalid UTF-8 decoded as %q", got)
	}
}

func TestParseCharset(t *testing.T) {
	tests := []struct {
		value string
		want  Charset
		ok    bool
	}{
		{"", CharsetDefault, true},
		{"ISO_IR 100", CharsetLatin1, true},
		{`ISO 2022 IR 100\ISO 2022 IR 100`, CharsetLatin1, true},
		{"ISO_IR 192 ", CharsetUTF8, true},
		{"ISO_IR 144", CharsetDefault, false},
	}
	for _, tt := range tests {
		got, ok := ParseCharset(tt.value)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCharset(%q) = %q, %v; want %q, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNegotiationChecks(t *testing.T) {
	base := func() *associate {
		return &associate{protocolVersion: 1, appContext: applicationContext, calledAE: "REPERE", callingAE: "CT1", maxLength: 16384}
	}
	n := negotiation{calledAE: "REPERE", abstractSyntaxes: []string{VerificationSOPClass}}
	restricted := n
	restricted.allowedCallingAE = []string{"CT1"}
	overloaded := n
	overloaded.overloaded = "too many associations"
	tests := []struct {
		name   string
		n      negotiation
		change func(*associate)
		want   *rejection
	}{
		{"accepted", n, func(*associate) {}, nil},
		{"protocol version", n, func(a *associate) { a.protocolVersion = 2 }, &rejection{1, 2, 2, ""}},
		{"application context", n, func(a *associate) { a.appContext = "1.2.3" }, &rejection{1, 1, 2, ""}},
		{"called AE", n, func(a *associate) { a.calledAE = "OTHER" }, &rejection{1, 1, 7, ""}},
		{"calling AE allowed", restricted, func(*associate) {}, nil},
		{"calling AE not allowed", restricted, func(a *associate) { a.callingAE = "LAPTOP" }, &rejection{1, 1, 3, ""}},
		{"maximum length too small for a PDV", n, func(a *associate) { a.maxLength = 6 }, &rejection{1, 1, 1, ""}},
		{"smallest maximum length", n, func(a *associate) { a.maxLength = 7 }, nil},
		{"maximum length 512", n, func(a *associate) { a.maxLength = 512 }, nil},
		{"no maximum length", n, func(a *associate) { a.maxLength = 0 }, nil},
		{"too many associations", overloaded, func(*associate) {}, &rejection{2, 3, 2, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rq := base()
			tt.change(rq)
			got := tt.n.check(rq)
			if got != nil {
				got.why = ""
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rejection{})); diff != "" {
				t.Errorf("rejection (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNegotiationContexts(t *testing.T) {
	n := negotiation{abstractSyntaxes: []string{VerificationSOPClass, WorklistFindSOPClass}}
	rq := &associate{contexts: []presentationContext{
		{id: 1, abstractSyntax: WorklistFindSOPClass, transferSyntaxes: []string{"1.2.840.10008.1.2.2", ImplicitVRLittleEndian, ExplicitVRLittleEndian}},
		{id: 3, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
		{id: 5, abstractSyntax: "1.2.840.10008.5.1.4.1.2.1.1", transferSyntaxes: []string{ImplicitVRLittleEndian}},
		{id: 7, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{"1.2.840.10008.1.2.2"}},
		{id: 3, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
		{id: 8, abstractSyntax: VerificationSOPClass, transferSyntaxes: []string{ImplicitVRLittleEndian}},
	}}
	answers, usable := n.answer(rq)
	var results []byte
	for _, a := range answers {
		results = append(results, a.result)
	}
	want := []byte{contextAccepted, contextAccepted, contextAbstractSyntaxNotSupport, contextTransferSyntaxNotSupport,
		contextUserRejection, contextUserRejection}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if usable[1].transferSyntax != ExplicitVRLittleEndian || usable[3].transferSyntax != ImplicitVRLittleEndian || len(usable) != 2 {
		t.Errorf("usable contexts: %+v %+v (%d)", usable[1], usable[3], len(usable))
	}
}
