package web

import (
	"encoding/json"
	"io/fs"
	"net/http/httptest"
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

// TestFieldsScriptCarriesPatterns: /static/fields.js carries the limits of
// the fields named by pattern, read from the table fieldLimit reads, and
// uses them (TestBrowserFieldLimits runs the script in Chromium).
func TestFieldsScriptCarriesPatterns(t *testing.T) {
	rec := httptest.NewRecorder()
	fieldsScript().ServeHTTP(rec, httptest.NewRequest("GET", "/static/fields.js", nil))
	body := rec.Body.String()
	if len(fieldPatterns) == 0 {
		t.Fatal("no field pattern: fieldLimit's prefixes are gone")
	}
	for _, p := range fieldPatterns {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, string(b)) {
			t.Errorf("fields.js lacks the pattern %s", b)
		}
		if name := p.Prefix + "x" + p.Suffix; fieldLimit(name) != p.Max {
			t.Errorf("fieldLimit(%q) = %d, want the pattern's %d", name, fieldLimit(name), p.Max)
		}
	}
	if !strings.Contains(body, "el.maxLength = limitOf(el.name)") {
		t.Error("fields.js does not apply limitOf")
	}
}
