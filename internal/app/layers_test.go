package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sourceFile is one non-test Go file of the module, parsed.
type sourceFile struct {
	pkg  string // path under the module root, e.g. internal/web
	path string
	file *ast.File
}

// moduleFiles parses every non-test Go file under cmd/ and internal/.
func moduleFiles(t *testing.T) []sourceFile {
	t.Helper()
	root := filepath.Join("..", "..")
	var out []sourceFile
	fset := token.NewFileSet()
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			out = append(out, sourceFile{pkg: filepath.ToSlash(rel), path: path, file: f})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d files found: is the module root where the test expects it?", len(out))
	}
	return out
}

func imports(f *ast.File) map[string]string {
	out := map[string]string{} // local name -> path
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		out[name] = p
	}
	return out
}

// TestOnlyTheApplicationEvaluatesTheScreening: the screening's rules are
// evaluated in one place, the application layer, so every entry point (the
// pages, the letters, FHIR, the worklist, MPPS) gets the same verdict. A
// call of the screening's Evaluate, or a screening.Input built, anywhere
// else fails this test.
func TestOnlyTheApplicationEvaluatesTheScreening(t *testing.T) {
	allowed := []string{"internal/app", "internal/screening"}
	calls := 0
	for _, sf := range moduleFiles(t) {
		imp := imports(sf.file)
		ast.Inspect(sf.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Evaluate" {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && imp[id.Name] != "" && imp[id.Name] != "repere/internal/screening" {
					return true // another package's function, e.g. checklist.Evaluate
				}
				if _, usesScreening := imp["screening"]; !usesScreening && sf.pkg != "internal/screening" {
					return true // a method of a type of its own
				}
				calls++
				if !slices.Contains(allowed, sf.pkg) {
					t.Errorf("%s calls the screening's Evaluate: only internal/app may", sf.path)
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Input" {
					if id, ok := sel.X.(*ast.Ident); ok && imp[id.Name] == "repere/internal/screening" && !slices.Contains(allowed, sf.pkg) {
						t.Errorf("%s builds a screening.Input: only internal/app evaluates the screening", sf.path)
					}
				}
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatal("no call of the screening's Evaluate found at all: the test no longer sees it")
	}
}

// TestLayers: the store is persistence only (it knows nothing of the DICOM
// services, the web or the use cases), and the domain packages know neither
// HTTP nor SQL.
func TestLayers(t *testing.T) {
	forbidden := map[string][]string{
		"internal/store": {"repere/internal/mpps", "repere/internal/worklist", "repere/internal/dimse", "repere/internal/web",
			"repere/internal/fhir", "repere/internal/app", "net/http"},
		"internal/app": {"repere/internal/web", "net/http", "database/sql"},
	}
	for _, domain := range []string{"catalog", "auth", "audit", "patient", "referral", "practice", "booking", "schedule", "screening",
		"documents", "billing", "privacy", "checklist", "actrecord", "report", "followup", "mpps", "clock", "review"} {
		forbidden["internal/"+domain] = []string{"net/http", "database/sql", "repere/internal/store", "repere/internal/app", "repere/internal/web"}
	}
	seen := map[string]bool{}
	for _, sf := range moduleFiles(t) {
		bad, ok := forbidden[sf.pkg]
		if !ok {
			continue
		}
		seen[sf.pkg] = true
		for _, p := range imports(sf.file) {
			if slices.Contains(bad, p) {
				t.Errorf("%s imports %s", sf.path, p)
			}
		}
	}
	for pkg := range forbidden {
		if !seen[pkg] {
			t.Errorf("package %s not found: update the test", pkg)
		}
	}
}

// TestStatisticsOutsideDoseComeFromStats: distributions, quantiles and
// proportions are the dashboards' common statistics, in internal/stats;
// package dose is the dose reports and their reference levels. A file of
// the application or the web layer that is not about dose (its name does
// not start with "dose") importing dose, e.g. for the activity dashboard's
// delays, fails this test.
func TestStatisticsOutsideDoseComeFromStats(t *testing.T) {
	for _, sf := range moduleFiles(t) {
		if sf.pkg != "internal/app" && sf.pkg != "internal/web" {
			continue
		}
		if strings.HasPrefix(filepath.Base(sf.path), "dose") {
			continue
		}
		for _, p := range imports(sf.file) {
			if p == "repere/internal/dose" {
				t.Errorf("%s imports internal/dose: take statistics from internal/stats", sf.path)
			}
		}
	}
}
