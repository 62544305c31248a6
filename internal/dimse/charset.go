package dimse

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Charset is a value of Specific Character Set (0008,0005) that we can
// encode and decode. Consoles differ in what they display: older ones only
// know Latin-1, newer ones UTF-8, so the choice is made per station.
type Charset string

// Supported character sets.
const (
	// CharsetDefault is the default repertoire (ASCII); it is what a dataset
	// without Specific Character Set uses.
	CharsetDefault Charset = ""
	// CharsetLatin1 is ISO 8859-1, enough for French except Œ/œ.
	CharsetLatin1 Charset = "ISO_IR 100"
	// CharsetUTF8 is Unicode in UTF-8.
	CharsetUTF8 Charset = "ISO_IR 192"
)

// ParseCharset maps a Specific Character Set value to the charset used to
// decode it. The ISO 2022 form of Latin-1 is read as Latin-1 because French
// text never needs the escape sequences; anything unknown is reported so the
// caller can decide, and decodes as the default repertoire.
func ParseCharset(value string) (Charset, bool) {
	// Only the first value matters for single-byte sets without extensions.
	first, _, _ := strings.Cut(strings.TrimSpace(value), `\`)
	switch strings.TrimSpace(first) {
	case "", "ISO_IR 6", "ISO 2022 IR 6":
		return CharsetDefault, true
	case "ISO_IR 100", "ISO 2022 IR 100":
		return CharsetLatin1, true
	case "ISO_IR 192":
		return CharsetUTF8, true
	}
	return CharsetDefault, false
}

// Decode converts bytes in this character set to a Go string. Bytes that
// cannot be decoded become U+FFFD, so matching on them fails instead of
// matching by accident.
func (cs Charset) Decode(b []byte) string {
	switch cs {
	case CharsetLatin1:
		return decodeLatin1(b)
	case CharsetUTF8:
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return decodeASCII(b)
}

// Encode converts s to this character set. Characters the set lacks are
// transliterated (Œ→OE, é→e in ASCII) or, failing that, replaced by '?':
// a console must always get a readable name, never broken bytes.
func (cs Charset) Encode(s string) []byte {
	switch cs {
	case CharsetUTF8:
		if utf8.ValidString(s) {
			return []byte(s)
		}
		return []byte(strings.ToValidUTF8(s, "?"))
	case CharsetLatin1:
		return encodeSingleByte(s, 0xFF)
	}
	return encodeSingleByte(s, 0x7F)
}

func decodeLatin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func decodeASCII(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
		} else {
			sb.WriteRune(utf8.RuneError)
		}
	}
	return sb.String()
}

// encodeSingleByte writes runes up to highest as one byte each.
func encodeSingleByte(s string, highest rune) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r <= highest && r != utf8.RuneError {
			out = append(out, byte(r))
			continue
		}
		out = append(out, transliterate(r, highest)...)
	}
	return out
}

// ligatures are the letters of French names that no single-byte set we
// support holds, spelled out as French typists do.
var ligatures = map[rune]string{'Œ': "OE", 'œ': "oe", 'Æ': "AE", 'æ': "ae", 'ß': "ss"}

func transliterate(r rune, highest rune) []byte {
	if s, ok := ligatures[r]; ok {
		return []byte(s)
	}
	// Drop accents: "Ł" has no decomposition, but "é" becomes "e" + U+0301.
	base := []rune(norm.NFD.String(string(r)))
	if len(base) > 0 && base[0] <= highest && base[0] != r {
		return []byte{byte(base[0])}
	}
	return []byte{'?'}
}

// Represents reports whether cs can carry s without loss (UTF-8 carries
// everything; ISO_IR 100 the first 256 code points; the default set ASCII).
func (cs Charset) Represents(s string) bool {
	if cs == CharsetUTF8 {
		return true
	}
	limit := rune(0x7F)
	if cs == CharsetLatin1 {
		limit = 0xFF
	}
	for _, r := range s {
		if r > limit {
			return false
		}
	}
	return true
}
