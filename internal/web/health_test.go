package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"repere/internal/store"
)

// TestHealthzReportsUnwritableDatabase: a database that answers but takes no
// write (a read-only file or server, a full disk) made every form fail while
// /healthz said ok; it now answers 503 with the reason.
func TestHealthzReportsUnwritableDatabase(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.client()
		health := func() (int, map[string]string) {
			t.Helper()
			r := c.get("/healthz")
			var body map[string]string
			if err := json.Unmarshal([]byte(r.body), &body); err != nil {
				t.Fatalf("healthz body %q: %v", r.body, err)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Error("healthz may be cached")
			}
			return r.status, body
		}
		if code, body := health(); code != http.StatusOK || body["status"] != "ok" || body["reason"] != "" {
			t.Fatalf("healthy database: %d %v", code, body)
		}
		if h.store.Engine() == store.SQLite {
			h.store.SetMinFreeBytes(math.MaxUint64) // no disk has that much room: full
			if code, body := health(); code != http.StatusServiceUnavailable || body["reason"] != "disk full" {
				t.Errorf("full disk: %d %v", code, body)
			}
			h.store.SetMinFreeBytes(store.DefaultMinFreeBytes)
		}
		// One connection, made read-only, so every query of the server uses it.
		h.store.DB().SetMaxOpenConns(1)
		readOnly := `PRAGMA query_only = 1`
		if h.store.Engine() == store.Postgres {
			readOnly = `SET default_transaction_read_only = on`
		}
		if _, err := h.store.DB().Exec(readOnly); err != nil {
			t.Fatal(err)
		}
		if err := h.store.Ping(context.Background()); err != nil {
			t.Fatalf("the database no longer answers: %v", err) // what /healthz used to check
		}
		if code, body := health(); code != http.StatusServiceUnavailable || body["status"] != "unavailable" || body["reason"] != "database read-only" {
			t.Errorf("read-only database: %d %v", code, body)
		}
	})
}
