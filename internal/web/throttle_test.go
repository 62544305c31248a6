package web_test

import (
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/storetest"
	"repere/internal/web"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// clientFrom is a client whose requests reach the server's handler
// in-process from the TCP peer address addr, so that a test can sign in
// from several addresses (headers such as X-Forwarded-For pass through).
func (h *harness) clientFrom(addr string) *client {
	handler := h.srv.Handler()
	jar, _ := cookiejar.New(nil)
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		req.RemoteAddr = net.JoinHostPort(addr, "40000")
		if req.Body == nil {
			req.Body = http.NoBody
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Result(), nil
	})
	return &client{h: h, http: &http.Client{Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// parallelLogins sends one sign-in per client at once, each with its own
// form token, and returns the statuses.
func parallelLogins(clients []*client, login string, password func(i int) string) []int {
	tokens := make([]string, len(clients))
	for i, c := range clients {
		tokens[i] = c.csrf()
	}
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = c.do("POST", "/login", url.Values{"login": {login}, "password": {password(i)}, "csrf_token": {tokens[i]}}, nil).status
		}()
	}
	wg.Wait()
	return statuses
}

// TestParallelWrongPasswordsAreCountedBeforeHashing: 25 wrong passwords for
// one account sent at once from one address are not all checked (each check
// is an argon2id hash, and each one checked is an audited login_failed): the
// attempt is reserved in the database before hashing, so at most the limit
// are. The account's owner, from another address, still signs in.
func TestParallelWrongPasswordsAreCountedBeforeHashing(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		const attempts = 25
		var hashes atomic.Int64
		h.srv.OnPasswordHash = func() { hashes.Add(1) }
		clients := make([]*client, attempts)
		for i := range clients {
			clients[i] = h.clientFrom("198.51.100.7")
		}
		statuses := parallelLogins(clients, roleLogins[auth.Radiologist], func(i int) string { return "wrong password " + itoa(int64(i)) })
		for i, st := range statuses {
			if st != http.StatusUnauthorized && st != http.StatusTooManyRequests {
				t.Errorf("attempt %d: status %d, want 401 or 429", i, st)
			}
		}
		if checked := h.auditCount(audit.Filter{Action: "login_failed"}); checked > auth.FreeFailures {
			t.Errorf("%d of %d parallel wrong passwords were checked, want at most %d", checked, attempts, auth.FreeFailures)
		}
		if n := hashes.Load(); n > auth.FreeFailures {
			t.Errorf("%d argon2id hashes for %d parallel wrong passwords, want at most %d", n, attempts, auth.FreeFailures)
		}
		if n := h.auditCount(audit.Filter{Action: "login_throttled"}); n != attempts-int(hashes.Load()) {
			t.Errorf("%d refused attempts audited, want %d", n, attempts-int(hashes.Load()))
		}
		if r := h.clientFrom("198.51.100.7").login(roleLogins[auth.Radiologist], testPassword); r.status != http.StatusTooManyRequests {
			t.Errorf("the attacker's address is not locked for this account: %d", r.status)
		}
		if r := h.clientFrom("203.0.113.20").login(roleLogins[auth.Radiologist], testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("the owner, from another address, cannot sign in: %d", r.status)
		}
	})
}

// TestAddressFailuresDoNotLockOtherAccounts: behind a reverse proxy or a
// practice's NAT every user shares one address; many failures from it (on
// other accounts) must not lock a colleague out.
func TestAddressFailuresDoNotLockOtherAccounts(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		const shared = "192.0.2.50"
		c := h.clientFrom(shared)
		for i := 0; i < 25; i++ {
			if r := c.login("nobody"+itoa(int64(i%5)), "wrong password"); r.status != http.StatusUnauthorized && r.status != http.StatusTooManyRequests {
				t.Fatalf("failure %d: %d", i, r.status)
			}
		}
		if r := h.clientFrom(shared).login(roleLogins[auth.Secretary], testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("a colleague behind the same address is locked out: %d\n%s", r.status, r.body)
		}
	})
}

// TestDemoAccountsMustChangeTheSharedPassword: the demo accounts share one
// password printed at start; each must choose its own at first sign-in.
func TestDemoAccountsMustChangeTheSharedPassword(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		for _, login := range []string{"secretariat", "manip", "dr.martin"} {
			r := h.client().login(login, testPassword)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/password" {
				t.Errorf("demo account %s signs in to %q without changing the shared password", login, r.header.Get("Location"))
			}
		}
		if r := h.client().login("manip", testPassword); !strings.Contains(r.header.Get("Location"), "/password") {
			t.Errorf("second sign-in of manip: %q", r.header.Get("Location"))
		}
	})
}

// TestUnknownLoginsCostOneBoundedHash: an unknown login is checked against a
// dummy hash (so it answers in the time a known one takes), through the
// same bounded hasher.
func TestUnknownLoginsCostOneBoundedHash(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.OpenSQLite(t))
	var hashes atomic.Int64
	h.srv.OnPasswordHash = func() { hashes.Add(1) }
	for _, login := range []string{"nobody.here", roleLogins[auth.Secretary]} {
		before := hashes.Load()
		if r := h.client().login(login, "wrong password"); r.status != http.StatusUnauthorized {
			t.Fatalf("%s: %d", login, r.status)
		}
		if n := hashes.Load() - before; n != 1 {
			t.Errorf("%s: %d hashes, want 1", login, n)
		}
	}
}

