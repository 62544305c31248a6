package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// gzipWriters keeps compressors between answers. A compressor holds about
// 800 KB of tables: made anew for each answer, it was more than half of the
// bytes a page view allocated (the day board: 1.29 MB, 770 KB of it the
// compressor) and the garbage collector took a fifth of the server's CPU
// under bench/load. gzip.BestSpeed: a page is a few dozen KB of HTML on
// the practice's network, where the CPU matters more than the last bytes.
var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return gz
}}

// compressible are the content types worth compressing: text. PDFs, PNGs
// and calendar files travel as they are (PDFs are compressed inside).
var compressible = []string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json", "application/fhir+json", "image/svg+xml"}

// compress answers in gzip when the client accepts it and the answer is text.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// gzipWriter decides at the first header or byte whether to compress.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func (g *gzipWriter) decide(status int, first []byte) {
	if g.decided {
		return
	}
	g.decided = true
	h := g.Header()
	if h.Get("Content-Type") == "" && first != nil {
		h.Set("Content-Type", http.DetectContentType(first))
	}
	ct := h.Get("Content-Type")
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified || h.Get("Content-Encoding") != "" {
		return
	}
	for _, c := range compressible {
		if strings.HasPrefix(ct, c) {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			g.gz = gzipWriters.Get().(*gzip.Writer)
			g.gz.Reset(g.ResponseWriter)
			return
		}
	}
}

func (g *gzipWriter) WriteHeader(status int) {
	g.decide(status, nil)
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		g.decide(http.StatusOK, b)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// Flush sends what is compressed so far (htmx polling, long pages).
func (g *gzipWriter) Flush() {
	if g.gz != nil {
		g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// close ends the gzip stream and gives the compressor back to the pool
// (Reset on the next answer drops everything of this one).
func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		g.gz.Reset(nil)
		gzipWriters.Put(g.gz)
		g.gz = nil
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }
