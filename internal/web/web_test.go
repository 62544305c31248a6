package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// concretePath turns a route pattern into a path to request.
func (h *harness) concretePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	path = strings.ReplaceAll(path, "{slug}", h.cat.Acts()[0].Slug)
	if strings.Contains(path, "/catalogue/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.cat.Acts()[0].ID)
	}
	path = strings.ReplaceAll(path, "{act}", h.cat.Acts()[0].ID)
	path = strings.ReplaceAll(path, "{action}", "hours")
	path = strings.ReplaceAll(path, "{doc}", "convocation.pdf")
	if strings.HasPrefix(path, "/referrer/reports/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.referrerReportID())
	}
	if strings.Contains(path, "/referral-documents/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.referralDocumentID())
	}
	if strings.Contains(path, "/reports/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.reportID())
	}
	if strings.Contains(path, "/consents/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.consentID())
	}
	if strings.HasPrefix(path, "/q/{token}") {
		path = strings.ReplaceAll(path, "{token}", h.questionnaireToken())
	}
	if strings.Contains(path, "{token}") {
		path = strings.ReplaceAll(path, "{token}", h.feedToken())
	}
	if strings.Contains(path, "/referrals/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.referralID("LEFÈVRE"))
	}
	if strings.Contains(path, "/appointments/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.appointmentID())
	}
	if strings.Contains(path, "/patients/{id}") {
		path = strings.ReplaceAll(path, "{id}", h.firstPatientID())
	}
	if strings.Contains(path, "/users/{id}") {
		// The demo radiographer: no test signs in with it, so resetting its password is harmless.
		u, _ := h.store.UserByLogin(context.Background(), "manip")
		path = strings.ReplaceAll(path, "{id}", itoa(u.ID))
	}
	return method, path
}

// TestAccessMatrix requests every route as every role and as an anonymous
// visitor, and checks the answer against the route table's roles.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	clients := map[string]*client{"anonymous": h.client()}
	for _, role := range auth.Roles {
		clients[string(role)] = h.signedIn(role)
	}
	routes := h.srv.Routes()
	patterns := make([]string, 0, len(routes))
	for p := range routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		roles := routes[pattern]
		for who, c := range clients {
			if pattern == "POST /logout" || pattern == "POST /password" || pattern == "POST /login" {
				continue // these change the client's own session; tested on their own
			}
			method, path := h.concretePath(pattern)
			if (strings.HasPrefix(pattern, "GET /portal/") && pattern != "GET /portal/{$}") || strings.HasPrefix(pattern, "POST /portal/appointments/") {
				// The portal's documents need the patient's own portal sign-in
				// (TestPortal); no staff role opens them.
				r := c.get(path)
				if method == "POST" {
					r = c.post(path, url.Values{"value": {"3"}})
				}
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s as %s: %d, want 401 without a portal sign-in", pattern, who, r.status)
				}
				continue
			}
			var r response
			if method == "GET" {
				r = c.get(path)
			} else {
				r = c.post(path, url.Values{"active": {"true"}})
			}
			allowed := roles == nil || (who != "anonymous" && auth.Role(who).In(roles...))
			switch {
			case allowed && (r.status == http.StatusForbidden || r.status == http.StatusUnauthorized || (r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login"))):
				t.Errorf("%s as %s: refused (%d), should be allowed", pattern, who, r.status)
			case allowed && r.status >= 500:
				t.Errorf("%s as %s: server error %d", pattern, who, r.status)
			case !allowed && who == "anonymous" && method == "GET" && !(r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login?next=")):
				t.Errorf("%s as anonymous: got %d (Location %q), want redirect to /login", pattern, r.status, r.header.Get("Location"))
			case !allowed && who == "anonymous" && method != "GET" && r.status != http.StatusUnauthorized:
				t.Errorf("%s as anonymous: got %d, want 401", pattern, r.status)
			case !allowed && who != "anonymous" && r.status != http.StatusForbidden:
				t.Errorf("%s as %s: got %d, want 403", pattern, who, r.status)
			}
		}
	}
}

