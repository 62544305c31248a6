package dimse

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Transfer syntaxes we negotiate: the two every DICOM implementation speaks.
const (
	ImplicitVRLittleEndian = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
)

const undefinedLength = 0xFFFFFFFF

// ErrMalformed wraps every decoding failure caused by the input.
var ErrMalformed = errors.New("dimse: malformed data")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// DecodeDataset parses a dataset encoded in the given transfer syntax. Values
// share memory with b. The limits bound element lengths and sequence depth;
// the total size is bounded by len(b), which the caller has already limited.
func DecodeDataset(b []byte, transferSyntax string, limits Limits) (*Dataset, error) {
	explicit, err := isExplicit(transferSyntax)
	if err != nil {
		return nil, err
	}
	d := &decoder{buf: b, explicit: explicit, limits: limits.withDefaults()}
	ds, err := d.dataset(len(b), 0, false)
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func isExplicit(transferSyntax string) (bool, error) {
	switch transferSyntax {
	case ImplicitVRLittleEndian:
		return false, nil
	case ExplicitVRLittleEndian:
		return true, nil
	}
	return false, fmt.Errorf("dimse: unsupported transfer syntax %q", transferSyntax)
}

type decoder struct {
	buf      []byte
	pos      int
	explicit bool
	limits   Limits
	slab     []Element // elements are allocated in blocks: a 5,000-match answer has 100,000
}

func (d *decoder) newElement(tag Tag, vr VR) *Element {
	if len(d.slab) == 0 {
		d.slab = make([]Element, 32)
	}
	el := &d.slab[0]
	d.slab = d.slab[1:]
	el.Tag, el.VR = tag, vr
	return el
}

func (d *decoder) remaining(end int) int { return end - d.pos }

func (d *decoder) uint16() uint16 {
	v := binary.LittleEndian.Uint16(d.buf[d.pos:])
	d.pos += 2
	return v
}

func (d *decoder) uint32() uint32 {
	v := binary.LittleEndian.Uint32(d.buf[d.pos:])
	d.pos += 4
	return v
}

// dataset reads elements up to end, or up to an item delimiter when
// untilDelimiter is set (an item of undefined length).
func (d *decoder) dataset(end, depth int, untilDelimiter bool) (*Dataset, error) {
	if depth > d.limits.MaxDepth {
		return nil, malformed("sequences nested deeper than %d", d.limits.MaxDepth)
	}
	ds := &Dataset{}
	for d.pos < end {
		if d.remaining(end) < 8 {
			return nil, malformed("truncated element header at offset %d", d.pos)
		}
		tag := NewTag(d.uint16(), d.uint16())
		if tag == TagItemDelimitation {
			d.pos += 4 // its length is always zero and carries nothing
			if !untilDelimiter {
				return nil, malformed("unexpected item delimiter")
			}
			return ds, nil
		}
		if tag.Group() == 0xFFFE {
			return nil, malformed("unexpected %s inside a dataset", tag)
		}
		el, err := d.element(tag, end, depth)
		if err != nil {
			return nil, err
		}
		if n := len(ds.elements); n > 0 && ds.elements[n-1].Tag >= tag {
			ds.Set(el) // out of order or repeated: tolerated, but kept sorted
		} else {
			ds.elements = append(ds.elements, el)
		}
	}
	if untilDelimiter {
		return nil, malformed("item without delimiter")
	}
	return ds, nil
}

func (d *decoder) element(tag Tag, end, depth int) (*Element, error) {
	vr, length, err := d.vrAndLength(tag, end)
	if err != nil {
		return nil, err
	}
	el := d.newElement(tag, vr)
	switch {
	case length == undefinedLength:
		// Only sequences may have an undefined length here (encapsulated
		// pixel data never reaches a worklist); an unknown tag with an
		// undefined length is a sequence by PS3.5 6.2.2.
		if vr != SQ && vr != UN {
			return nil, malformed("undefined length for %s %s", tag, vr)
		}
		el.VR = SQ
		el.Items, err = d.items(end, depth, true)
	case vr == SQ:
		if int64(length) > int64(d.remaining(end)) {
			return nil, malformed("sequence %s longer than its container", tag)
		}
		el.Items, err = d.items(d.pos+int(length), depth, false)
	default:
		if length > d.limits.MaxElementLength {
			return nil, malformed("element %s of %d bytes exceeds the limit", tag, length)
		}
		if int64(length) > int64(d.remaining(end)) {
			return nil, malformed("element %s longer than its container", tag)
		}
		el.Value = d.buf[d.pos : d.pos+int(length) : d.pos+int(length)]
		d.pos += int(length)
	}
	return el, err
}

func (d *decoder) vrAndLength(tag Tag, end int) (VR, uint32, error) {
	if !d.explicit {
		return LookupVR(tag), d.uint32(), nil
	}
	// Indexing the map with string(bytes) does not allocate.
	vr, known := knownVRs[string(d.buf[d.pos:d.pos+2])]
	if !known {
		return "", 0, malformed("unknown VR %q for %s", d.buf[d.pos:d.pos+2], tag)
	}
	d.pos += 2
	if !vr.hasLongLength() {
		return vr, uint32(d.uint16()), nil
	}
	if d.remaining(end) < 6 {
		return "", 0, malformed("truncated header of %s", tag)
	}
	d.pos += 2 // reserved
	return vr, d.uint32(), nil
}

// items reads sequence items up to end, or up to a sequence delimiter.
func (d *decoder) items(end, depth int, untilDelimiter bool) ([]*Dataset, error) {
	var items []*Dataset
	for {
		if !untilDelimiter && d.pos == end {
			return items, nil
		}
		if d.remaining(end) < 8 {
			return nil, malformed("truncated sequence at offset %d", d.pos)
		}
		tag := NewTag(d.uint16(), d.uint16())
		length := d.uint32()
		switch {
		case tag == TagSequenceDelimitation && untilDelimiter:
			return items, nil
		case tag != TagItem:
			return nil, malformed("expected an item, found %s", tag)
		}
		item, err := d.item(length, end, depth)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
}

func (d *decoder) item(length uint32, end, depth int) (*Dataset, error) {
	if length == undefinedLength {
		return d.dataset(end, depth+1, true)
	}
	if int64(length) > int64(d.remaining(end)) {
		return nil, malformed("item longer than its sequence")
	}
	return d.dataset(d.pos+int(length), depth+1, false)
}

// EncodeDataset encodes ds in the given transfer syntax. Sequences and items
// get defined lengths, which every console reads.
func EncodeDataset(ds *Dataset, transferSyntax string) ([]byte, error) {
	explicit, err := isExplicit(transferSyntax)
	if err != nil {
		return nil, err
	}
	return appendDataset(nil, ds, explicit)
}

func appendDataset(dst []byte, ds *Dataset, explicit bool) ([]byte, error) {
	var err error
	for _, el := range ds.Elements() {
		if dst, err = appendElement(dst, el, explicit); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendElement(dst []byte, el *Element, explicit bool) ([]byte, error) {
	vr := el.VR
	if vr == "" {
		vr = LookupVR(el.Tag)
	}
	if vr == SQ {
		return appendSequence(dst, el, explicit)
	}
	value := el.Value
	length := len(value) + len(value)%2
	dst = binary.LittleEndian.AppendUint16(dst, el.Tag.Group())
	dst = binary.LittleEndian.AppendUint16(dst, el.Tag.Element())
	switch {
	case !explicit:
		dst = binary.LittleEndian.AppendUint32(dst, uint32(length))
	case vr.hasLongLength():
		dst = append(dst, vr[0], vr[1], 0, 0)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(length))
	case length > 0xFFFE:
		return nil, fmt.Errorf("dimse: %s value of %d bytes too long for VR %s", el.Tag, length, vr)
	default:
		dst = append(dst, vr[0], vr[1])
		dst = binary.LittleEndian.AppendUint16(dst, uint16(length))
	}
	dst = append(dst, value...)
	if len(value)%2 == 1 {
		dst = append(dst, paddingFor(vr))
	}
	return dst, nil
}

// paddingFor is the byte that makes a value even-length (PS3.5 6.2).
func paddingFor(vr VR) byte {
	switch vr {
	case UI, "OB", UN:
		return 0
	}
	return ' '
}

func appendSequence(dst []byte, el *Element, explicit bool) ([]byte, error) {
	dst = binary.LittleEndian.AppendUint16(dst, el.Tag.Group())
	dst = binary.LittleEndian.AppendUint16(dst, el.Tag.Element())
	if explicit {
		dst = append(dst, 'S', 'Q', 0, 0)
	}
	seqLengthAt := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	for _, item := range el.Items {
		dst = binary.LittleEndian.AppendUint16(dst, 0xFFFE)
		dst = binary.LittleEndian.AppendUint16(dst, 0xE000)
		itemLengthAt := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		if dst, err = appendDataset(dst, item, explicit); err != nil {
			return nil, err
		}
		patchLength(dst, itemLengthAt)
	}
	patchLength(dst, seqLengthAt)
	return dst, nil
}

// patchLength writes at offset the number of bytes that follow its 4 bytes.
func patchLength(dst []byte, offset int) {
	binary.LittleEndian.PutUint32(dst[offset:], uint32(len(dst)-offset-4))
}
