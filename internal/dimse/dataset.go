package dimse

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Element is one attribute of a dataset. Value holds the raw little-endian
// bytes as on the wire (text is in the dataset's character set, padding
// included); Items holds the items of a sequence (VR SQ), and a sequence with
// no items is a valid, empty value.
type Element struct {
	Tag   Tag
	VR    VR
	Value []byte
	Items []*Dataset
}

// Dataset is an ordered set of elements, kept sorted by tag as PS3.5 7.1
// requires on the wire.
type Dataset struct {
	elements []*Element
}

// NewDataset returns a dataset holding the given elements; later duplicates
// replace earlier ones.
func NewDataset(elements ...*Element) *Dataset {
	ds := &Dataset{}
	for _, el := range elements {
		ds.Set(el)
	}
	return ds
}

// Elements returns the elements in tag order. The slice must not be modified.
func (ds *Dataset) Elements() []*Element {
	if ds == nil {
		return nil
	}
	return ds.elements
}

// Len is the number of elements.
func (ds *Dataset) Len() int { return len(ds.Elements()) }

// Get returns the element with the given tag, or nil.
func (ds *Dataset) Get(tag Tag) *Element {
	if ds == nil {
		return nil
	}
	i, found := ds.search(tag)
	if !found {
		return nil
	}
	return ds.elements[i]
}

// Set adds el, replacing any element with the same tag.
func (ds *Dataset) Set(el *Element) {
	i, found := ds.search(el.Tag)
	if found {
		ds.elements[i] = el
		return
	}
	// Elements are usually added in tag order: appending is the common case.
	ds.elements = slices.Insert(ds.elements, i, el)
}

// Remove deletes the element with the given tag, if any.
func (ds *Dataset) Remove(tag Tag) {
	if i, found := ds.search(tag); found {
		ds.elements = slices.Delete(ds.elements, i, i+1)
	}
}

func (ds *Dataset) search(tag Tag) (int, bool) {
	n := len(ds.elements)
	if n == 0 || ds.elements[n-1].Tag < tag {
		return n, false
	}
	return slices.BinarySearchFunc(ds.elements, tag, func(el *Element, t Tag) int {
		return int(int64(el.Tag) - int64(t))
	})
}

// String returns the element's value as text decoded with cs, without the
// padding and the leading and trailing spaces that PS3.5 declares
// insignificant. It is "" for a missing element.
func (ds *Dataset) String(tag Tag, cs Charset) string {
	el := ds.Get(tag)
	if el == nil {
		return ""
	}
	return el.String(cs)
}

// String decodes the element's value with cs and trims padding and spaces.
func (el *Element) String(cs Charset) string {
	if el.VR.IsText() {
		return trimValue(cs.Decode(el.Value))
	}
	return trimValue(string(el.Value))
}

// Uint16 returns the first value of a US element, or false.
func (el *Element) Uint16() (uint16, bool) {
	if el == nil || len(el.Value) < 2 {
		return 0, false
	}
	return binary.LittleEndian.Uint16(el.Value), true
}

// Float64 returns the first value of a numeric element: FD, FL, or the
// decimal text of DS and IS. It is false for a missing, empty or
// unreadable value, and for NaN and infinities, which no dose can be.
func (el *Element) Float64() (float64, bool) {
	if el == nil {
		return 0, false
	}
	var v float64
	switch {
	case el.VR == "FD" && len(el.Value) >= 8:
		v = math.Float64frombits(binary.LittleEndian.Uint64(el.Value))
	case el.VR == "FL" && len(el.Value) >= 4:
		v = float64(math.Float32frombits(binary.LittleEndian.Uint32(el.Value)))
	case el.VR == DS || el.VR == IS:
		first, _, _ := strings.Cut(trimValue(string(el.Value)), `\`)
		parsed, err := strconv.ParseFloat(strings.TrimSpace(first), 64)
		if err != nil {
			return 0, false
		}
		v = parsed
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// NewFloat64 builds an FD element.
func NewFloat64(tag Tag, v float64) *Element {
	return &Element{Tag: tag, VR: "FD", Value: binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))}
}

func trimValue(s string) string {
	return strings.Trim(s, " \x00")
}

// NewText builds a text element, encoding s with cs when the VR carries text
// in the specific character set.
func NewText(tag Tag, vr VR, s string, cs Charset) *Element {
	if vr.IsText() {
		return &Element{Tag: tag, VR: vr, Value: cs.Encode(s)}
	}
	return &Element{Tag: tag, VR: vr, Value: []byte(s)}
}

// NewString builds an element in the default repertoire (UI, CS, DA, TM, AE…)
// with the VR from the dictionary.
func NewString(tag Tag, s string) *Element {
	return &Element{Tag: tag, VR: LookupVR(tag), Value: []byte(s)}
}

// NewUint16 builds a US element.
func NewUint16(tag Tag, v uint16) *Element {
	return &Element{Tag: tag, VR: US, Value: binary.LittleEndian.AppendUint16(nil, v)}
}

// NewSequence builds an SQ element holding items (none is valid).
func NewSequence(tag Tag, items ...*Dataset) *Element {
	return &Element{Tag: tag, VR: SQ, Items: items}
}
