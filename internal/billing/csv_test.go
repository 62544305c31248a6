package billing

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	semicolon := "\ufeffcode;label;activity;phase;grid;amount_eur;effective_from\n" +
		"# a comment\n" +
		"lhlh002;Infiltration;1;0;optam;32,18;2026-01-01\n" +
		"\n" +
		"LHLH002;Infiltration;1;0;non_optam;9.60;2026-01-01\n"
	comma := "code,label,activity,phase,grid,amount_eur,effective_from,source,status\n" +
		`YYYY115,"Guidage scanographique, avec virgule",1,0,optam,25.27,2026-01-01,CCAM v80,not_confirmed` + "\n"
	rows, err := ParseCSV(strings.NewReader(semicolon), "extract")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Code != "LHLH002" || rows[0].Amount != 3218 || rows[1].Amount != 960 || rows[1].Grid != GridNonOPTAM ||
		rows[0].Source != "extract" || rows[0].Status != "confirmed" {
		t.Errorf("rows = %+v", rows)
	}
	rows, err = ParseCSV(strings.NewReader(comma), "extract")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Label != "Guidage scanographique, avec virgule" || rows[0].Source != "CCAM v80" || rows[0].Status != "not_confirmed" {
		t.Errorf("rows = %+v", rows)
	}
}

// Every problem is reported with its line and column; nothing is returned.
func TestParseCSVErrors(t *testing.T) {
	header := "code;label;activity;phase;grid;amount_eur;effective_from\n"
	tests := []struct {
		name, file string
		keys       []string
		lines      []int
	}{
		{"no header", "LHLH002;x;1;0;optam;1;2026-01-01\n", []string{"tariffs.err.header"}, []int{0}},
		{"wrong columns", "code;label;grid\nLHLH002;x;optam\n", []string{"tariffs.err.header"}, []int{1}},
		{"empty", header, []string{"tariffs.err.empty"}, []int{0}},
		{"bad values", header + "LHLH02;;x;-1;sector9;12,345;01/01/2026\n",
			[]string{"tariffs.err.code", "tariffs.err.label", "tariffs.err.activity", "tariffs.err.phase", "tariffs.err.grid", "tariffs.err.amount", "tariffs.err.date"},
			[]int{2, 2, 2, 2, 2, 2, 2}},
		{"short line", header + "LHLH002;x;1\n", []string{"tariffs.err.columns"}, []int{2}},
		{"duplicate", header + "LHLH002;x;1;0;optam;1;2026-01-01\nLHLH002;y;1;0;optam;2;2026-01-01\n", []string{"tariffs.err.duplicate"}, []int{3}},
		{"negative", header + "LHLH002;x;1;0;optam;-3;2026-01-01\n", []string{"tariffs.err.amount"}, []int{2}},
		{"status", header[:len(header)-1] + ";source;status\nLHLH002;x;1;0;optam;3;2026-01-01;s;sure\n", []string{"tariffs.err.status"}, []int{2}},
		{"not utf-8", header + "LHLH002;\xe9;1;0;optam;3;2026-01-01\n", []string{"tariffs.err.encoding"}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseCSV(strings.NewReader(tt.file), "s")
			var le LineErrors
			if !errors.As(err, &le) || rows != nil {
				t.Fatalf("rows %v, err %v", rows, err)
			}
			if len(le) != len(tt.keys) {
				t.Fatalf("errors %v, want keys %v", le, tt.keys)
			}
			for i, e := range le {
				if e.Key != tt.keys[i] || e.Line != tt.lines[i] {
					t.Errorf("error %d = %+v, want %s at line %d", i, e, tt.keys[i], tt.lines[i])
				}
			}
			if err.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestTableDiff(t *testing.T) {
	table, err := BuiltinTable()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ParseCSV(strings.NewReader("code;label;activity;phase;grid;amount_eur;effective_from\n"+
		"LHLH002;Infiltration thérapeutique d'articulation vertébrale postérieure, par voie transcutanée avec guidage scanographique;1;0;optam;32.18;2025-01-01\n"+
		"AFLB001;Injection péridurale de sang autologue [blood patch];1;0;optam;52.00;2025-01-01\n"+
		"AFLB001;Injection péridurale de sang autologue [blood patch];1;0;optam;53.00;2026-11-05\n"), "s")
	if err != nil {
		t.Fatal(err)
	}
	d := table.Diff(rows)
	if d.Unchanged != 1 || len(d.Changed) != 1 || d.Changed[0].Before.Amount != 5176 || d.Changed[0].After.Amount != 5200 ||
		len(d.Added) != 1 || d.Added[0].From != "2026-11-05" {
		t.Errorf("diff = %+v", d)
	}
	next, ok := table.With(rows).Next("AFLB001", GridOPTAM, "2026-03-10")
	if !ok || next.Amount != 5300 {
		t.Errorf("Next = %+v %v", next, ok)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("code;label;activity;phase;grid;amount_eur;effective_from\nLHLH002;x;1;0;optam;1,5;2026-01-01\n")
	f.Add("code,label,activity,phase,grid,amount_eur,effective_from\n\"a\nb\",x")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseCSV(strings.NewReader(s), "s")
		if err == nil && len(rows) == 0 {
			t.Error("no error and no row")
		}
		for _, r := range rows {
			if r.Amount < 0 || !codePattern.MatchString(r.Code) {
				t.Errorf("bad row accepted: %+v", r)
			}
		}
	})
}
