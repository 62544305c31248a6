package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/fhir"
	"repere/internal/store"
)

// fhirClients authenticates API clients by the SHA-256 of their token.
type fhirClients struct{ s *Server }

func (c fhirClients) Authenticate(ctx context.Context, token string) (fhir.Client, error) {
	cl, err := c.s.store.APIClientByHash(ctx, fhir.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return c.accessToken(ctx, token)
	}
	if err != nil {
		return fhir.Client{}, err
	}
	now := c.s.now()
	if cl.Expired(now) {
		return fhir.Client{}, fhir.ErrExpiredToken
	}
	// The last use is shown on /admin/api; to the minute is enough, so a busy
	// client does not write on every call.
	if now.Sub(cl.LastUsedAt) >= time.Minute {
		if err := c.s.store.TouchAPIClient(ctx, cl.ID); err != nil {
			return fhir.Client{}, err
		}
	}
	return fhir.Client{ID: itoa(cl.ID), Name: cl.Name, Scopes: cl.Scopes}, nil
}

// accessToken finds the client of an access token the token endpoint issued.
func (c fhirClients) accessToken(ctx context.Context, token string) (fhir.Client, error) {
	cl, err := c.s.store.AccessToken(ctx, fhir.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return fhir.Client{}, fhir.ErrInvalidToken
	}
	if err != nil {
		return fhir.Client{}, err
	}
	if cl.Expired(c.s.now()) {
		return fhir.Client{}, fhir.ErrExpiredToken
	}
	return fhir.Client{ID: itoa(cl.ID), Name: cl.Name, Scopes: cl.Scopes}, nil
}

// BackendClient, UseAssertion and IssueToken serve the SMART token endpoint.
func (c fhirClients) BackendClient(ctx context.Context, clientID string) (fhir.BackendClient, error) {
	id, err := strconv.ParseInt(clientID, 10, 64)
	if err != nil {
		return fhir.BackendClient{}, fhir.ErrInvalidToken
	}
	cl, jwks, err := c.s.store.BackendClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fhir.BackendClient{}, fhir.ErrInvalidToken
	}
	if err != nil {
		return fhir.BackendClient{}, err
	}
	return fhir.BackendClient{ID: clientID, Name: cl.Name, Scopes: cl.Scopes, JWKS: []byte(jwks), Expired: cl.Expired(c.s.now())}, nil
}

func (c fhirClients) UseAssertion(ctx context.Context, clientID, jti string, expires time.Time) error {
	id, _ := strconv.ParseInt(clientID, 10, 64)
	err := c.s.store.UseAssertion(ctx, id, jti, expires)
	if errors.Is(err, store.ErrAssertionReplayed) {
		return fhir.ErrReplayed
	}
	return err
}

func (c fhirClients) IssueToken(ctx context.Context, clientID, tokenHash string, scopes []string, expires time.Time) error {
	id, _ := strconv.ParseInt(clientID, 10, 64)
	return c.s.store.IssueAccessToken(ctx, id, tokenHash, scopes, expires)
}

func (s *Server) fhirHandler() http.Handler {
	return fhir.NewHandler(s.app.FHIR(), fhirClients{s}, fhir.Options{BaseURL: s.cfg.BaseURL + fhir.Prefix, Catalog: s.catalog,
		Location: s.loc(), Version: s.cfg.Version, Logger: s.log, Now: s.now, Backend: fhirClients{s}})
}

// apiScopes are the scopes an admin can grant a client.
var apiScopes = []string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}

// maxJWKS bounds a registered key set.
const maxJWKS = 16 << 10

// apiValidities are the lifetimes, in days, an admin can give a token: one
// year by default, two at most (a new token is then issued and the old one
// revoked).
var apiValidities = []int{30, 90, 180, 365, 730}

const defaultAPIValidity = 365

type apiPage struct {
	Clients    []store.APIClient
	Scopes     []string
	Validities []int
	Now        time.Time
	NewToken   string
	NewClient  string // the client_id of a SMART backend client just registered
	Errors     []string
	// The form, kept as typed when it is refused.
	Name     string
	Chosen   []string
	Validity int
	Auth     string // "token" or "jwks"
	JWKS     string
}

func (s *Server) apiClients(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.APIClients(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "api", "api.title", "admin", s.newAPIPage(list))
}

func (s *Server) newAPIPage(list []store.APIClient) apiPage {
	return apiPage{Clients: list, Scopes: apiScopes, Validities: apiValidities, Now: s.now(), Validity: defaultAPIValidity, Auth: "token"}
}

// createAPIClient makes a client and shows its token once.
func (s *Server) createAPIClient(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	var scopes []string
	for _, sc := range r.PostForm["scope"] {
		if slices.Contains(apiScopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	p := s.newAPIPage(nil)
	p.Name, p.Chosen = name, scopes
	if r.PostFormValue("auth") == "jwks" {
		p.Auth, p.JWKS = "jwks", strings.TrimSpace(r.PostFormValue("jwks"))
		if _, err := fhir.ParseJWKS([]byte(p.JWKS)); err != nil || len(p.JWKS) > maxJWKS {
			msg := "too long"
			if err != nil {
				msg = err.Error()
			}
			p.Errors = append(p.Errors, l.T("api.err.jwks", "Problem", msg))
		}
	}
	if name == "" || longerThanLimit("name", name) {
		p.Errors = append(p.Errors, l.T("api.err.name", "Max", fieldLimit("name")))
	}
	if len(scopes) == 0 {
		p.Errors = append(p.Errors, l.T("api.err.scopes"))
	}
	days, err := strconv.Atoi(r.PostFormValue("validity"))
	if err != nil || !slices.Contains(apiValidities, days) {
		p.Errors = append(p.Errors, l.T("api.err.validity", "Max", slices.Max(apiValidities)))
	} else {
		p.Validity = days
	}
	if len(p.Errors) == 0 {
		b := make([]byte, 32)
		rand.Read(b)
		token := base64.RawURLEncoding.EncodeToString(b)
		if p.Auth == "jwks" {
			// The client authenticates with its keys: the random token is
			// never shown, its hash only fills the column.
			id, err := s.store.CreateBackendClient(r.Context(), name, p.JWKS, fhir.HashToken(token), scopes, p.Now.AddDate(0, 0, days))
			if err != nil {
				return err
			}
			p.NewClient = itoa(id)
		} else {
			if _, err := s.store.CreateAPIClient(r.Context(), name, fhir.HashToken(token), scopes, p.Now.AddDate(0, 0, days)); err != nil {
				return err
			}
			p.NewToken = token
		}
		p.Name, p.Chosen, p.Validity, p.Auth, p.JWKS = "", nil, defaultAPIValidity, "token", ""
	}
	if p.Clients, err = s.store.APIClients(r.Context()); err != nil {
		return err
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "api", "api.title", "admin", p)
}

func (s *Server) revokeAPIClient(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIClient(r.Context(), id); err != nil {
		return err
	}
	s.flash(r, "api.revoked")
	http.Redirect(w, r, "/admin/api", http.StatusSeeOther)
	return nil
}
