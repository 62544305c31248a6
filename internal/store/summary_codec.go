package store

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"
)

// The month snapshots (summary.go) hold the rows of DosedActs, ActivityOf
// and OutcomeActs in a compact column-wise encoding: each field of the
// rows is one column of varints (ids and times as deltas from the row
// before, strings as indexes in a small dictionary, floats as their raw
// bits), so a snapshot decodes in a few milliseconds with no parsing and
// gives back exactly the values the live query returns. gob was not used:
// it spends most of its time on reflection for 50,000-row months.
//
// Blob: uvarint format, uvarint rows, uvarint columns, then each column as
// uvarint length and bytes. A blob of another format is not decoded: the
// month is read live until the refresher rebuilds it.

// summaryFormat is the version of the encoding; bump it when a row type
// or the encoding changes (the refresher rebuilds every month then).
const summaryFormat = 1

var errSummaryBlob = errors.New("summary snapshot: malformed blob")

// columns is the encoder: one growing buffer per field.
type columns struct {
	cols  [][]byte
	dict  map[string]uint64
	words []string
	rows  int
}

func newColumns(n int) *columns {
	return &columns{cols: make([][]byte, n), dict: map[string]uint64{}}
}

func (c *columns) int(col int, v int64)   { c.cols[col] = binary.AppendVarint(c.cols[col], v) }
func (c *columns) uint(col int, v uint64) { c.cols[col] = binary.AppendUvarint(c.cols[col], v) }

// word appends a string of a small vocabulary (act ids, statuses).
func (c *columns) word(col int, s string) {
	i, ok := c.dict[s]
	if !ok {
		i = uint64(len(c.words))
		c.dict[s] = i
		c.words = append(c.words, s)
	}
	c.uint(col, i)
}

func (c *columns) bytes(col int, b []byte) {
	c.uint(col, uint64(len(b)))
	c.cols[col] = append(c.cols[col], b...)
}

// float appends a nullable float: 0 for nil, else 1 and its bits.
func (c *columns) float(col int, v *float64) {
	if v == nil {
		c.cols[col] = append(c.cols[col], 0)
		return
	}
	c.cols[col] = append(c.cols[col], 1)
	c.cols[col] = binary.LittleEndian.AppendUint64(c.cols[col], math.Float64bits(*v))
}

// blob ends the encoding; the dictionary is the last column.
func (c *columns) blob() []byte {
	var words []byte
	for _, w := range c.words {
		words = binary.AppendUvarint(words, uint64(len(w)))
		words = append(words, w...)
	}
	all := append(c.cols, words)
	out := binary.AppendUvarint(nil, summaryFormat)
	out = binary.AppendUvarint(out, uint64(c.rows))
	out = binary.AppendUvarint(out, uint64(len(all)))
	for _, col := range all {
		out = binary.AppendUvarint(out, uint64(len(col)))
		out = append(out, col...)
	}
	return out
}

// reader is the decoder; its first error sticks and zeroes what follows.
type reader struct {
	cols  [][]byte
	words []string
	rows  int
	err   error
}

func readColumns(blob []byte, n int) (*reader, error) {
	r := &reader{cols: [][]byte{blob}}
	if r.uint(0) != summaryFormat {
		return nil, errSummaryBlob
	}
	rows, count := r.uint(0), r.uint(0)
	if r.err != nil || count != uint64(n)+1 || rows > uint64(len(blob)) {
		return nil, errSummaryBlob
	}
	r.rows = int(rows)
	cols := make([][]byte, 0, n+1)
	for range n + 1 {
		size := r.uint(0)
		if r.err != nil || size > uint64(len(r.cols[0])) {
			return nil, errSummaryBlob
		}
		cols = append(cols, r.cols[0][:size])
		r.cols[0] = r.cols[0][size:]
	}
	r.cols = cols
	for len(r.cols[n]) > 0 && r.err == nil {
		r.words = append(r.words, string(r.bytes(n)))
	}
	return r, r.err
}

func (r *reader) fail() { r.err = errSummaryBlob }

