// Package spreadsheet writes the CSV files the staff open in a spreadsheet:
// semicolon-separated with decimal points, as a French spreadsheet reads
// them, and with every cell a spreadsheet would run as a formula made
// inert. Names, protocols and station names come from patients, referring
// physicians and scanners: a protocol named "=HYPERLINK(…)" must reach the
// spreadsheet as text (the "CSV injection" of OWASP). encoding/csv quotes
// cells but leaves formulas alone, so this thin layer sits on top of it.
package spreadsheet

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// Writer writes records like encoding/csv's Writer, each cell through Cell.
type Writer struct {
	c   *csv.Writer
	row []string
}

// NewWriter writes semicolon-separated records to w.
func NewWriter(w io.Writer) *Writer {
	c := csv.NewWriter(w)
	c.Comma = ';'
	return &Writer{c: c}
}

// Write writes one record, its cells made inert where needed.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for _, cell := range record {
		w.row = append(w.row, Cell(cell))
	}
	return w.c.Write(w.row)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.c.Flush() }

// Error reports an error of a previous Write or Flush.
func (w *Writer) Error() error { return w.c.Error() }

// Cell returns s, or s after an apostrophe when a spreadsheet would read it
// as a formula: it starts with =, +, -, @, a tab or a carriage return and is
// not a plain number (a negative amount stays a number).
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
