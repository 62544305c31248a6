package pdfa

import (
	"bytes"
	"encoding/binary"
	"math"
	"sync"
)

// sRGBProfile is an ICC version 2 display profile of sRGB (IEC 61966-2-1):
// the D50-adapted primaries and white point, and the sRGB transfer curve as
// a 1024-entry table. It is built here (a few kilobytes) rather than copied
// from a file whose licence would travel with it.
var sRGBProfile = sync.OnceValue(func() []byte {
	type tag struct {
		sig  string
		data []byte
	}
	curve := trcCurve()
	tags := []tag{
		{"desc", textDescription("sRGB IEC61966-2.1")},
		{"cprt", textType("No copyright, use freely")},
		{"wtpt", xyz(0.9642, 1.0, 0.8249)},
		{"rXYZ", xyz(0.4360747, 0.2225045, 0.0139322)},
		{"gXYZ", xyz(0.3850649, 0.7168786, 0.0971045)},
		{"bXYZ", xyz(0.1430804, 0.0606169, 0.7141733)},
		{"rTRC", curve}, {"gTRC", curve}, {"bTRC", curve},
	}
	var data bytes.Buffer
	offset := 128 + 4 + 12*len(tags)
	type entry struct {
		sig       string
		off, size int
	}
	var table []entry
	seen := map[*byte]entry{}
	for _, t := range tags {
		if e, ok := seen[&t.data[0]]; ok { // the three curves share one table
			table = append(table, entry{t.sig, e.off, e.size})
			continue
		}
		e := entry{t.sig, offset + data.Len(), len(t.data)}
		seen[&t.data[0]] = e
		table = append(table, e)
		data.Write(t.data)
		for data.Len()%4 != 0 {
			data.WriteByte(0)
		}
	}
	size := offset + data.Len()
	var p bytes.Buffer
	put := func(v any) { binary.Write(&p, binary.BigEndian, v) }
	put(uint32(size))
	put(uint32(0))          // preferred CMM
	put(uint32(0x02100000)) // version 2.1
	p.WriteString("mntrRGB XYZ ")
	put([6]uint16{2026, 1, 1, 0, 0, 0}) // a fixed date: equal bytes every time
	p.WriteString("acsp")
	put([4]uint32{}) // platform, flags, manufacturer, model
	put(uint64(0))   // attributes
	put(uint32(0))   // perceptual intent
	put([3]int32{s15(0.9642), s15(1.0), s15(0.8249)})
	put(uint32(0))  // creator
	put([16]byte{}) // profile id (version 4 only)
	put([28]byte{}) // reserved
	put(uint32(len(table)))
	for _, e := range table {
		p.WriteString(e.sig)
		put(uint32(e.off))
		put(uint32(e.size))
	}
	p.Write(data.Bytes())
	return p.Bytes()
})

func s15(v float64) int32 { return int32(math.Round(v * 65536)) }

func xyz(x, y, z float64) []byte {
	var b bytes.Buffer
	b.WriteString("XYZ ")
	binary.Write(&b, binary.BigEndian, [4]int32{0, s15(x), s15(y), s15(z)})
	return b.Bytes()
}

func textType(s string) []byte {
	return append([]byte("text\x00\x00\x00\x00"+s), 0)
}

func textDescription(s string) []byte {
	var b bytes.Buffer
	b.WriteString("desc\x00\x00\x00\x00")
	binary.Write(&b, binary.BigEndian, uint32(len(s)+1))
	b.WriteString(s)
	b.WriteByte(0)
	binary.Write(&b, binary.BigEndian, [2]uint32{}) // no Unicode description
	binary.Write(&b, binary.BigEndian, uint16(0))   // no ScriptCode
	b.WriteByte(0)
	b.Write(make([]byte, 67))
	return b.Bytes()
}

// trcCurve is the sRGB transfer function, IEC 61966-2-1, sampled.
func trcCurve() []byte {
	const n = 1024
	var b bytes.Buffer
	b.WriteString("curv\x00\x00\x00\x00")
	binary.Write(&b, binary.BigEndian, uint32(n))
	for i := range n {
		v := float64(i) / (n - 1)
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		binary.Write(&b, binary.BigEndian, uint16(math.Round(v*65535)))
	}
	return b.Bytes()
}
