package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	"repere/internal/fhir"
	"repere/internal/store"
)

// fhirClients authenticates API clients by the SHA-256 of their token.
type fhirClients struct{ s *Server }

func (c fhirClients) Authenticate(ctx context.Context, token string) (fhir.Client, error) {
	cl, err := c.s.store.APIClientByHash(ctx, fhir.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return fhir.Client{}, fhir.ErrInvalidToken
	}
	if err != nil {
		return fhir.Client{}, err
	}
	return fhir.Client{ID: itoa(cl.ID), Name: cl.Name, Scopes: cl.Scopes}, nil
}

func (s *Server) fhirHandler() http.Handler {
	return fhir.NewHandler(s.app.FHIR(), fhirClients{s}, fhir.Options{BaseURL: s.cfg.BaseURL + fhir.Prefix, Catalog: s.catalog,
		Location: s.loc(), Version: s.cfg.Version, Logger: s.log, Now: s.now})
}

// apiScopes are the scopes an admin can grant a client.
var apiScopes = []string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}

type apiPage struct {
	Clients  []store.APIClient
	Scopes   []string
	NewToken string
	Errors   []string
}

func (s *Server) apiClients(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.APIClients(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "api", "api.title", "admin", apiPage{Clients: list, Scopes: apiScopes})
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
	p := apiPage{Scopes: apiScopes}
	if name == "" || len(name) > 80 {
		p.Errors = append(p.Errors, l.T("api.err.name"))
	}
	if len(scopes) == 0 {
		p.Errors = append(p.Errors, l.T("api.err.scopes"))
	}
	if len(p.Errors) == 0 {
		b := make([]byte, 32)
		rand.Read(b)
		token := base64.RawURLEncoding.EncodeToString(b)
		if _, err := s.store.CreateAPIClient(r.Context(), name, fhir.HashToken(token), scopes); err != nil {
			return err
		}
		p.NewToken = token
	}
	var err error
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
