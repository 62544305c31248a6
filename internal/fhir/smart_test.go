package fhir

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBackend is the registered clients of the token endpoint's tests.
type fakeBackend struct {
	mu      sync.Mutex
	clients map[string]BackendClient
	used    map[string]bool
	issued  []string
}

func (b *fakeBackend) BackendClient(_ context.Context, id string) (BackendClient, error) {
	c, ok := b.clients[id]
	if !ok {
		return BackendClient{}, ErrInvalidToken
	}
	return c, nil
}

func (b *fakeBackend) UseAssertion(_ context.Context, id, jti string, _ time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used[id+"/"+jti] {
		return ErrReplayed
	}
	b.used[id+"/"+jti] = true
	return nil
}

func (b *fakeBackend) IssueToken(_ context.Context, id, hash string, scopes []string, _ time.Time) error {
	b.issued = append(b.issued, id+" "+strings.Join(scopes, " "))
	return nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signJWT signs claims with an RSA (RS384) or P-384 (ES384) key.
func signJWT(t *testing.T, key crypto.Signer, alg, kid string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	sum := sha512.Sum384([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, _ = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA384, sum[:])
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 48)), s.FillBytes(make([]byte, 48))...)
	}
	return input + "." + b64(sig)
}

func publicJWK(key crypto.Signer, kid string) map[string]string {
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "kid": kid, "alg": "RS384", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	case *ecdsa.PublicKey:
		return map[string]string{"kty": "EC", "kid": kid, "crv": "P-384", "x": b64(k.X.FillBytes(make([]byte, 48))), "y": b64(k.Y.FillBytes(make([]byte, 48)))}
	}
	return nil
}

