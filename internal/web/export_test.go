package web

import (
	"context"
	"net/http"
	"net/http/httptest"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/store"
)

// FieldLimit is fieldLimit, for the external tests.
var FieldLimit = fieldLimit

// DosePageStatements loads the dose page as a radiologist would see it
// and returns the statements it ran and the query it answered.
func (s *Server) DosePageStatements(ctx context.Context, u *auth.User) (int64, app.DoseQuery, error) {
	c := &store.Counter{}
	ctx = context.WithValue(context.WithValue(store.WithCounter(ctx, c), keyUser, u), keyLocalizer, s.i18n.For("fr"))
	p, err := s.loadDosePage(httptest.NewRequestWithContext(ctx, http.MethodGet, "/staff/dose", nil))
	return c.Statements(), p.Review.Query, err
}
