package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// redirectPayloads are targets that browsers follow off-site, as typed in a
// form or a query once the server decoded it.
var redirectPayloads = []string{
	"//evil.example/x",
	"///evil.example/x",
	"/\t/evil.example/x",
	"/\n/evil.example/x",
	"/\r\n/evil.example",
	"\t//evil.example",
	"/\\evil.example",
	"\\/evil.example",
	"\\\\evil.example",
	"/\\/evil.example",
	"/%09/evil.example/x",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/%5Cevil.example",
	"/%5c%5cevil.example",
	"/%252F%252Fevil.example",
	"/%0a/evil.example",
	"/%00/evil.example",
	"https://evil.example",
	"http:evil.example",
	"javascript:alert(1)",
	"JAVASCRIPT:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"//user@evil.example",
	"https://repere.example@evil.example/",
	"evil.example",
	"./evil",
	"../evil",
	"",
	" /staff",
	"/\u0085/evil.example",
	"/\u2028/evil.example",
	"/./\\evil.example",
	"/.//evil.example",
	"/staff/../\\evil.example",
	"/" + strings.Repeat("a", maxRedirectLength),
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, target := range redirectPayloads {
		if got := safeNext(target); got != "" {
			t.Errorf("safeNext(%.80q) = %.80q, want it refused", target, got)
		}
	}
	for _, target := range []string{
		"/staff",
		"/staff/referrals/12#screening-h",
		"/staff/day?day=2026-11-23",
		"/staff/patients?q=Lef%C3%A8vre",
		"/staff/patients?q=Lefèvre Zoé",
		"/staff/waiting?freed=3&x=%2F",
		"/login?next=/staff",
		"/",
	} {
		if got := safeNext(target); got != target {
			t.Errorf("safeNext(%q) = %q, want it kept", target, got)
		}
	}
}

// FuzzSafeNext: whatever a request carries, the target kept is a path that a
// browser resolves to this site, as sent by http.Redirect and once decoded.
func FuzzSafeNext(f *testing.F) {
	for _, s := range redirectPayloads {
		f.Add(s)
	}
	f.Add("/staff/day?day=2026-11-23")
	f.Fuzz(func(t *testing.T, target string) {
		got := safeNext(target)
		if got == "" {
			return
		}
		if got != target || !strings.HasPrefix(got, "/") {
			t.Fatalf("safeNext(%q) = %q", target, got)
		}
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest("POST", "https://repere.example/login", nil), got, http.StatusSeeOther)
		location := w.Header().Get("Location")
		for _, loc := range []string{got, location} {
			for range 3 {
				if host, ok := browserHost(loc); !ok || host != "repere.example" {
					t.Fatalf("safeNext(%q) kept %q: a browser goes to %q", target, loc, host)
				}
				d, err := url.PathUnescape(loc)
				if err != nil {
					break
				}
				loc = d
			}
		}
	})
}

// browserHost resolves a Location as a browser does (WHATWG URL: leading and
// trailing controls and spaces dropped, tabs and newlines removed anywhere,
// backslashes read as slashes in http(s) URLs) against a page of the site.
func browserHost(location string) (string, bool) {
	location = strings.TrimFunc(location, func(r rune) bool { return r <= ' ' })
	location = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(location)
	base, _ := url.Parse("https://repere.example/staff/day")
	ref, err := url.Parse(location)
	if err != nil { // Go is stricter than browsers: judge the path by hand
		if strings.HasPrefix(location, "/") && !strings.HasPrefix(location, "//") {
			return "repere.example", true
		}
		return location, false
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "https" {
		return u.Scheme + ":" + u.Host, false
	}
	return u.Host, true
}
