package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"repere/internal/auth"
)

// offSite are redirect targets that browsers follow to another site, as a
// form or a decoded query carries them.
var offSite = []string{
	"/\t/evil.example/x", "/\n/evil.example", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
	"/%09/evil.example/x", "/%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example",
	"https://evil.example", "javascript:alert(1)", "//user@evil.example", "evil.example",
}

// onSite tells whether a Location keeps the browser on the test server.
func onSite(location string) bool {
	return strings.HasPrefix(location, "/") && !strings.ContainsAny(location, "\t\n\r\\") &&
		!strings.HasPrefix(location, "//") && !strings.Contains(strings.ToLower(location), "evil")
}

// TestRedirectTargetsStayOnSite: the sign-in page's next (query and form)
// and the back field of the day board and the cover form never send the
// browser to another site.
func TestRedirectTargetsStayOnSite(t *testing.T) {
	nextField := regexp.MustCompile(`name="next" value="([^"]*)"`)
	engines(t, func(t *testing.T, h *harness) {
		for _, target := range offSite {
			c := h.client()
			form := c.get("/login?next=" + url.QueryEscape(target))
			if m := nextField.FindStringSubmatch(form.body); m == nil || m[1] != "" {
				t.Errorf("GET /login?next=%q: the form keeps next %q", target, m)
			}
			r := c.post("/login", url.Values{"login": {roleLogins[auth.Secretary]}, "password": {testPassword}, "next": {target}})
			if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/staff" {
				t.Errorf("sign-in with next=%q: %d to %q, want /staff", target, r.status, loc)
			}
		}
		// The finding as found: the query as typed in the address bar.
		c := h.client()
		form := c.get("/login?next=/%09/evil.example/x")
		m := nextField.FindStringSubmatch(form.body)
		next := ""
		if m != nil {
			next = m[1]
		}
		if r := c.post("/login", url.Values{"login": {roleLogins[auth.Secretary]}, "password": {testPassword}, "next": {next}}); !onSite(r.header.Get("Location")) {
			t.Errorf("/login?next=/%%09/evil.example/x signs in to %q", r.header.Get("Location"))
		}

		tech := h.signedIn(auth.Radiographer)
		sec := h.signedIn(auth.Secretary)
		appt := h.appointmentID()
		id, _ := strconv.ParseInt(appt, 10, 64)
		list, _ := h.store.ListAppointments(system, storeFilterID(appt))
		for _, target := range offSite {
			if err := h.store.CheckIn(system, id, "test"); err != nil {
				t.Fatal(err)
			}
			r := tech.post("/staff/appointments/"+appt+"/day", url.Values{"to": {"expected"}, "back": {target}})
			if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || loc != "/staff/day" {
				t.Errorf("day board back=%q: %d to %q, want /staff/day", target, r.status, loc)
			}
			r = sec.post("/staff/referrals/"+itoa(list[0].ReferralID)+"/cover", url.Values{"cover": {""}, "back": {target}})
			if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !onSite(loc) {
				t.Errorf("cover back=%q: %d to %q", target, r.status, loc)
			}
		}
		// A local target is kept.
		if err := h.store.CheckIn(system, id, "test"); err != nil {
			t.Fatal(err)
		}
		if r := tech.post("/staff/appointments/"+appt+"/day", url.Values{"to": {"expected"}, "back": {"/staff/day?day=2026-11-23"}}); r.header.Get("Location") != "/staff/day?day=2026-11-23" {
			t.Errorf("local back: %q", r.header.Get("Location"))
		}
	})
}
