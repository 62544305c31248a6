package app

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestDoseCSVCellsAreInert: the protocol and station come from the scanner,
// the act's name from the catalogue; a value a spreadsheet would run as a
// formula reaches it as text, and the doses stay numbers.
func TestDoseCSVCellsAreInert(t *testing.T) {
	ctdi, dlp := 14.2, 312.5
	var b bytes.Buffer
	if err := WriteDoseCSV(&b, []DoseExportLine{{ActName: "Infiltration", Date: "2026-03-10", AgeYears: 61, Sex: "F",
		Station: "@CT1", Protocol: "=HYPERLINK(\"http://x\";\"Rachis\")", CTDIvol: &ctdi, DLP: &dlp}}); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %q: %v", rows, err)
	}
	if got := rows[1]; got[5] != "'@CT1" || got[6] != "'=HYPERLINK(\"http://x\";\"Rachis\")" || got[7] != "14.2" || got[8] != "312.5" {
		t.Fatalf("row %q", got)
	}
}
