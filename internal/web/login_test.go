package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/storetest"
)

func sessionCookie(c *client) string {
	u, _ := url.Parse(c.h.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "repere_session" {
			return ck.Value
		}
	}
	return ""
}

func TestLoginLogoutAndFixation(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.csrf()
		before := sessionCookie(c)
		if before == "" {
			t.Fatal("no session before sign-in")
		}
		r := c.login("T.Secretary", testPassword) // logins are case-insensitive
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff" {
			t.Fatalf("sign-in: %d to %q", r.status, r.header.Get("Location"))
		}
		after := sessionCookie(c)
		if after == "" || after == before {
			t.Fatal("session token not renewed at sign-in (session fixation)")
		}
		if r := c.get("/staff"); r.status != http.StatusOK || !strings.Contains(r.body, "Test secretary") {
			t.Fatalf("dashboard after sign-in: %d", r.status)
		}
		// An attacker holding the pre-login token gains nothing.
		stale := h.client()
		u, _ := url.Parse(h.ts.URL)
		stale.http.Jar.SetCookies(u, []*http.Cookie{{Name: "repere_session", Value: before}})
		if r := stale.get("/staff"); r.status != http.StatusSeeOther {
			t.Fatalf("pre-login token still works: %d", r.status)
		}
		if r := c.post("/logout", nil); r.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.status)
		}
		replay := h.client()
		replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: "repere_session", Value: after}})
		if r := replay.get("/staff"); r.status != http.StatusSeeOther {
			t.Fatalf("session valid after logout: %d", r.status)
		}
		ctx := audit.WithActor(context.Background(), audit.System("test"))
		for _, action := range []string{"login", "logout"} {
			if entries, _ := h.store.SearchAudit(ctx, audit.Filter{Action: action, Actor: "t.secretary"}); len(entries) != 1 {
				t.Errorf("%d %q audit entries, want 1", len(entries), action)
			}
		}
	})
}

func TestBadLoginKeepsLoginAndLocksOut(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.login("t.radiologist", "")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Saisissez votre identifiant et votre mot de passe") {
			t.Fatalf("empty password: %d", r.status)
		}
		for i := 1; i <= auth.FreeFailures; i++ {
			r = c.login("t.radiologist", "wrong password "+itoa(int64(i)))
			if i < auth.FreeFailures && (r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Identifiant ou mot de passe incorrect")) {
				t.Fatalf("failure %d: %d", i, r.status)
			}
			if !strings.Contains(r.body, `value="t.radiologist"`) && r.status == http.StatusUnauthorized {
				t.Fatalf("failure %d: the login typed was not kept", i)
			}
		}
		r = c.login("t.radiologist", testPassword)
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Réessayez dans 1 minute") {
			t.Fatalf("right password during lock-out: %d\n%s", r.status, r.body)
		}
		// Unknown accounts are throttled the same way, revealing nothing.
		for i := 0; i < auth.FreeFailures; i++ {
			c.login("nobody.here", "whatever it is")
		}
		if r := c.login("nobody.here", "whatever it is"); r.status != http.StatusTooManyRequests {
			t.Fatalf("unknown login not throttled: %d", r.status)
		}
		// Another account is not locked: the address has not reached its own limit.
		if r := h.client().login("t.radiographer", testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("other account locked too: %d", r.status)
		}
		if n := h.auditCount(audit.Filter{Action: "login_failed"}); n < auth.FreeFailures {
			t.Errorf("only %d failed sign-ins audited", n)
		}
	})
}

func TestDisabledAccountCannotSignIn(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Radiographer)
	u, _ := h.store.UserByLogin(context.Background(), roleLogins[auth.Radiographer])
	if err := h.store.SetUserActive(context.Background(), u.ID, false); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/staff"); r.status != http.StatusSeeOther {
		t.Fatalf("disabled account's session still open: %d", r.status)
	}
	if r := h.client().login(roleLogins[auth.Radiographer], testPassword); r.status != http.StatusUnauthorized {
		t.Fatalf("disabled account signed in: %d", r.status)
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	form := url.Values{"login": {"eve"}, "display_name": {"Eve"}, "role": {"admin"}}
	if r := c.do("POST", "/admin/users", form, nil); r.status != http.StatusForbidden {
		t.Fatalf("POST without token: %d", r.status)
	}
	form.Set("csrf_token", "forged")
	if r := c.do("POST", "/admin/users", form, nil); r.status != http.StatusForbidden {
		t.Fatalf("POST with a forged token: %d", r.status)
	}
	form.Set("csrf_token", c.csrf())
	if r := c.do("POST", "/admin/users", form, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Fatalf("cross-site POST with a valid token: %d", r.status)
	}
	if r := c.do("POST", "/admin/users", form, map[string]string{"Origin": "https://evil.example"}); r.status != http.StatusForbidden {
		t.Fatalf("POST from another origin: %d", r.status)
	}
	if _, err := h.store.UserByLogin(context.Background(), "eve"); err == nil {
		t.Fatal("a refused request created the account")
	}
	if r := c.do("POST", "/admin/users", form, nil); r.status != http.StatusCreated {
		t.Fatalf("POST with the right token: %d", r.status)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		hash, _ := auth.HashPassword(testPassword)
		if _, err := h.store.CreateUser(ctx, auth.User{Login: "newbie", DisplayName: "New", Role: auth.Secretary, PasswordHash: hash, MustChangePassword: true}); err != nil {
			t.Fatal(err)
		}
		c := h.client()
		if r := c.login("newbie", testPassword); r.header.Get("Location") != "/password" {
			t.Fatalf("forced change not asked: %q", r.header.Get("Location"))
		}
		if r := c.get("/staff/patients"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/password" {
			t.Fatalf("pages open before the change: %d", r.status)
		}
		r := c.post("/password", url.Values{"current": {"nope"}, "new": {"short"}, "confirm": {"other"}})
		for _, want := range []string{"Le mot de passe actuel est incorrect", "au moins 12 caractères", "sont différentes"} {
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) {
				t.Errorf("bad change: %d, missing %q", r.status, want)
			}
		}
		r = c.post("/password", url.Values{"current": {testPassword}, "new": {"un cheval et une batterie"}, "confirm": {"un cheval et une batterie"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("good change: %d\n%s", r.status, r.body)
		}
		if r := c.get("/staff/patients"); r.status != http.StatusOK {
			t.Fatalf("after change: %d", r.status)
		}
		if r := h.client().login("newbie", "un cheval et une batterie"); r.header.Get("Location") != "/staff" {
			t.Fatalf("new password refused: %d %q", r.status, r.header.Get("Location"))
		}
	})
}

