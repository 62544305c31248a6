package dimse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// le builds little-endian test input from uint16 (2 bytes), uint32
// (4 bytes), strings and byte slices.
func le(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case uint16:
			b = binary.LittleEndian.AppendUint16(b, v)
		case uint32:
			b = binary.LittleEndian.AppendUint32(b, v)
		case string:
			b = append(b, v...)
		case []byte:
			b = append(b, v...)
		default:
			panic("le: unsupported part")
		}
	}
	return b
}

func sampleDataset() *Dataset {
	return NewDataset(
		NewString(TagSpecificCharacterSet, "ISO_IR 192"),
		NewText(TagPatientName, PN, "LEFÈVRE^Zoé", CharsetUTF8),
		NewString(TagStudyInstanceUID, "2.25.1"),
		NewSequence(TagScheduledProcedureStepSeq, NewDataset(
			NewString(TagModality, "CT"),
			NewSequence(TagScheduledProtocolCodeSeq),
			NewString(TagSPSStartDate, ""),
		)),
		NewUint16(0x001021C0, 4),
		&Element{Tag: 0x00191001, VR: UN, Value: []byte{1, 2, 3, 4}},
	)
}

// dump is a comparable rendering of a dataset.
func dump(ds *Dataset) []string {
	var out []string
	for _, el := range ds.Elements() {
		line := el.Tag.String() + " " + string(el.VR) + " " + string(bytes.TrimRight(el.Value, " \x00"))
		out = append(out, line)
		for _, item := range el.Items {
			out = append(out, "item{")
			out = append(out, dump(item)...)
			out = append(out, "}")
		}
	}
	return out
}

func TestDatasetRoundTrip(t *testing.T) {
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian} {
		t.Run(ts, func(t *testing.T) {
			encoded, err := EncodeDataset(sampleDataset(), ts)
			if err != nil {
				t.Fatal(err)
			}
			if len(encoded)%2 != 0 {
				t.Errorf("odd encoded length %d", len(encoded))
			}
			decoded, err := DecodeDataset(encoded, ts, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dump(sampleDataset()), dump(decoded)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			if got := decoded.String(TagPatientName, CharsetUTF8); got != "LEFÈVRE^Zoé" {
				t.Errorf("patient name %q", got)
			}
		})
	}
}

