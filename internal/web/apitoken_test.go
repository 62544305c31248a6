package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/fhir"
	"repere/internal/storetest"
)

// fhirGet reads path from the FHIR API with a bearer token.
func fhirGet(t *testing.T, h *harness, path, token string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	return resp.StatusCode, resp.Header, v
}

func TestExpiredAPITokenIsRefused(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		const token = "an-old-token-of-the-his"
		if _, err := h.store.CreateAPIClient(system, "Ancien SIH", fhir.HashToken(token), []string{"system/*.read"}, storetest.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		code, header, outcome := fhirGet(t, h, "/fhir/Patient?name=lef", token)
		if code != http.StatusUnauthorized || !strings.Contains(header.Get("WWW-Authenticate"), "invalid_token") {
			t.Fatalf("expired token: %d %q", code, header.Get("WWW-Authenticate"))
		}
		issue, _ := json.Marshal(outcome["issue"])
		if outcome["resourceType"] != "OperationOutcome" || !strings.Contains(string(issue), `"code":"expired"`) || !strings.Contains(string(issue), "has expired") {
			t.Errorf("the answer does not say the token expired: %s", issue)
		}
	})
}

// TestAPITokenValidityAndLastUse: the admin chooses a token's validity (at
// most two years) and sees its expiry and last use on /admin/api.
func TestAPITokenValidityAndLastUse(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		r := admin.post("/admin/api", url.Values{"name": {"RIS du cabinet"}, "scope": {"system/*.read"}, "validity": {"1000"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "730 jours au plus") || !strings.Contains(r.body, `value="RIS du cabinet"`) || !strings.Contains(r.body, `value="system/*.read" checked`) {
			t.Fatalf("a three-year token: %d, or the form was not kept", r.status)
		}
		r = admin.post("/admin/api", url.Values{"name": {"RIS du cabinet"}, "scope": {"system/*.read"}, "validity": {"90"}})
		m := regexp.MustCompile(`<p class="secret"><code>([^<]+)</code>`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil {
			t.Fatalf("create: %d", r.status)
		}
		list, _ := h.store.APIClients(system)
		if len(list) != 1 || list[0].ExpiresAt.Sub(storetest.Now()) > 90*24*time.Hour || list[0].ExpiresAt.Sub(storetest.Now()) < 89*24*time.Hour {
			t.Fatalf("expiry = %+v, want in 90 days", list)
		}
		expires := list[0].ExpiresAt.In(paris).Format("02/01/2006")
		page := admin.get("/admin/api")
		if !strings.Contains(page.body, expires) || !strings.Contains(page.body, "jamais") {
			t.Errorf("/admin/api lacks the expiry %s or the never-used mark", expires)
		}
		if code, _, _ := fhirGet(t, h, "/fhir/Patient?name=lef", m[1]); code != http.StatusOK {
			t.Fatalf("new token: %d", code)
		}
		list, _ = h.store.APIClients(system)
		if list[0].LastUsedAt.IsZero() {
			t.Fatal("last use not recorded")
		}
		page = admin.get("/admin/api")
		at := list[0].LastUsedAt.In(paris)
		if used := fmt.Sprintf("%s %d h %02d", at.Format("02/01/2006"), at.Hour(), at.Minute()); !strings.Contains(page.body, used) || strings.Contains(page.body, "jamais") {
			t.Errorf("/admin/api does not show the last use %s", used)
		}
	})
}