// summaryRows is the number of rows a blob holds (0 if malformed), to size
// the slice that all the pieces of a period are decoded into.
func summaryRows(blob []byte) int {
	if format, k := binary.Uvarint(blob); format == summaryFormat && k > 0 {
		if rows, j := binary.Uvarint(blob[k:]); j > 0 && rows <= uint64(len(blob)) {
			return int(rows)
		}
	}
	return 0
}

func (r *reader) uint(col int) uint64 {
	v, k := binary.Uvarint(r.cols[col])
	if k <= 0 {
		r.fail()
		return 0
	}
	r.cols[col] = r.cols[col][k:]
	return v
}

func (r *reader) int(col int) int64 {
	v, k := binary.Varint(r.cols[col])
	if k <= 0 {
		r.fail()
		return 0
	}
	r.cols[col] = r.cols[col][k:]
	return v
}

func (r *reader) word(col int) string {
	i := r.uint(col)
	if i >= uint64(len(r.words)) {
		r.fail()
		return ""
	}
	return r.words[i]
}

func (r *reader) bytes(col int) []byte {
	n := r.uint(col)
	if n > uint64(len(r.cols[col])) {
		r.fail()
		return nil
	}
	b := r.cols[col][:n:n]
	r.cols[col] = r.cols[col][n:]
	return b
}

// float reads a nullable float into the next free cell of cells, whose
// capacity the caller has sized (one allocation for a whole snapshot).
func (r *reader) float(col int, cells *[]float64) *float64 {
	c := r.cols[col]
	if len(c) == 0 || c[0] > 1 || (c[0] == 1 && len(c) < 9) {
		r.fail()
		return nil
	}
	if c[0] == 0 {
		r.cols[col] = c[1:]
		return nil
	}
	r.cols[col] = c[9:]
	if len(*cells) == cap(*cells) {
		r.fail()
		return nil
	}
	*cells = append(*cells, math.Float64frombits(binary.LittleEndian.Uint64(c[1:9])))
	return &(*cells)[len(*cells)-1]
}

// delta encodes a sequence of ids or instants as differences, which stay
// small in rows sorted by time.
type delta struct{ last int64 }

func (d *delta) next(v int64) int64    { v, d.last = v-d.last, v; return v }
func (d *delta) back(diff int64) int64 { d.last += diff; return d.last }

// Times are UTC nanoseconds: the snapshots give back the instants the live
// queries read, in UTC as the store writes them.
func nanos(t time.Time) int64     { return t.UnixNano() }
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

const (
	dosedID = iota
	dosedAct
	dosedRoom
	dosedRadiologist
	dosedStart
	dosedDLP
	dosedCTDIvol
	dosedColumns
)

// encodeDosed encodes the rows of DosedActs (without their review, read
// live: a review does not touch the act).
func encodeDosed(acts []DosedAct) []byte {
	c := newColumns(dosedColumns)
	var id, start delta
	for _, d := range acts {
		c.int(dosedID, id.next(d.AppointmentID))
		c.word(dosedAct, d.ActID)
		c.int(dosedRoom, d.RoomID)
		c.int(dosedRadiologist, d.RadiologistID)
		c.int(dosedStart, start.next(nanos(d.Start)))
		c.float(dosedDLP, d.DLP)
		c.float(dosedCTDIvol, d.CTDIvol)
	}
	c.rows = len(acts)
	return c.blob()
}

func decodeDosed(blob []byte, out []DosedAct) ([]DosedAct, error) {
	r, err := readColumns(blob, dosedColumns)
	if err != nil {
		return out, err
	}
	var id, start delta
	cells := make([]float64, 0, 2*r.rows)
	out = slices.Grow(out, r.rows)
	for range r.rows {
		d := DosedAct{AppointmentID: id.back(r.int(dosedID)), ActID: r.word(dosedAct), RoomID: r.int(dosedRoom),
			RadiologistID: r.int(dosedRadiologist), Start: fromNanos(start.back(r.int(dosedStart))),
			DLP: r.float(dosedDLP, &cells), CTDIvol: r.float(dosedCTDIvol, &cells)}
		if r.err != nil {
			return out, r.err
		}
		out = append(out, d)
	}
	return out, nil
}

const (
	activityID = iota
	activityPatient
	activityAct
	activityStatus
	activityRoom
	activityRadiologist
	activityPlace
	activityStart
	activityRoomMinutes
	activityMonitorMinutes
	activityReferral
	activityColumns
)

