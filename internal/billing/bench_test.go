package billing

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkImportFullCCAM parses and diffs an extract the size of the whole
// CCAM on both grids (about 30,000 rows).
func BenchmarkImportFullCCAM(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("code;label;activity;phase;grid;amount_eur;effective_from\n")
	for i := 0; i < 15000; i++ {
		for _, grid := range []string{GridOPTAM, GridNonOPTAM} {
			fmt.Fprintf(&sb, "ABC%c%03d;Libellé d'un acte numéro %d, par voie transcutanée;1;0;%s;%d,%02d;2026-01-01\n", 'A'+i/1000, i%1000, i, grid, i%300, i%100)
		}
	}
	file := sb.String()
	table, err := BuiltinTable()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		rows, err := ParseCSV(strings.NewReader(file), "bench")
		if err != nil {
			b.Fatal(err)
		}
		table.Diff(rows)
	}
}

// BenchmarkEstimate computes a vertebroplasty estimate with a biopsy on a
// table overlaid by 30,000 imported rows.
func BenchmarkEstimate(b *testing.B) {
	cat := loadCatalog(&testing.T{})
	act, _ := cat.Act("vertebroplasty")
	builtin, _ := BuiltinTable()
	var rows []Tariff
	for i := 0; i < 30000; i++ {
		rows = append(rows, Tariff{Code: fmt.Sprintf("ZZZ%c%03d", 'A'+i/1000, i%1000), Activity: 1, Grid: GridOPTAM, Amount: Cents(i), From: "2026-01-01"})
	}
	table := builtin.With(rows)
	req := Request{Act: act, Variant: "three_or_more_vertebrae", Options: []string{"bone_biopsy"}, Day: "2026-03-10", Patient: general}
	for b.Loop() {
		if _, err := Compute(req, table); err != nil {
			b.Fatal(err)
		}
	}
}
