package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"Infiltration":                   "Infiltration",
		"=HYPERLINK(\"http://x\";\"a\")": "'=HYPERLINK(\"http://x\";\"a\")",
		"+33 6 12":                       "'+33 6 12",
		"-2+3":                           "'-2+3",
		"@SUM(A1)":                       "'@SUM(A1)",
		"\t=1":                           "'\t=1",
		"-12.50":                         "-12.50",
		"+4":                             "+4",
		"a=b":                            "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterRoundTrip: what the writer writes reads back, semicolon-
// separated, with the formula cell as text and the rest as given.
func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Write([]string{"protocol", "dlp"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"=cmd|' /C calc'!A0", "-1.5"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "'=cmd|' /C calc'!A0" || rows[1][1] != "-1.5" || rows[0][0] != "protocol" {
		t.Fatalf("read back %q", rows)
	}
}
