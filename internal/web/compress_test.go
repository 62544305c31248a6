package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"repere/internal/storetest"
)

// TestCompressionStaticAndFavicon: pages and scripts go compressed to a
// client that accepts gzip (and read back whole), PDFs as they are; the
// static folder lists nothing; the pages name a favicon that is served.
func TestCompressionStaticAndFavicon(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: not gzip: %v", path, err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp, string(b)
	}
	for _, path := range []string{"/", "/static/app.css", "/static/htmx.min.js"} {
		resp, body := get(path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || len(body) < 100 {
			t.Errorf("%s: %d, encoding %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
	}
	resp, body := get("/")
	if !strings.Contains(body, `href="/static/favicon.svg"`) || strings.Contains(body, "Repère · Repère") {
		t.Error("no favicon link, or the footer names Repère twice")
	}
	if resp, _ := get("/static/favicon.svg"); resp.StatusCode != http.StatusOK {
		t.Errorf("favicon: %d", resp.StatusCode)
	}
	if resp, _ := get("/static/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/static/ answers %d: it lists the folder", resp.StatusCode)
	}
	_ = resp
	if resp, body := get("/actes/" + h.cat.Acts()[0].Slug + "/fiche.pdf"); resp.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("a PDF was compressed (%q)", resp.Header.Get("Content-Encoding"))
	}
}
