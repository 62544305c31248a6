package web

import (
	"bytes"
	"context"
	"maps"
	"net/http"

	"repere/internal/store"
)

// inReadUnit runs a signed-in GET page in one read unit of work (see
// store.ReadUnit): one transaction for every store call of the page, its
// audit entries written together. The page is buffered and sent only once
// the unit, and so its audit, is committed: no answer leaves without it.
func (s *Server) inReadUnit(rt route, w http.ResponseWriter, r *http.Request) error {
	// The handler's headers are its answer's: kept apart until the unit is
	// committed, so that an error page never carries a download's headers.
	buf := &bufferedWriter{header: w.Header().Clone(), body: getBuffer()}
	defer putBuffer(buf.body)
	err := s.store.ReadUnit(r.Context(), func(ctx context.Context) error {
		return rt.handle(buf, r.WithContext(ctx))
	})
	if err != nil {
		return err
	}
	clear(w.Header())
	maps.Copy(w.Header(), buf.header)
	if buf.status != 0 {
		w.WriteHeader(buf.status)
	}
	_, err = w.Write(buf.body.Bytes())
	return err
}

// bufferedWriter holds a response, headers included, until it may be sent.
type bufferedWriter struct {
	header http.Header
	status int
	body   *bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// countStatements wraps the whole handler: each request's statements and
// transactions go to /metrics under its route.
func (s *Server) countStatements(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &store.Counter{}
		next.ServeHTTP(w, r.WithContext(store.WithCounter(r.Context(), c)))
		route := info(r).route
		s.metrics.statements.WithLabelValues(route).Observe(float64(c.Statements()))
		s.metrics.transactions.WithLabelValues(route).Observe(float64(c.Transactions()))
	})
}

// readUnit runs fn with r carrying one read unit of work (joined by the
// page's own unit for a GET). A POST reads its page this way, then writes
// through its use case once the unit is over: a page's many reads cost one
// transaction, and no lock is held while the form is checked or a document
// made.
func (s *Server) readUnit(r *http.Request, fn func(r *http.Request) error) error {
	return s.store.ReadUnit(r.Context(), func(ctx context.Context) error { return fn(r.WithContext(ctx)) })
}