// TestTokenEndpoint: SMART Backend Services assertions, each refusal with
// its OAuth error (Node's signatures are checked by the interop test).
func TestTokenEndpoint(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	jwks, _ := json.Marshal(map[string]any{"keys": []any{publicJWK(rsaKey, "r1"), publicJWK(ecKey, "e1")}})
	backend := &fakeBackend{used: map[string]bool{}, clients: map[string]BackendClient{
		"7": {ID: "7", Name: "DPI", Scopes: []string{"system/*.read"}, JWKS: jwks},
		"8": {ID: "8", Name: "Old", Scopes: []string{"system/*.read"}, JWKS: jwks, Expired: true},
	}}
	h := NewHandler(newFakeStore(), testTokens, Options{BaseURL: "https://repere.example.fr/fhir", Now: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler), Backend: backend})
	aud := "https://repere.example.fr/fhir/auth/token"
	claims := func(change map[string]any) map[string]any {
		c := map[string]any{"iss": "7", "sub": "7", "aud": aud, "exp": now.Add(4 * time.Minute).Unix(), "jti": "j-" + strings.Repeat("x", len(change))}
		for k, v := range change {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		assertion string
		scope     string
		status    int
		oauth     string
	}{
		{"RS384", signJWT(t, rsaKey, "RS384", "r1", claims(map[string]any{"jti": "a"})), "system/*.read", 200, ""},
		{"ES384", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "b"})), "system/Patient.rs", 200, ""},
		{"replayed", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "b"})), "system/*.read", 401, "invalid_client"},
		{"key not registered", signJWT(t, other, "ES384", "e1", claims(map[string]any{"jti": "c"})), "system/*.read", 401, "invalid_client"},
		{"alg and key differ", signJWT(t, ecKey, "RS384", "e1", claims(map[string]any{"jti": "d"})), "system/*.read", 401, "invalid_client"},
		{"RS256", signJWT(t, rsaKey, "RS256", "r1", claims(map[string]any{"jti": "e"})), "system/*.read", 401, "invalid_client"},
		{"expired", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "f", "exp": now.Add(-time.Second).Unix()})), "system/*.read", 401, "invalid_client"},
		{"too long", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "g", "exp": now.Add(time.Hour).Unix()})), "system/*.read", 401, "invalid_client"},
		{"other audience", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "h", "aud": "https://x.example/token"})), "system/*.read", 401, "invalid_client"},
		{"iss differs", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "i", "iss": "8"})), "system/*.read", 401, "invalid_client"},
		{"unknown client", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "j", "iss": "9", "sub": "9"})), "system/*.read", 401, "invalid_client"},
		{"expired registration", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "k", "iss": "8", "sub": "8"})), "system/*.read", 401, "invalid_client"},
		{"no jti", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": ""})), "system/*.read", 401, "invalid_client"},
		{"scope not granted", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "l"})), "system/Patient.write", 400, "invalid_scope"},
		{"no scope", signJWT(t, ecKey, "ES384", "e1", claims(map[string]any{"jti": "m"})), "", 400, "invalid_scope"},
		{"not a JWT", "abc", "system/*.read", 401, "invalid_client"},
	}
	for _, tt := range tests {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {tt.scope},
			"client_assertion_type": {assertionType}, "client_assertion": {tt.assertion}}
		req := httptest.NewRequest("POST", "/fhir/auth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body map[string]any
		json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tt.status || tt.oauth != "" && body["error"] != tt.oauth {
			t.Errorf("%s: %d %v, want %d %s", tt.name, rec.Code, body, tt.status, tt.oauth)
		}
		if tt.status == 200 && (body["token_type"] != "bearer" || body["expires_in"] != float64(300) || body["access_token"] == "") {
			t.Errorf("%s: token answer %v", tt.name, body)
		}
	}
	req := httptest.NewRequest("GET", "/fhir/.well-known/smart-configuration", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"token_endpoint":"`+aud+`"`) {
		t.Errorf("smart-configuration: %d %s", rec.Code, rec.Body)
	}
	_, do := newTestHandler(t) // no Backend: nothing advertised
	if r := do("GET", "/fhir/.well-known/smart-configuration", tokenAll, ""); r.status != http.StatusNotFound {
		t.Errorf("without backend clients the configuration answered %d", r.status)
	}
}

func TestGrants(t *testing.T) {
	tests := []struct {
		registered []string
		requested  string
		want       bool
	}{
		{[]string{"system/*.read"}, "system/*.read", true},
		{[]string{"system/*.read"}, "system/Patient.read", true},
		{[]string{"system/*.read"}, "system/Patient.rs", true},
		{[]string{"system/*.read"}, "system/Patient.c", false},
		{[]string{"system/Patient.read"}, "system/*.read", false},
		{[]string{"system/Patient.write"}, "system/Patient.cud", true},
		{[]string{"system/*.read", "system/Patient.write"}, "system/Patient.*", true},
		{[]string{"system/*.read"}, "patient/*.read", false},
		{[]string{"system/*.read"}, "system/Patient.xyz", false},
	}
	for _, tt := range tests {
		if got := grants(tt.registered, tt.requested); got != tt.want {
			t.Errorf("grants(%v, %s) = %v, want %v", tt.registered, tt.requested, got, tt.want)
		}
	}
}

func TestParseJWKS(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	one, _ := json.Marshal(publicJWK(good, "k"))
	p256JWK := map[string]string{"kty": "EC", "crv": "P-256", "x": b64(p256.X.Bytes()), "y": b64(p256.Y.Bytes())}
	private := publicJWK(good, "k")
	private["d"] = b64(good.D.Bytes())
	for _, tt := range []struct {
		name string
		data any
		ok   bool
	}{
		{"a set", map[string]any{"keys": []any{publicJWK(good, "k")}}, true},
		{"one key", json.RawMessage(one), true},
		{"RSA 1024", map[string]any{"keys": []any{publicJWK(small, "s")}}, false},
		{"P-256", map[string]any{"keys": []any{p256JWK}}, false},
		{"a private key", map[string]any{"keys": []any{private}}, false},
		{"empty", map[string]any{"keys": []any{}}, false},
		{"not JSON", "{", false},
	} {
		data, _ := json.Marshal(tt.data)
		if s, ok := tt.data.(string); ok {
			data = []byte(s)
		}
		if _, err := ParseJWKS(data); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestUnknownElementsRefused(t *testing.T) {
	valid := patientJSON(insOf("2850334172001"))
	tests := []struct {
		name   string
		body   string
		status int
		named  string
	}{
		{"not FHIR", edit(t, valid, "couleur", "bleu"), 400, "Patient.couleur"},
		{"FHIR but not kept", edit(t, valid, "maritalStatus", map[string]any{"text": "mariée"}), 400, "Patient.maritalStatus"},
		{"nested", edit(t, valid, "name", []any{map[string]any{"family": "Bénard", "given": []any{"Léa"}, "period": map[string]any{"start": "2000"}}}), 400, "Patient.name.period"},
		{"meta, text and extensions", edit(t, edit(t, edit(t, valid, "meta", map[string]any{"profile": []any{"x"}}), "text", map[string]any{"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}), "extension", []any{map[string]any{"url": "http://x", "valueString": "y"}}), 201, ""},
		{"a primitive's extension", edit(t, valid, "_birthDate", map[string]any{"extension": []any{map[string]any{"url": "http://x", "valueString": "y"}}}), 201, ""},
	}
	for _, tt := range tests {
		_, do := newTestHandler(t)
		r := do("POST", "/fhir/Patient", tokenAll, tt.body)
		if r.status != tt.status || tt.named != "" && !strings.Contains(string(r.body), `"expression":["`+tt.named+`"]`) {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
}
