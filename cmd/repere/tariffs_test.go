package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "repere tariffs import" refuses a wrong file whole, reports what a dry run
// would change without storing it, then stores it; "list" shows the tariff
// in force on a day and the next change.
func TestTariffsCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	header := "code;label;activity;phase;grid;amount_eur;effective_from\n"
	good := write("ccam.csv", header+
		"AFLB001;Injection péridurale de sang autologue [blood patch];1;0;optam;53,00;2026-11-05\n"+
		"LHLH002;Infiltration thérapeutique d'articulation vertébrale postérieure, par voie transcutanée avec guidage scanographique;1;0;optam;32,18;2025-01-01\n")
	bad := write("bad.csv", header+"AFLB001;x;1;0;sector1;53;2026-11-05\n")
	cmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"tariffs"}, append(args, "--db", db)...), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := cmd("import", bad); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	out, err := cmd("import", "--dry-run", good)
	if err != nil || !strings.Contains(out, "dry run, nothing stored") || !strings.Contains(out, "1 added, 0 changed, 1 unchanged") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if out, _ := cmd("list", "--day", "2026-03-10"); strings.Contains(out, "53.00 from 2026-11-05") {
		t.Fatal("the dry run stored the rows")
	}
	if out, err := cmd("import", "--source", "CCAM test", good); err != nil || !strings.Contains(out, "(imported)") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = cmd("list", "--day", "2026-03-10")
	if err != nil || !strings.Contains(out, "51.76") || !strings.Contains(out, "53.00 from 2026-11-05") || !strings.Contains(out, "CCAM test") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	if out, _ := cmd("list", "--day", "2026-11-05"); !strings.Contains(out, "53.00  ") {
		t.Errorf("list on the day of the change:\n%s", out)
	}
}
