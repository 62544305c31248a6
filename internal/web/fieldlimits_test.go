package web

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
)

// TestTemplateMaxlengthsWithinServerLimits: a maxlength written in a
// template never lets a browser send more than guard accepts for that
// field (fields without one get the server's limit from fields.js).
func TestTemplateMaxlengthsWithinServerLimits(t *testing.T) {
	tag := regexp.MustCompile(`<(?:input|textarea)\b[^>]*>`)
	name := regexp.MustCompile(`\bname="([a-z_.]+)"`)
	maxlength := regexp.MustCompile(`\bmaxlength="(\d+)"`)
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
			n, m := name.FindStringSubmatch(el), maxlength.FindStringSubmatch(el)
			if n == nil || m == nil {
				continue
			}
			checked++
			if v, _ := strconv.Atoi(m[1]); v > fieldLimit(n[1]) {
				t.Errorf("%s: %s has maxlength %d, the server accepts %d", path, n[1], v, fieldLimit(n[1]))
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
