package web

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestCompressorsReusedAcrossAnswers: the compressors come from a pool, so
// each answer must decode to its own body alone, whatever answer the
// compressor served before, one after the other and at the same time.
func TestCompressorsReusedAcrossAnswers(t *testing.T) {
	body := func(n int) string {
		return "<!doctype html><p>" + strings.Repeat(fmt.Sprintf("answer %d; ", n), 50+n*37) + "</p>"
	}
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("n"), &n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		b := body(n)
		io.WriteString(w, b[:len(b)/2]) // two writes, as a template does
		io.WriteString(w, b[len(b)/2:])
	}))
	get := func(n int) error {
		req := httptest.NewRequest("GET", fmt.Sprintf("/?n=%d", n), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			return fmt.Errorf("answer %d not compressed", n)
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			return fmt.Errorf("answer %d: %v", n, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("answer %d: %v", n, err)
		}
		if string(got) != body(n) {
			return fmt.Errorf("answer %d: %d bytes, want %d", n, len(got), len(body(n)))
		}
		return nil
	}
	for n := range 20 {
		if err := get(n); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for n := range 64 {
		wg.Go(func() {
			if err := get(n); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkCompressedAnswer measures a 40 KB page through compress: its
// bytes and allocations per answer show whether compressors are reused.
func BenchmarkCompressedAnswer(b *testing.B) {
	page := "<!doctype html>" + strings.Repeat(`<article class="board-card"><p class="when">08:30 – 09:00</p><p class="who"><a href="/staff/referrals/12">LEFÈVRE Zoé</a></p></article>`, 300)
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
