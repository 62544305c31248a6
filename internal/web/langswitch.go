package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// getRoutes answers whether a path has a page to GET: the language switch
// of a page drawn by a form's POST must lead to a page, not to the form's
// address (a 404 for a GET).
type getRoutes struct {
	once sync.Once
	mux  *http.ServeMux
}

func (s *Server) hasPage(path string) bool {
	s.gets.once.Do(func() {
		s.gets.mux = http.NewServeMux()
		for _, rt := range s.routes() {
			if strings.HasPrefix(rt.pattern, "GET ") {
				s.gets.mux.Handle(rt.pattern, http.NotFoundHandler())
			}
		}
	})
	_, pattern := s.gets.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}, Host: "x"})
	return pattern != ""
}

func parentPath(path string) string { return path[:max(strings.LastIndex(path, "/"), 0)] }

// langBase is the address the language switch adds "lang=xx" to: the page
// itself with its query (a day, a filter) on a GET; after a form's POST,
// the page the form was on (the same-origin Referer), else the nearest
// page above the form's address (/staff/referrals/7/wait → /staff/referrals/7).
func (s *Server) langBase(r *http.Request) string {
	path, query := r.URL.Path, r.URL.Query()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		path, query = s.pageOfForm(r)
	}
	query.Del("lang")
	if enc := query.Encode(); enc != "" {
		return path + "?" + enc + "&"
	}
	return path + "?"
}

func (s *Server) pageOfForm(r *http.Request) (string, url.Values) {
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") && s.hasPage(ref.Path) {
		return ref.Path, ref.Query()
	}
	// Up from the form's address, never the address itself: a page's
	// pattern may match it too (/staff/appointments/{id}/{doc} and .../cancel).
	for path := parentPath(r.URL.Path); path != "" && path != "/"; path = parentPath(path) {
		if s.hasPage(path) {
			return path, url.Values{}
		}
	}
	if u := currentUser(r); u != nil {
		return homeOf(u.Role), url.Values{}
	}
	return "/", url.Values{}
}
