package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// patientTables are the tables holding patient data. A new one must be added
// here, and every store method reading or writing it must call s.audited.
var patientTables = regexp.MustCompile(`(?i)\b(FROM|JOIN|INTO|UPDATE)\s+(patients|referrals)\b`)

// TestEveryPatientQueryIsAudited reads the store's own source: a function whose
// SQL touches a patient table without calling audited fails the build's tests,
// so a later handler cannot forget the audit trail.
func TestEveryPatientQueryIsAudited(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			body := string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
			if !patientTables.MatchString(body) {
				continue
			}
			checked++
			if !strings.Contains(body, "s.audited(") {
				t.Errorf("%s: %s touches patient data without calling s.audited", name, fn.Name.Name)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d functions touch patient tables: the pattern is probably stale", checked)
	}
}
