package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestDashboardsReadTheirPeriodAlike: the dose, activity and outcomes
// dashboards read the same period filters the same way: a valid period is
// shown as read, a bad date or a period ending before it starts is refused
// next to its field, with what was typed kept.
func TestDashboardsReadTheirPeriodAlike(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Radiologist)
	cases := []struct {
		query, from, to string
		status          int
		errorOn         string
	}{
		{"", "", "", http.StatusOK, ""},
		{"from=2026-01-01&to=2026-03-31", "2026-01-01", "2026-03-31", http.StatusOK, ""},
		{"from=2026-13-01&to=2026-03-31", "2026-13-01", "2026-03-31", http.StatusUnprocessableEntity, "from"},
		{"from=2026-01-01&to=hier", "2026-01-01", "hier", http.StatusUnprocessableEntity, "to"},
		{"from=2026-03-31&to=2026-01-01", "2026-03-31", "2026-01-01", http.StatusUnprocessableEntity, "to"},
	}
	value := func(body, field string) string {
		m := regexp.MustCompile(`name="` + field + `" type="date" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			return "(no field)"
		}
		return m[1]
	}
	for _, page := range []string{"/staff/dose", "/staff/activity", "/staff/outcomes"} {
		for _, tc := range cases {
			r := c.get(page + "?" + tc.query)
			if r.status != tc.status {
				t.Errorf("%s?%s: %d, want %d", page, tc.query, r.status, tc.status)
			}
			if tc.from != "" && (value(r.body, "from") != tc.from || value(r.body, "to") != tc.to) {
				t.Errorf("%s?%s: shows %s to %s, want %s to %s", page, tc.query, value(r.body, "from"), value(r.body, "to"), tc.from, tc.to)
			}
			if tc.from == "" && (value(r.body, "from") == "" || value(r.body, "to") == "") {
				t.Errorf("%s: the default period is not shown", page)
			}
			for _, field := range []string{"from", "to"} {
				marked := regexp.MustCompile(`<div class="has-error"><label for="[a-z]-` + field + `"`).MatchString(r.body)
				if marked != (field == tc.errorOn) {
					t.Errorf("%s?%s: error on %s: %v, want the error on %q", page, tc.query, field, marked, tc.errorOn)
				}
			}
		}
	}
}

// TestDashboardExportsRefuseABadPeriod: a CSV of a dashboard whose period
// is refused is refused too, in the user's language, rather than a file of
// the default twelve months.
func TestDashboardExportsRefuseABadPeriod(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Radiologist)
	for _, export := range []string{"/staff/dose/table/export", "/staff/activity/export", "/staff/outcomes/export"} {
		if r := c.get(export + "?from=2026-01-01&to=2026-03-31"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s, a good period: %d %s", export, r.status, r.header.Get("Content-Type"))
		}
		r := c.get(export + "?from=2026-03-31&to=2026-01-01")
		if r.status != http.StatusUnprocessableEntity || strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.body, "corrigez les dates") {
			t.Errorf("%s, a period ending before it starts: %d %s", export, r.status, r.header.Get("Content-Type"))
		}
	}
}
