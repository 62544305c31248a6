package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
	"repere/internal/web"
)

// TestRenderedMaxlengthsAreServerLimits opens every page as a role allowed
// to see it and checks each maxlength of its forms, as rendered, equals the
// limit the server applies to that field (web.FieldLimit, fed by the
// domain's MaxLength maps).
func TestRenderedMaxlengthsAreServerLimits(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	clients := map[auth.Role]*client{}
	for _, role := range []auth.Role{auth.Secretary, auth.Admin, auth.Radiologist, auth.Referrer, auth.Patient} {
		clients[role] = h.signedIn(role)
	}
	anon := h.client()
	tag := regexp.MustCompile(`<(?:input|textarea)\b[^>]*>`)
	name := regexp.MustCompile(`\bname="([a-z_.]+)"`)
	maxlength := regexp.MustCompile(`\bmaxlength="([^"]*)"`)
	checked := 0
	check := func(path, body string) {
		for _, el := range tag.FindAllString(body, -1) {
			m, n := maxlength.FindStringSubmatch(el), name.FindStringSubmatch(el)
			if m == nil || n == nil {
				continue
			}
			checked++
			if v, err := strconv.Atoi(m[1]); err != nil || v != web.FieldLimit(n[1]) {
				t.Errorf("%s: %s has maxlength %q, the server accepts %d", path, n[1], m[1], web.FieldLimit(n[1]))
			}
		}
	}
	for pattern, roles := range h.srv.Routes() {
		method, path := h.concretePath(pattern)
		if method != "GET" {
			continue
		}
		c := anon
		for _, role := range []auth.Role{auth.Secretary, auth.Admin, auth.Radiologist, auth.Referrer, auth.Patient} {
			if roles != nil && c == anon && role.In(roles...) {
				c = clients[role]
			}
		}
		if r := c.get(path); r.status == http.StatusOK && strings.Contains(r.header.Get("Content-Type"), "text/html") {
			check(path, r.body)
		}
	}
	// The portal's second step, behind the email form.
	check("/portal/ (code step)", anon.post("/portal/code", map[string][]string{"email": {"nobody@example.org"}}).body)
	if checked < 20 {
		t.Fatalf("only %d fields with a maxlength rendered: the pages or the pattern changed", checked)
	}
}

// TestHandlersCheckTheFieldLimit: a form whose handler checks a field's
// length itself takes the same limit as its maxlength, in characters (a
// room or physician name at the limit, accented, is saved; one character
// more is refused with the form's message).
func TestHandlersCheckTheFieldLimit(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	limit := web.FieldLimit("name")
	for _, form := range []struct{ path, fields string }{
		{"/admin/practice/room", "kind=ct"},
		{"/admin/practice/physician", ""},
	} {
		for _, n := range []int{limit, limit + 1} {
			values, _ := url.ParseQuery(form.fields)
			values.Set("name", strings.Repeat("é", n))
			want := http.StatusSeeOther
			if n > limit {
				want = http.StatusUnprocessableEntity
			}
			if r := c.post(form.path, values); r.status != want {
				t.Errorf("%s with a name of %d characters: %d, want %d\n%s", form.path, n, r.status, want, errorsOf(r.body))
			}
		}
	}
}
