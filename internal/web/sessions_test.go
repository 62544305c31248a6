package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/store"
)

// stolen returns a new client carrying c's session cookie, as an attacker
// who copied it would.
func stolen(c *client) *client {
	thief := c.h.client()
	u, _ := url.Parse(c.h.ts.URL)
	thief.http.Jar.SetCookies(u, []*http.Cookie{{Name: "repere_session", Value: sessionCookie(c)}})
	return thief
}

func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		thief := stolen(c)
		other := h.signedIn(auth.Secretary) // the same user on another computer
		if r := thief.get("/staff"); r.status != http.StatusOK {
			t.Fatalf("stolen session before the change: %d", r.status)
		}
		r := c.post("/password", url.Values{"current": {testPassword}, "new": {"une phrase toute neuve"}, "confirm": {"une phrase toute neuve"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("password change: %d\n%s", r.status, r.body)
		}
		if r := thief.get("/staff"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("stolen session still open after the password change: %d", r.status)
		}
		if r := other.get("/staff"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("the user's other session still open after the password change: %d", r.status)
		}
		if r := c.get("/staff"); r.status != http.StatusOK {
			t.Errorf("the session that changed the password was closed: %d", r.status)
		}
	})
}

func TestAdminResetAndDeactivationRevokeSessions(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		for _, role := range []auth.Role{auth.Radiographer, auth.Radiologist} {
			victim := h.signedIn(role)
			u, err := h.store.UserByLogin(context.Background(), roleLogins[role])
			if err != nil {
				t.Fatal(err)
			}
			if role == auth.Radiographer {
				if r := admin.post(fmt.Sprintf("/admin/users/%d/reset", u.ID), nil); r.status != http.StatusOK {
					t.Fatalf("reset: %d", r.status)
				}
			} else {
				if r := admin.post(fmt.Sprintf("/admin/users/%d/active", u.ID), url.Values{"active": {"false"}}); r.status != http.StatusSeeOther {
					t.Fatalf("deactivate: %d", r.status)
				}
			}
			if r := victim.get("/staff"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
				t.Errorf("%s: session still open after the admin's change: %d", role, r.status)
			}
			if n := h.sessionRows(u.ID); n != 0 {
				t.Errorf("%s: %d session rows left after the admin's change", role, n)
			}
		}
	})
}

// sessionRows counts the rows of the sessions table that belong to the user.
func (h *harness) sessionRows(userID int64) int {
	h.t.Helper()
	var n int
	q := `SELECT COUNT(*) FROM sessions WHERE user_id = ?`
	if h.store.Engine() == store.Postgres {
		q = `SELECT COUNT(*) FROM sessions WHERE user_id = $1`
	}
	if err := h.store.DB().QueryRow(q, userID).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestSessionTableHoldsNoRawToken: a copy of the database (a backup) must
// not hold a token that opens a session: only its SHA-256 is stored.
func TestSessionTableHoldsNoRawToken(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Admin)
		cookie := sessionCookie(c)
		sum := sha256.Sum256([]byte(cookie))
		hashed := hex.EncodeToString(sum[:])
		rows, err := h.store.DB().Query(`SELECT * FROM sessions`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		found := false
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				if strings.Contains(s, cookie) {
					t.Errorf("column %s holds the raw session token", cols[i])
				}
				if s == hashed {
					found = true
				}
			}
		}
		if !found {
			t.Error("no row keyed by the SHA-256 of the session token")
		}
	})
}

// TestRevokedSessionStaysRevoked: a request of the stolen session in flight
// during the password change writes its session back when it ends; the
// user's session epoch still refuses it.
func TestRevokedSessionStaysRevoked(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.signedIn(auth.Radiologist)
		thief := stolen(c)
		token := sessionCookie(c)
		data, found, err := h.store.Sessions().FindCtx(ctx, token)
		if err != nil || !found {
			t.Fatalf("session not found: %v", err)
		}
		r := c.post("/password", url.Values{"current": {testPassword}, "new": {"une phrase toute neuve"}, "confirm": {"une phrase toute neuve"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("password change: %d", r.status)
		}
		// What scs does at the end of the thief's request that started before.
		if err := h.store.Sessions().CommitCtx(ctx, token, data, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if r := thief.get("/staff"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("a session written back after the revocation is open: %d %q", r.status, r.header.Get("Location"))
		}
		if r := c.get("/staff"); r.status != http.StatusOK {
			t.Errorf("the session that changed the password: %d", r.status)
		}
	})
}

// TestPasswordFormIsThrottled: a stolen session cannot guess the current
// password on /password faster than the sign-in page allows.
func TestPasswordFormIsThrottled(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		guess := func(i int) response {
			return c.post("/password", url.Values{"current": {"guess " + itoa(int64(i))}, "new": {"une phrase toute neuve"}, "confirm": {"une phrase toute neuve"}})
		}
		for i := 1; i <= auth.FreeFailures; i++ {
			if r := guess(i); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Le mot de passe actuel est incorrect") {
				t.Fatalf("guess %d: %d", i, r.status)
			}
		}
		if r := guess(99); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Trop d&#39;essais infructueux") {
			t.Fatalf("guess beyond the limit: %d", r.status)
		}
		// Sign-in from that address is locked too; the session itself stays open.
		if r := h.client().login(roleLogins[auth.Secretary], testPassword); r.status != http.StatusTooManyRequests {
			t.Errorf("sign-in from the guessing address: %d", r.status)
		}
		if r := c.get("/staff"); r.status != http.StatusOK {
			t.Errorf("the session: %d", r.status)
		}
	})
}