func TestSafeNextRedirect(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	for next, want := range map[string]string{"/staff/referrals": "/staff/referrals", "//evil.example/x": "/staff", "https://evil.example": "/staff"} {
		c := h.client()
		r := c.post("/login", url.Values{"login": {roleLogins[auth.Secretary]}, "password": {testPassword}, "next": {next}})
		if got := r.header.Get("Location"); got != want {
			t.Errorf("next=%q redirected to %q, want %q", next, got, want)
		}
	}
}

func TestPatientDataPagesAreAudited(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Radiologist)
		id := h.firstPatientID()
		for _, path := range []string{"/staff", "/staff/patients", "/staff/patients?q=dupr", "/staff/patients/" + id, "/staff/referrals"} {
			before := h.auditCount(audit.Filter{Actor: roleLogins[auth.Radiologist]})
			if r := c.get(path); r.status != http.StatusOK {
				t.Fatalf("%s: %d", path, r.status)
			}
			if after := h.auditCount(audit.Filter{Actor: roleLogins[auth.Radiologist]}); after <= before {
				t.Errorf("%s read patient data without an audit entry", path)
			}
		}
		ctx := audit.WithActor(context.Background(), audit.System("test"))
		// The patient page's read names its patient (the dashboard's work
		// lists read screenings too, under their own entities).
		entries, _ := h.store.SearchAudit(ctx, audit.Filter{Actor: roleLogins[auth.Radiologist], Action: "read", Entity: "patient"})
		if len(entries) != 1 || itoa(entries[0].PatientID) != id || entries[0].RemoteAddr != "127.0.0.1" || entries[0].ActorRole != "radiologist" {
			t.Fatalf("read entry = %+v", entries)
		}
		// The referrer sees their own referrals, and that is audited too.
		ref := h.signedIn(auth.Referrer)
		r := ref.get("/referrer")
		if r.status != http.StatusOK || !strings.Contains(r.body, "PASQUIER") || strings.Contains(r.body, "LEMAÎTRE") {
			t.Fatalf("referrer page shows the wrong referrals (%d)", r.status)
		}
		if h.auditCount(audit.Filter{Actor: "dr.dubois", Action: "list"}) != 1 {
			t.Error("referrer's list not audited")
		}
	})
}

func TestAdminCreatesUserAndKeepsBadInput(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	r := c.post("/admin/users", url.Values{"login": {"Jean Valjean"}, "display_name": {"Jean Valjean"}, "email": {"not-an-email"}, "role": {"radiologist"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", r.status)
	}
	for _, want := range []string{"sans espace", "courriel n&#39;est pas valide", `value="Jean Valjean"`, `value="not-an-email"`, `<option value="radiologist" selected>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("response lacks %q", want)
		}
	}
	r = c.post("/admin/users", url.Values{"login": {"j.valjean"}, "display_name": {"Jean Valjean"}, "role": {"radiologist"}})
	if r.status != http.StatusCreated || !strings.Contains(r.body, "Mot de passe provisoire de j.valjean") {
		t.Fatalf("create: %d", r.status)
	}
	if r := c.post("/admin/users", url.Values{"login": {"J.Valjean"}, "display_name": {"Other"}, "role": {"secretary"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "déjà utilisé") {
		t.Fatalf("duplicate login: %d", r.status)
	}
	me, _ := h.store.UserByLogin(context.Background(), roleLogins[auth.Admin])
	if r := c.post("/admin/users/"+itoa(me.ID)+"/active", url.Values{"active": {"false"}}); r.status != http.StatusConflict {
		t.Fatalf("admin disabled themself: %d", r.status)
	}
}

func TestOversizedBodyRefused(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Admin)
	big := url.Values{"csrf_token": {c.csrf()}, "display_name": {strings.Repeat("x", 2<<20)}}
	if r := c.do("POST", "/admin/users", big, nil); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB form: %d", r.status)
	}
	if r := c.get("/healthz"); r.status != http.StatusOK {
		t.Fatal("server down after a large body")
	}
}

func TestLanguageChoice(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.client()
	if r := c.get("/"); !strings.Contains(r.body, "Nos actes") {
		t.Error("default is not French")
	}
	if r := c.get("/?lang=en"); !strings.Contains(r.body, "Our procedures") {
		t.Error("?lang=en not English")
	}
	if r := c.get("/login"); !strings.Contains(r.body, "Staff sign-in") {
		t.Error("language choice not remembered")
	}
	if r := h.client().do("GET", "/", nil, map[string]string{"Accept-Language": "en-GB,en;q=0.8"}); !strings.Contains(r.body, "Our procedures") {
		t.Error("Accept-Language ignored")
	}
}
