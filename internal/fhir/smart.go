package fhir

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SMART Backend Services (client-confidential-asymmetric): a system the
// administrator registered with its public keys (a JWKS) asks the token
// endpoint for an access token with a JWT it signed (RS384 or ES384), and
// calls the API with it for AccessTokenLifetime.

const (
	tokenPath = "/auth/token"
	// AccessTokenLifetime is how long an issued access token works.
	AccessTokenLifetime = 5 * time.Minute
	// maxAssertionLifetime bounds how far an assertion's exp may be.
	maxAssertionLifetime = 5 * time.Minute
	assertionType        = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// BackendClient is a registered backend system.
type BackendClient struct {
	ID, Name string
	Scopes   []string // what the administrator granted
	JWKS     []byte   // its public keys
	Expired  bool     // its registration has expired
}

// BackendClients is what the token endpoint needs from the store.
type BackendClients interface {
	// BackendClient finds a client with registered keys (ErrInvalidToken
	// when there is none: unknown, revoked, or without keys).
	BackendClient(ctx context.Context, clientID string) (BackendClient, error)
	// UseAssertion records an assertion's jti until it expires, and returns
	// ErrReplayed when the client already used it.
	UseAssertion(ctx context.Context, clientID, jti string, expires time.Time) error
	// IssueToken records an access token by its hash (HashToken).
	IssueToken(ctx context.Context, clientID, tokenHash string, scopes []string, expires time.Time) error
}

// ErrReplayed is returned by UseAssertion for a jti already used.
var ErrReplayed = errors.New("fhir: assertion already used")

// smartScopes are the scopes a backend client may ask for.
var smartScopes = []string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}

// tokenURL is the token endpoint's absolute URL.
func (h *handler) tokenURL(r *http.Request) string {
	if strings.Contains(h.opts.BaseURL, "://") {
		return h.opts.BaseURL + tokenPath
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + h.opts.BaseURL + tokenPath
}

// smartConfiguration publishes, without a token, what exists: the token
// endpoint of the backend services and how to authenticate to it.
func (h *handler) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	conf := map[string]any{
		"token_endpoint":                                   h.tokenURL(r),
		"grant_types_supported":                            []string{"client_credentials"},
		"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS384", "ES384"},
		"scopes_supported":                                 smartScopes,
		"capabilities":                                     []string{"client-confidential-asymmetric", "permission-v1", "permission-v2"},
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(conf)
}

// tokenError answers the token endpoint with an OAuth error.
func tokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// token is the token endpoint (RFC 6749 client credentials, RFC 7523 JWT
// client authentication, as SMART Backend Services profile them).
func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "POST the token request")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || mediaType(r.Header.Get("Content-Type")) != "application/x-www-form-urlencoded" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "send application/x-www-form-urlencoded")
		return
	}
	if g := r.PostFormValue("grant_type"); g != "client_credentials" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	if r.PostFormValue("client_assertion_type") != assertionType || r.PostFormValue("client_assertion") == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "client_assertion_type must be "+assertionType+", with a client_assertion")
		return
	}
	ctx := r.Context()
	client, claims, err := h.verifyAssertion(ctx, r.PostFormValue("client_assertion"), h.tokenURL(r))
	if err != nil {
		h.opts.Logger.InfoContext(ctx, "fhir: token refused", "err", err)
		var internal *internalError
		if errors.As(err, &internal) {
			tokenError(w, http.StatusInternalServerError, "server_error", "internal error")
			return
		}
		tokenError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	requested := strings.Fields(r.PostFormValue("scope"))
	if len(requested) == 0 {
		tokenError(w, http.StatusBadRequest, "invalid_scope", "ask for scopes, e.g. system/*.read")
		return
	}
	for _, sc := range requested {
		if !grants(client.Scopes, sc) {
			tokenError(w, http.StatusBadRequest, "invalid_scope", sc+" was not granted to this client")
			return
		}
	}
	if err := h.opts.Backend.UseAssertion(ctx, client.ID, claims.JTI, time.Unix(claims.Exp, 0)); err != nil {
		if errors.Is(err, ErrReplayed) {
			tokenError(w, http.StatusUnauthorized, "invalid_client", "this assertion (jti) was already used")
			return
		}
		h.opts.Logger.ErrorContext(ctx, "fhir: token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "internal error")
		return
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := h.opts.Backend.IssueToken(ctx, client.ID, HashToken(token), requested, h.opts.Now().Add(AccessTokenLifetime)); err != nil {
		h.opts.Logger.ErrorContext(ctx, "fhir: token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Pragma", "no-cache")
	json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "bearer",
		"expires_in": int(AccessTokenLifetime / time.Second), "scope": strings.Join(requested, " ")})
}

// grants tells whether scopes registered for a client cover a requested
// one: each access the requested scope gives, on its type, must be given.
func grants(registered []string, requested string) bool {
	rest, ok := strings.CutPrefix(requested, "system/")
	if !ok {
		return false
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || perm == "" {
		return false
	}
	var needs []Access
	switch {
	case perm == "*":
		needs = []Access{Read, Write}
	case perm == "read" || perm == "write":
		needs = []Access{Access(perm)}
	case isSubsequence(perm, "cruds"):
		if strings.ContainsAny(perm, "rs") {
			needs = append(needs, Read)
		}
		if strings.ContainsAny(perm, "cud") {
			needs = append(needs, Write)
		}
	default:
		return false
	}
	c := Client{Scopes: registered}
	for _, a := range needs {
		if typ == "*" {
			if !slices.ContainsFunc(registered, func(s string) bool { return scopeAllows(s, "*", a) }) {
				return false
			}
			continue
		}
		if !c.Allows(typ, a) {
			return false
		}
	}
	return true
}

// internalError is a failure of the server, not of the client.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