func TestDecodeDataset(t *testing.T) {
	undefinedSeq := le(uint16(0x0040), uint16(0x0100), uint32(undefinedLength),
		uint16(0xFFFE), uint16(0xE000), uint32(undefinedLength),
		uint16(0x0008), uint16(0x0060), uint32(2), "CT",
		uint16(0xFFFE), uint16(0xE00D), uint32(0),
		uint16(0xFFFE), uint16(0xE0DD), uint32(0))
	tests := []struct {
		name     string
		ts       string
		input    []byte
		want     []string
		malforms bool
	}{
		{"empty", ImplicitVRLittleEndian, nil, nil, false},
		{"implicit element", ImplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), uint32(4), "P01 "),
			[]string{"(0010,0020) LO P01"}, false},
		{"explicit short length", ExplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), "LO", uint16(4), "P01 "),
			[]string{"(0010,0020) LO P01"}, false},
		{"explicit long length", ExplicitVRLittleEndian, le(uint16(0x0009), uint16(0x1001), "UN", uint16(0), uint32(2), "xy"),
			[]string{"(0009,1001) UN xy"}, false},
		{"undefined-length sequence and item", ImplicitVRLittleEndian, undefinedSeq,
			[]string{"(0040,0100) SQ ", "item{", "(0008,0060) CS CT", "}"}, false},
		{"unknown tag with undefined length is a sequence", ImplicitVRLittleEndian,
			le(uint16(0x0009), uint16(0x1002), uint32(undefinedLength), uint16(0xFFFE), uint16(0xE0DD), uint32(0)),
			[]string{"(0009,1002) SQ "}, false},
		{"out of order elements are sorted", ImplicitVRLittleEndian,
			le(uint16(0x0010), uint16(0x0020), uint32(2), "P1", uint16(0x0008), uint16(0x0050), uint32(2), "A1"),
			[]string{"(0008,0050) SH A1", "(0010,0020) LO P1"}, false},
		{"truncated header", ImplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), uint16(4)), nil, true},
		{"value past the end", ImplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), uint32(400), "P01 "), nil, true},
		{"huge length", ImplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), uint32(0xFFFFFFF0)), nil, true},
		{"unknown VR", ExplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), "ZZ", uint16(0)), nil, true},
		{"undefined length on a value", ImplicitVRLittleEndian, le(uint16(0x0010), uint16(0x0020), uint32(undefinedLength)), nil, true},
		{"item without delimiter", ImplicitVRLittleEndian, undefinedSeq[:len(undefinedSeq)-16], nil, true},
		{"stray item delimiter", ImplicitVRLittleEndian, le(uint16(0xFFFE), uint16(0xE00D), uint32(0)), nil, true},
		{"non-item in a sequence", ImplicitVRLittleEndian,
			le(uint16(0x0040), uint16(0x0100), uint32(8), uint16(0x0010), uint16(0x0010), uint32(0)), nil, true},
		{"item longer than its sequence", ImplicitVRLittleEndian,
			le(uint16(0x0040), uint16(0x0100), uint32(8), uint16(0xFFFE), uint16(0xE000), uint32(100)), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := DecodeDataset(tt.input, tt.ts, DefaultLimits)
			if tt.malforms {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, dump(ds)); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	long := le(uint16(0x0010), uint16(0x4000), uint32(2000), bytes.Repeat([]byte{'a'}, 2000))
	if _, err := DecodeDataset(long, ImplicitVRLittleEndian, Limits{MaxElementLength: 1000}); !errors.Is(err, ErrMalformed) {
		t.Errorf("element over the limit: err = %v", err)
	}
	// Sequences nested deeper than MaxDepth.
	var nested []byte
	for range 5 {
		nested = le(uint16(0x0040), uint16(0x0100), uint32(undefinedLength), uint16(0xFFFE), uint16(0xE000), uint32(undefinedLength), nested,
			uint16(0xFFFE), uint16(0xE00D), uint32(0), uint16(0xFFFE), uint16(0xE0DD), uint32(0))
	}
	if _, err := DecodeDataset(nested, ImplicitVRLittleEndian, Limits{MaxDepth: 5}); err != nil {
		t.Errorf("depth 5 within limit: %v", err)
	}
	if _, err := DecodeDataset(nested, ImplicitVRLittleEndian, Limits{MaxDepth: 4}); !errors.Is(err, ErrMalformed) {
		t.Errorf("depth over the limit: err = %v", err)
	}
}

func TestEncodePadding(t *testing.T) {
	tests := []struct {
		el   *Element
		want []byte
	}{
		{NewString(TagStudyInstanceUID, "1.2.3"), le(uint16(0x0020), uint16(0x000D), "UI", uint16(6), "1.2.3\x00")},
		{NewText(TagPatientID, LO, "P01", CharsetDefault), le(uint16(0x0010), uint16(0x0020), "LO", uint16(4), "P01 ")},
		{NewSequence(TagReferencedStudySequence), le(uint16(0x0008), uint16(0x1110), "SQ", uint16(0), uint32(0))},
	}
	for _, tt := range tests {
		got, err := EncodeDataset(NewDataset(tt.el), ExplicitVRLittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got % x, want % x", tt.el.Tag, got, tt.want)
		}
	}
	tooLong := &Element{Tag: TagPatientID, VR: LO, Value: make([]byte, 70000)}
	if _, err := EncodeDataset(NewDataset(tooLong), ExplicitVRLittleEndian); err == nil {
		t.Error("70000-byte LO encoded with a 16-bit length")
	}
}

func TestDatasetSetGetRemove(t *testing.T) {
	ds := NewDataset(NewString(TagPatientID, "B"), NewString(TagAccessionNumber, "A"))
	ds.Set(NewString(TagPatientID, "C"))
	ds.Set(NewString(TagPatientName, "N"))
	if got := ds.String(TagPatientID, CharsetDefault); got != "C" {
		t.Errorf("replaced value %q", got)
	}
	ds.Remove(TagAccessionNumber)
	var tags []Tag
	for _, el := range ds.Elements() {
		tags = append(tags, el.Tag)
	}
	if diff := cmp.Diff([]Tag{TagPatientName, TagPatientID}, tags); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	var missing *Dataset
	if missing.Get(TagPatientID) != nil || missing.Len() != 0 {
		t.Error("nil dataset must read as empty")
	}
}