func encodeActivity(acts []ActivityAct) []byte {
	c := newColumns(activityColumns)
	var id, start delta
	for _, a := range acts {
		c.int(activityID, id.next(a.ID))
		c.int(activityPatient, a.PatientID)
		c.word(activityAct, a.ActID)
		c.word(activityStatus, a.Status)
		c.int(activityRoom, a.RoomID)
		c.int(activityRadiologist, a.RadiologistID)
		c.int(activityPlace, a.PlaceID)
		c.int(activityStart, start.next(nanos(a.Start)))
		c.int(activityRoomMinutes, int64(a.RoomMinutes))
		c.int(activityMonitorMinutes, int64(a.MonitorMinutes))
		c.int(activityReferral, nanos(a.Start)-nanos(a.ReferralAt))
	}
	c.rows = len(acts)
	return c.blob()
}

func decodeActivity(blob []byte, out []ActivityAct) ([]ActivityAct, error) {
	r, err := readColumns(blob, activityColumns)
	if err != nil {
		return out, err
	}
	var id, start delta
	out = slices.Grow(out, r.rows)
	for range r.rows {
		a := ActivityAct{ID: id.back(r.int(activityID)), PatientID: r.int(activityPatient), ActID: r.word(activityAct),
			Status: r.word(activityStatus), RoomID: r.int(activityRoom), RadiologistID: r.int(activityRadiologist),
			PlaceID: r.int(activityPlace), Start: fromNanos(start.back(r.int(activityStart))),
			RoomMinutes: int(r.int(activityRoomMinutes)), MonitorMinutes: int(r.int(activityMonitorMinutes))}
		a.ReferralAt = fromNanos(nanos(a.Start) - r.int(activityReferral))
		if r.err != nil {
			return out, r.err
		}
		out = append(out, a)
	}
	return out, nil
}

const (
	outcomeID = iota
	outcomePatient
	outcomeAct
	outcomeStart
	outcomeScores // count, then day and value pairs
	outcomeKind   // 0 no record, 1 "no complication", 2 another record
	outcomeRecord
	outcomeColumns
)

func encodeOutcomes(acts []OutcomeAct) []byte {
	c := newColumns(outcomeColumns)
	var id, start delta
	for _, o := range acts {
		c.int(outcomeID, id.next(o.ID))
		c.int(outcomePatient, o.PatientID)
		c.word(outcomeAct, o.ActID)
		c.int(outcomeStart, start.next(nanos(o.Start)))
		c.uint(outcomeScores, uint64(len(o.Scores)))
		for day, value := range o.Scores {
			c.int(outcomeScores, int64(day))
			c.int(outcomeScores, int64(value))
		}
		kind := uint64(0)
		if o.HasRecord {
			kind = 2
			if o.NoComplication {
				kind = 1
			}
		}
		c.uint(outcomeKind, kind)
		c.bytes(outcomeRecord, o.Record)
	}
	c.rows = len(acts)
	return c.blob()
}

func decodeOutcomes(blob []byte, out []OutcomeAct) ([]OutcomeAct, error) {
	r, err := readColumns(blob, outcomeColumns)
	if err != nil {
		return out, err
	}
	var id, start delta
	out = slices.Grow(out, r.rows)
	for range r.rows {
		o := OutcomeAct{ID: id.back(r.int(outcomeID)), PatientID: r.int(outcomePatient), ActID: r.word(outcomeAct),
			Start: fromNanos(start.back(r.int(outcomeStart)))}
		n := r.uint(outcomeScores)
		if n > uint64(len(r.cols[outcomeScores])) {
			return out, errSummaryBlob
		}
		o.Scores = make(map[int]int, n)
		for range n {
			day := r.int(outcomeScores)
			o.Scores[int(day)] = int(r.int(outcomeScores))
		}
		kind := r.uint(outcomeKind)
		o.HasRecord, o.NoComplication = kind > 0, kind == 1
		if record := r.bytes(outcomeRecord); len(record) > 0 {
			o.Record = append([]byte(nil), record...)
		}
		if r.err != nil || kind > 2 {
			return out, errSummaryBlob
		}
		out = append(out, o)
	}
	return out, nil
}
