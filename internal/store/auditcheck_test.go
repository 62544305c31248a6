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
var patientTables = regexp.MustCompile(`(?i)\b(FROM|JOIN|INTO|UPDATE)\s+(patients|referrals|appointments|external_identifiers|referral_events|appointment_events|waiting_list|screenings|screening_links|screening_decisions|performed_steps|consents|consent_events|outbox|checklist_checks|checklist_overrides|portal_codes|act_records|report_drafts|reports|followup_scores|erasures|referral_documents|dose_reports|dose_alert_reviews|monitoring_observations|summary_months)\b`)

// helperMark marks an unexported helper that touches patient data inside a
// transaction its caller audits; every caller of such a helper is checked instead.
const helperMark = "// audited by the caller"

// TestEveryPatientQueryIsAudited reads the store's own source: a function whose
// SQL touches a patient table without calling audited fails the build's tests,
// so a later handler cannot forget the audit trail.
func TestEveryPatientQueryIsAudited(t *testing.T) {
	bodies := storeFunctions(t)
	helpers := map[string]bool{}
	for name, body := range bodies {
		if strings.Contains(body, helperMark) {
			if name[0] < 'a' || name[0] > 'z' {
				t.Errorf("%s is exported: only unexported helpers may leave auditing to their caller", name)
			}
			helpers[name] = true
		}
	}
	checked := 0
	for name, body := range bodies {
		if helpers[name] {
			continue
		}
		callsHelper := false
		for h := range helpers {
			callsHelper = callsHelper || strings.Contains(body, "s."+h+"(")
		}
		if !patientTables.MatchString(body) && !callsHelper {
			continue
		}
		checked++
		if !strings.Contains(body, "s.audited(") && !strings.Contains(body, "s.auditedEntry(") {
			t.Errorf("%s touches patient data without calling s.audited", name)
		}
	}
	if checked < 5 {
		t.Fatalf("only %d functions touch patient tables: the pattern is probably stale", checked)
	}
}

// storeFunctions returns the body of every function of the package's non-test files.
func storeFunctions(t *testing.T) map[string]string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	bodies := map[string]string{}
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
			key := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) > 0 {
				if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
					if id, ok := star.X.(*ast.Ident); ok && id.Name != "Store" {
						key = id.Name + "." + key
					}
				}
			}
			bodies[key] = string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
		}
	}
	return bodies
}
