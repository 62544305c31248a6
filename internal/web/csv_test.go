package web_test

import (
	"encoding/csv"
	"mime"
	"net/http"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestCSVDownloadsShareTheirHeaders opens every GET route as a role allowed
// to and checks every CSV it answers the same way: UTF-8 text/csv, an
// attachment with a .csv name, never cached, and semicolon-separated
// records of one width.
func TestCSVDownloadsShareTheirHeaders(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	roles := []auth.Role{auth.Radiologist, auth.Secretary, auth.Admin, auth.Referrer}
	clients := map[auth.Role]*client{}
	for _, role := range roles {
		clients[role] = h.signedIn(role)
	}
	found := 0
	for pattern, allowed := range h.srv.Routes() {
		method, path := h.concretePath(pattern)
		if method != "GET" || allowed == nil {
			continue
		}
		var c *client
		for _, role := range roles {
			if c == nil && role.In(allowed...) {
				c = clients[role]
			}
		}
		if c == nil {
			continue
		}
		r := c.get(path)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			continue
		}
		found++
		if got := r.header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, got)
		}
		kind, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
		if err != nil || kind != "attachment" || !strings.HasSuffix(params["filename"], ".csv") {
			t.Errorf("%s: Content-Disposition %q", path, r.header.Get("Content-Disposition"))
		}
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
		reader := csv.NewReader(strings.NewReader(r.body))
		reader.Comma = ';'
		if records, err := reader.ReadAll(); err != nil || len(records) == 0 || len(records[0]) < 2 {
			t.Errorf("%s: not semicolon-separated records (%v): %.200q", path, err, r.body)
		}
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	if found != 5 {
		t.Errorf("%d CSV downloads found, want 5 (billing, activity, outcomes, dose table, dose export)", found)
	}
}
