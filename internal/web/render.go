package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/store"
)

//go:embed templates static
var assets embed.FS

// pages holds one template set per page: the layout plus the page's own file.
type pages struct{ byName map[string]*template.Template }

// kindKey names an outbox kind's label (send.kind.*): the follow-up days
// share one.
func kindKey(kind string) string {
	if strings.HasPrefix(kind, "followup_") {
		return "followup"
	}
	return kind
}

var funcs = template.FuncMap{
	"kindKey":   kindKey,
	"maxlength": fieldLimit, // a form field's maxlength: the server's limit for its name
	"join":      strings.Join,
	"drugLabel": drugLabel,
	"hasPrefix": strings.HasPrefix,
	// performedClass turns an MPPS status ("IN PROGRESS") into a key ("in_progress").
	"performedClass": func(status string) string { return strings.ToLower(strings.ReplaceAll(status, " ", "_")) },
	"list":           func(items ...string) []string { return items },
	"hasString":      func(list []string, s string) bool { return slices.Contains(list, s) },
	"cents":          func(c int64) float64 { return float64(c) / 100 }, // stored cents to euros, for Localizer.Euros
	"num":            num,                                               // an optional measure (*float64), "" when absent
	"pct":            func(v float64) float64 { return 100 * v },        // a rate as a percentage
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"who": who,
	// clock writes a stored "15:04" time the page's way: "9 h 05" in French.
	"clock": func(l *i18n.Localizer, hhmm string) string {
		t, err := time.Parse("15:04", hhmm)
		if err != nil {
			return hhmm
		}
		return l.Time(t)
	},
	"roleIn": func(r auth.Role, roles ...string) bool {
		for _, x := range roles {
			if string(r) == x {
				return true
			}
		}
		return false
	},
}

// ready tells the pages which sending channels the practice has set up.
func loadPages(loc *time.Location, ready func(channel string) bool) (*pages, error) {
	fm := template.FuncMap{"local": func(t time.Time) time.Time { return t.In(loc) }, "channelReady": ready}
	for k, v := range funcs {
		fm[k] = v
	}
	layout, err := template.New("layout.html").Funcs(fm).ParseFS(assets, "templates/layout.html", "templates/patient_layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	files, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		p.byName[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return p, nil
}

// PageNames lists every page template (tests render each one).
func (s *Server) PageNames() []string {
	names := make([]string, 0, len(s.pages.byName))
	for n := range s.pages.byName {
		names = append(names, n)
	}
	return names
}

// view is what every template receives.
type view struct {
	L        *i18n.Localizer
	User     *auth.User
	CSRF     string
	Title    string
	Nav      string // active navigation entry
	Path     string // current path
	LangBase string // the language switch's address, to which lang=xx is added
	Practice string
	Version  string
	Flash    string
	Data     any
	// Site is the practice's name, address and phone (patient and public pages).
	Site documents.Site
	// StaffBack is where the staff go back to from a patient page shown on
	// their tablet (the consent), or empty.
	StaffBack string
}

// patientPages are rendered in the patient layout: no staff navigation,
// large touch targets, one column for a phone.
var patientPages = map[string]bool{"portal": true, "questionnaire": true, "consent": true}

// publicPages tell the patient how to reach the practice (name, address, phone).
var publicPages = map[string]bool{"home": true, "act": true}

// render writes page name with data, with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) error {
	return s.renderBlock(w, r, status, name, "layout.html", title, nav, data)
}

