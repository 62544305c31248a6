package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestTemplateMaxlengthsComeFromServerLimits: a maxlength written in a
// template is the server's limit for that field, taken from fieldLimits
// (fed by the domain's MaxLength maps) through the maxlength function,
// never a number of its own: a number below the limit stops a user typing
// what the server accepts, one above lets the browser send what it refuses.
// Fields without one get the server's limit from fields.js.
func TestTemplateMaxlengthsComeFromServerLimits(t *testing.T) {
	tag := regexp.MustCompile(`<(?:input|textarea)\b(?:[^>{]|\{\{[^}]*\}\})*>`)
	name := regexp.MustCompile(`\bname="((?:\{\{[^}]*\}\}|[^"{])+)"`)
	maxlength := regexp.MustCompile(`\bmaxlength="((?:\{\{[^}]*\}\}|[^"{])*)"`)
	checked := 0
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		for _, el := range tag.FindAllString(string(b), -1) {
			m := maxlength.FindStringSubmatch(el)
			if m == nil {
				continue
			}
			checked++
			n := name.FindStringSubmatch(el)
			if n == nil {
				t.Errorf("%s: a field with a maxlength and no name: %s", path, el)
				continue
			}
			want := `{{maxlength "` + n[1] + `"}}`
			if expr, ok := strings.CutPrefix(n[1], "{{"); ok { // a name the template computes
				want = `{{maxlength ` + strings.TrimSpace(strings.TrimSuffix(expr, "}}")) + `}}`
			}
			if m[1] != want {
				t.Errorf("%s: %s has maxlength=%q, want %q (the server's limit, %d)", path, n[1], m[1], want, fieldLimit(n[1]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d fields with a maxlength found: the pattern no longer matches the templates", checked)
	}
}