// TestBusyHasherAnswersRetry: when every hashing slot is taken and the wait
// is over, the sign-in is answered 503 with Retry-After, in the user's
// language, keeping the login typed; the attempt is not counted.
func TestBusyHasherAnswersRetry(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.web.HashSlots, c.web.HashWait, c.web.HashQueue = 1, time.Millisecond, -1 })
	hold, held := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.srv.OnPasswordHash = func() { once.Do(func() { close(held); <-hold }) }
	first := h.clientFrom("192.0.2.1")
	done := make(chan response)
	token := first.csrf()
	go func() {
		done <- first.do("POST", "/login", url.Values{"login": {"t.admin"}, "password": {testPassword}, "csrf_token": {token}}, nil)
	}()
	<-held
	for _, lang := range []struct{ accept, want string }{{"fr", "Réessayez dans quelques secondes"}, {"en", "Try again in a few seconds"}} {
		c := h.clientFrom("192.0.2.2")
		tok := c.csrf()
		r := c.do("POST", "/login", url.Values{"login": {"t.secretary"}, "password": {testPassword}, "csrf_token": {tok}}, map[string]string{"Accept-Language": lang.accept})
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, lang.want) || !strings.Contains(r.body, `value="t.secretary"`) {
			t.Errorf("%s: busy answer %d, Retry-After %q, message or login missing", lang.accept, r.status, r.header.Get("Retry-After"))
		}
	}
	close(hold)
	if r := <-done; r.status != http.StatusSeeOther {
		t.Fatalf("the sign-in holding the slot: %d", r.status)
	}
	// The refused attempts were given back: the user still has every free attempt.
	c := h.clientFrom("192.0.2.2")
	for i := 1; i < auth.FreeFailures; i++ {
		if r := c.login("t.secretary", "wrong"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d after the busy answers: %d", i, r.status)
		}
	}
	if r := c.login("t.secretary", testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("the %dth attempt, after two busy answers: %d", auth.FreeFailures, r.status)
	}
}

// TestClientAddressBehindTrustedProxy: the address counted and audited is
// read from X-Forwarded-For only when the peer is a trusted proxy.
func TestClientAddressBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) {
		c.web.TrustedProxies, _ = web.ParseTrustedProxies("10.0.0.0/8")
	})
	cases := []struct{ peer, xff, want string }{
		{"10.0.0.2", "203.0.113.5", "203.0.113.5"},
		{"10.0.0.2", "198.51.100.66, 203.0.113.6, 10.0.0.9", "203.0.113.6"},
		{"192.0.2.80", "203.0.113.7", "192.0.2.80"}, // not a proxy of ours: the header is the client's word
	}
	for _, c := range cases {
		cl := h.clientFrom(c.peer)
		tok := cl.csrf()
		cl.do("POST", "/login", url.Values{"login": {"audit.probe"}, "password": {"wrong"}, "csrf_token": {tok}}, map[string]string{"X-Forwarded-For": c.xff})
		entries, err := h.store.SearchAudit(system, audit.Filter{Action: "login_failed", Limit: 1})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no audit entry: %v", err)
		}
		if got := entries[0].RemoteAddr; got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %q, want %q", c.peer, c.xff, got, c.want)
		}
	}
	// Five failures through the proxy lock that client, not the proxy.
	attacker := h.clientFrom("10.0.0.2")
	for i := 0; i < auth.FreeFailures; i++ {
		tok := attacker.csrf()
		attacker.do("POST", "/login", url.Values{"login": {"t.radiologist"}, "password": {"wrong"}, "csrf_token": {tok}}, map[string]string{"X-Forwarded-For": "203.0.113.66"})
	}
	owner := h.clientFrom("10.0.0.2")
	tok := owner.csrf()
	r := owner.do("POST", "/login", url.Values{"login": {"t.radiologist"}, "password": {testPassword}, "csrf_token": {tok}}, map[string]string{"X-Forwarded-For": "198.51.100.10"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("the owner behind the same proxy is locked out: %d", r.status)
	}
}

// TestAccountUnderAttackSlowsButNeverLocksTheOwner: failures spread over
// many addresses delay the account's checks, and the owner still signs in.
func TestAccountUnderAttackSlowsButNeverLocksTheOwner(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		login := roleLogins[auth.Radiographer]
		failures := auth.AccountFreeFailures + 1
		for i := 0; i < failures; i++ {
			// Two tries per address, well under the pair's limit.
			c := h.clientFrom("198.51.100." + itoa(int64(10+i/2)))
			if r := c.login(login, "guess "+itoa(int64(i))); r.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, r.status)
			}
		}
		r := h.clientFrom("203.0.113.1").login(login, testPassword)
		if r.status != http.StatusSeeOther {
			t.Fatalf("the owner after %d failures on the account: %d", failures, r.status)
		}
		entries, _ := h.store.SearchAudit(system, audit.Filter{Action: "login", Actor: login, Limit: 1})
		want := "delayed " + auth.AccountDelay(failures).String()
		if len(entries) != 1 || entries[0].Detail != want {
			t.Errorf("the owner's sign-in audit = %+v, want detail %q", entries, want)
		}
	})
}
