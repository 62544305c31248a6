package billing

import (
	"encoding/csv"
	"strings"
	"testing"
)

// The export reads back as CSV with its header; amounts use a decimal
// point, an unknown amount is empty, and a cell that a spreadsheet would run
// as a formula is quoted.
func TestWriteDayCSV(t *testing.T) {
	var b strings.Builder
	err := WriteDayCSV(&b, []DayLine{
		{Day: "2026-03-10", Time: "10:00", AppointmentID: 7, PatientName: "=HYPERLINK(\"http://x\")", Code: "AHLH007", Activity: 1, Percent: 100,
			Tariff: 2880, Amount: 2880, Priced: true, ExtraFee: 4000, Recorded: true},
		{Day: "2026-03-10", Time: "10:00", AppointmentID: 7, PatientName: "-1+1", Code: "YYYY115", Activity: 1, Percent: 100},
	})
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(strings.NewReader(b.String()))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != 3 || len(rows[0]) != len(DayColumns) {
		t.Fatalf("rows %v: %v", rows, err)
	}
	col := func(row int, name string) string {
		for i, c := range DayColumns {
			if c == name {
				return rows[row][i]
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if col(1, "patient") != "'=HYPERLINK(\"http://x\")" || col(2, "patient") != "'-1+1" {
		t.Errorf("formula cells not quoted: %q %q", col(1, "patient"), col(2, "patient"))
	}
	if col(1, "montant_eur") != "28.80" || col(1, "depassement_eur") != "40.00" || col(2, "montant_eur") != "" || col(2, "source") != "rendez-vous" {
		t.Errorf("amounts: %v", rows)
	}
}
