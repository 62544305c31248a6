// Package pdftest reads back the PDFs the tests render, with Debian's
// poppler-utils: their text (pdftotext) and an image of page 1 (pdftoppm).
// A missing tool skips the test, except under CI=true where the test command
// installs poppler-utils and its absence is a failure.
package pdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Tool returns the path of a poppler tool.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: install the Debian package poppler-utils", name)
		}
		t.Skipf("%s not found (Debian package poppler-utils)", name)
	}
	return path
}

// Text extracts the text of a PDF, lines joined by spaces so that a wrapped
// sentence still matches.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	tool := Tool(t, "pdftotext")
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// RenderPage1 renders page 1; with REPERE_SCREENSHOTS=1 the PNG is kept as
// docs/screenshots/documents/<name>.png (the caller is a package two levels
// below the repository, as internal/documents and internal/report are).
func RenderPage1(t testing.TB, pdf []byte, name string) {
	t.Helper()
	tool := Tool(t, "pdftoppm")
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	resolution := "60"
	if os.Getenv("REPERE_SCREENSHOTS") == "1" {
		resolution = "80"
	}
	prefix := filepath.Join(dir, "page")
	if out, err := exec.Command(tool, "-png", "-r", resolution, "-f", "1", "-l", "1", "-singlefile", file, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	img, err := os.ReadFile(prefix + ".png")
	if err != nil || len(img) == 0 {
		t.Fatalf("no page image: %v", err)
	}
	if os.Getenv("REPERE_SCREENSHOTS") == "1" {
		shots := filepath.Join("..", "..", "docs", "screenshots", "documents")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), img, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Archival checks an archival PDF (PDF/A-2b) with tools written by others:
// qpdf finds no error, pdffonts lists every font embedded, and pdfinfo reads
// the document title (exactly title: no patient's name) and the XMP back, with the PDF/A-2b
// identification. No PDF/A validator installs here: the file is checked,
// not validated.
func Archival(t testing.TB, pdf []byte, title string) {
	t.Helper()
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qpdf not found: install the Debian package qpdf")
		}
		t.Skip("qpdf not found (Debian package qpdf)")
	}
	file := filepath.Join(t.TempDir(), "archive.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", file).CombinedOutput(); err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	fonts, err := exec.Command(Tool(t, "pdffonts"), file).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no font:\n%s", fonts)
	}
	for _, line := range lines[2:] {
		if f := strings.Fields(line); len(f) < 5 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %s", line)
		}
	}
	info, _ := exec.Command(Tool(t, "pdfinfo"), file).CombinedOutput()
	if !regexp.MustCompile(`(?m)^Title:\s+` + regexp.QuoteMeta(title) + `$`).Match(info) {
		t.Errorf("pdfinfo does not read the title %q:\n%s", title, info)
	}
	meta, _ := exec.Command(Tool(t, "pdfinfo"), "-meta", file).CombinedOutput()
	for _, want := range []string{`pdfaid:part="2"`, `pdfaid:conformance="B"`, title} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("the XMP lacks %s:\n%s", want, meta)
		}
	}
}