// TestEveryPageRenders opens every page in both languages, as a role allowed
// to see it, and fails on any message left untranslated or page never rendered.
func TestEveryPageRenders(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin, secretary, referrer, patient := h.signedIn(auth.Admin), h.signedIn(auth.Secretary), h.signedIn(auth.Referrer), h.signedIn(auth.Patient)
		radiologist := h.signedIn(auth.Radiologist)
		anon := h.client()
		for _, lang := range []string{"fr", "en"} {
			for _, c := range []*client{admin, secretary, referrer, patient, radiologist, anon} {
				c.get("/?lang=" + lang)
			}
			for pattern, roles := range h.srv.Routes() {
				method, path := h.concretePath(pattern)
				if method != "GET" {
					continue
				}
				c := anon
				switch {
				case roles == nil:
				case auth.Secretary.In(roles...):
					c = secretary
				case auth.Admin.In(roles...):
					c = admin
				case auth.Radiologist.In(roles...):
					c = radiologist
				case auth.Referrer.In(roles...):
					c = referrer
				case auth.Patient.In(roles...):
					c = patient
				}
				r := c.get(path)
				if strings.HasPrefix(path, "/portal/") && path != "/portal/" {
					// Behind the portal's code: TestPortal reads them as their patient.
					if r.status != http.StatusUnauthorized {
						t.Errorf("%s without the portal code: %d, want 401", path, r.status)
					}
					continue
				}
				if strings.HasPrefix(path, "/q/") && strings.HasSuffix(path, "/consent") {
					// Behind the birth date: TestPatientSignsConsentThroughTheLink renders it.
					if r.status != http.StatusSeeOther {
						t.Errorf("%s without the birth date: %d, want a redirect", path, r.status)
					}
					continue
				}
				if r.status != http.StatusOK {
					t.Errorf("%s (%s): status %d", path, lang, r.status)
					continue
				}
				download := strings.HasSuffix(path, ".pdf") || strings.HasSuffix(path, "/pdf") || strings.HasSuffix(path, "/document") || strings.HasSuffix(path, "/export") || strings.HasPrefix(path, "/staff/reports/") || strings.HasPrefix(path, "/referrer/reports/") || strings.Contains(path, "/referral-documents/")
				if path != "/healthz" && !strings.HasPrefix(path, "/calendar/") && !download && !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("%s: not rendered in %s", path, lang)
				}
			}
			for _, act := range h.cat.Acts() {
				if r := anon.get("/actes/" + act.Slug); r.status != http.StatusOK {
					t.Errorf("act page %s: %d", act.Slug, r.status)
				}
			}
			secretary.do("GET", "/staff/patients?q=le", nil, map[string]string{"HX-Request": "true"})
			secretary.get("/staff/planning?view=week")
			anon.get("/no/such/page")
			anon.login("t.secretary", "wrong password!")
			secretary.post("/admin/users", nil) // forbidden: error page
			admin.post("/admin/users", url.Values{"login": {"x"}, "display_name": {""}, "role": {"nope"}})
			admin.get("/admin/audit?from=bad")
			admin.post("/admin/users", url.Values{"login": {"new.user"}, "display_name": {"New"}, "role": {"secretary"}})
			admin.get("/password")
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.missing) > 0 {
			t.Errorf("untranslated message keys: %v", h.missing)
		}
		for _, name := range h.srv.PageNames() {
			if !h.pages[name] {
				t.Errorf("page template %q was never rendered by the test", name)
			}
		}
	})
}

func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle="|\son[a-z]+="|javascript:`)
	for _, path := range []string{"/", "/actes/" + h.cat.Acts()[0].Slug, "/admin", "/admin/users", "/admin/audit", "/staff/catalogue", "/login"} {
		r := c.get(path)
		if m := inline.FindString(r.body); m != "" {
			t.Errorf("%s has inline script or style (blocked by the CSP): %q", path, m)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	r := h.client().get("/")
	for header, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if got := r.header.Get(header); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", header, got, want)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP lacks frame-ancestors")
	}
	if r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent while not enabled")
	}
}
