package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"repere/internal/storetest"
)

// TestMetricsAccess: /metrics answers only the bearer token given with
// --metrics-token, from loopback too, unless the operator opened it.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	const token = "jeton-de-supervision"
	configs := []struct {
		name string
		cfg  func(*setup)
		// status by request: no header from loopback, no header from another
		// host, the token from loopback, the token from another host, a wrong token.
		want [5]int
		hint string // in the refusal of the first request
	}{
		{"no token", func(*setup) {}, [5]int{404, 404, 404, 404, 404}, "--metrics-token"},
		{"token", func(c *setup) { c.web.MetricsToken = token }, [5]int{401, 401, 200, 200, 401}, "--metrics-token"},
		{"open", func(c *setup) { c.web.MetricsOpen = true }, [5]int{200, 200, 200, 200, 200}, ""},
	}
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessWith(t, storetest.OpenSQLite(t), cfg.cfg)
			h.client().get("/")
			requests := []struct{ addr, auth string }{
				{"127.0.0.1:5555", ""}, {"192.0.2.10:5555", ""},
				{"127.0.0.1:5555", "Bearer " + token}, {"192.0.2.10:5555", "Bearer " + token},
				{"127.0.0.1:5555", "Bearer " + token + "x"},
			}
			for i, rq := range requests {
				req := httptest.NewRequest("GET", "/metrics", nil)
				req.RemoteAddr = rq.addr
				if rq.auth != "" {
					req.Header.Set("Authorization", rq.auth)
				}
				rec := httptest.NewRecorder()
				h.srv.Handler().ServeHTTP(rec, req)
				if rec.Code != cfg.want[i] {
					t.Errorf("from %s with %q: %d, want %d", rq.addr, rq.auth, rec.Code, cfg.want[i])
				}
				served := strings.Contains(rec.Body.String(), `repere_http_requests_total{code="200",route="GET /{$}"}`)
				if served != (rec.Code == http.StatusOK) {
					t.Errorf("from %s with %q: %d and metrics served: %v", rq.addr, rq.auth, rec.Code, served)
				}
				if i == 0 && cfg.hint != "" && !strings.Contains(rec.Body.String(), cfg.hint) {
					t.Errorf("refusal gives no hint: %.200q", rec.Body.String())
				}
				if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
}