// renderBlock writes one template of a page's set: the whole page
// ("layout.html") or a fragment an htmx request swaps in.
func (s *Server) renderBlock(w http.ResponseWriter, r *http.Request, status int, name, block, title, nav string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if s.OnRender != nil {
		s.OnRender(name)
	}
	l := localizer(r)
	v := view{L: l, User: currentUser(r), CSRF: s.csrfToken(r), Nav: nav, Path: r.URL.Path, LangBase: s.langBase(r),
		Practice: s.cfg.PracticeName, Version: s.cfg.Version, Data: data}
	if block == "layout.html" && patientPages[name] {
		block = "patient_layout"
		v.Site = s.app.PracticeSite(r.Context())
		if sb, ok := data.(interface{ StaffBackLink() string }); ok && v.User != nil {
			v.StaffBack = sb.StaffBackLink()
		}
	}
	if block == "layout.html" && publicPages[name] {
		v.Site = s.app.PracticeSite(r.Context())
	}
	if block == "layout.html" || block == "patient_layout" {
		v.Flash = s.popFlash(r)
		if titled, ok := data.(interface{ PageTitle() string }); ok {
			v.Title = titled.PageTitle()
		} else if title != "" {
			v.Title = l.T(title)
		}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := t.ExecuteTemplate(buf, block, v); err != nil {
		return fmt.Errorf("render %s/%s: %w", name, block, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// pageBuffers keep the buffers pages are rendered into and held in until
// their unit commits: grown anew for each page they were the largest
// allocation of a page view after the compressor (the day board: 82 KB).
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return pageBuffers.Get().(*bytes.Buffer) }

// putBuffer gives b back, unless it grew past 1 MB (a large export): the
// pool keeps page-sized buffers only.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

const sessionFlash = "flash"

// flash keeps a message key to show on the next page (after a redirect).
func (s *Server) flash(r *http.Request, key string) { s.sessions.Put(r.Context(), sessionFlash, key) }

func (s *Server) popFlash(r *http.Request) string {
	key := s.sessions.PopString(r.Context(), sessionFlash)
	if key == "" {
		return ""
	}
	return localizer(r).T(key)
}

// errorPage is what the error page says: a message key, or the reasons of a refusal.
type errorPage struct {
	Key      string
	Messages []string
	Home     string // the signed-in user's home, or "" for the public one
}

// httpError is an error with a status and a message key for the user.
type httpError struct {
	status int
	key    string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.key) }

func errStatus(status int, key string) error { return &httpError{status: status, key: key} }

// adapt turns a handler returning an error into an http.Handler that shows
// the error in the user's language and never a stack trace.
func (s *Server) adapt(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *httpError
		page := errorPage{}
		refusal, refused := app.AsRefusal(err)
		switch {
		case errors.As(err, &he):
		case refused:
			// A rule or a workflow guard said no: say why, nothing changed.
			he = &httpError{status: http.StatusConflict, key: "error.refused"}
			if refusal.Invalid {
				he.status = http.StatusUnprocessableEntity
			}
			page.Messages = s.app.Messages(refusal, localizer(r))
		case errors.Is(err, store.ErrNotFound):
			he = &httpError{status: http.StatusNotFound, key: "error.not_found"}
		default:
			s.log.Error("handler failed", "route", info(r).route, "err", err)
			he = &httpError{status: http.StatusInternalServerError, key: "error.internal"}
		}
		page.Key = he.key
		r = s.withUserForErrorPage(r)
		if u := currentUser(r); u != nil {
			page.Home = homeOf(u.Role)
		}
		if rerr := s.render(w, r, he.status, "error", "error.title", "", page); rerr != nil {
			s.log.Error("error page failed", "err", rerr)
			http.Error(w, http.StatusText(he.status), he.status)
		}
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errStatus(http.StatusNotFound, "error.not_found")
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listing
			http.NotFound(w, r)
			return
		}
		info(r).route = "GET /static/"
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	statements   *prometheus.HistogramVec
	transactions *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "repere_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "repere_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "repere_db_statements_per_request", Help: "SQL statements run per HTTP request, by route.",
			Buckets: []float64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89}}, []string{"route"}),
		transactions: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "repere_db_transactions_per_request", Help: "Database transactions begun per HTTP request, by route.",
			Buckets: []float64{0, 1, 2, 3, 5, 8, 13}}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration, m.statements, m.transactions, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricsHandler serves Prometheus metrics to a scraper presenting the
// configured bearer token, from any address: loopback is no proof of who
// asks, since every local process and user can reach it. Without a token
// /metrics is off (404, with a hint) unless the operator chose to open it
// (MetricsOpen), e.g. behind a firewall that only lets the scraper in.
func (s *Server) metricsHandler() http.Handler {
	prom := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).route = "GET /metrics"
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case s.cfg.MetricsOpen:
		case s.cfg.MetricsToken == "":
			http.Error(w, "metrics are off: start repere with --metrics-token (scrapers then send \"Authorization: Bearer <token>\") or --metrics-open", http.StatusNotFound)
			return
		case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.cfg.MetricsToken)) != 1:
			w.Header().Set("WWW-Authenticate", `Bearer realm="repere metrics"`)
			http.Error(w, "metrics need the bearer token given to --metrics-token", http.StatusUnauthorized)
			return
		}
		prom.ServeHTTP(w, r)
	})
}

// who names the author of a change on a staff page: a staff login as it
// is; the patient's own link or portal, and the server's jobs, in words
// rather than as the audit log's login ("patient-link:3").
func who(l *i18n.Localizer, login string) string {
	if id, ok := strings.CutPrefix(login, "patient-link:"); ok {
		return l.T("actor.patient_link", "ID", id)
	}
	if strings.HasPrefix(login, "portal:patient:") {
		return l.T("actor.portal")
	}
	if job, ok := strings.CutPrefix(login, "system:"); ok {
		return l.T("audit.system_actor", "Job", job)
	}
	return login
}

// withUserForErrorPage puts the signed-in user back in the request an error
// page is drawn with: the guard adds them to its own copy of the request,
// and a path no route serves never reaches a guard. Without them the page
// would look signed out (no navigation, "sign in") to someone signed in.
func (s *Server) withUserForErrorPage(r *http.Request) *http.Request {
	if currentUser(r) != nil {
		return r
	}
	u, err := s.loadUser(r)
	if err != nil || u == nil {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), keyUser, u))
}
