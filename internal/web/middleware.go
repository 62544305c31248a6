package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/billing"
	"repere/internal/i18n"
	"repere/internal/store"
)

type ctxKey int

const (
	keyInfo ctxKey = iota
	keyLocalizer
	keyUser
)

// reqInfo is filled along the chain and read back by observe, which sits
// outside the handlers that learn the route and the user.
type reqInfo struct {
	route  string
	userID int64
}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(keyInfo).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func localizer(r *http.Request) *i18n.Localizer {
	if l, ok := r.Context().Value(keyLocalizer).(*i18n.Localizer); ok {
		return l
	}
	return nil
}

func currentUser(r *http.Request) *auth.User {
	u, _ := r.Context().Value(keyUser).(*auth.User)
	return u
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request and counts it in the metrics. It logs the route
// pattern, never the URL, whose query may hold a patient's name.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{route: "unmatched"}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), keyInfo, ri)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(ri.route, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(ri.route).Observe(elapsed.Seconds())
		if ri.route == "GET /healthz" || ri.route == "GET /static/" {
			return
		}
		s.log.Info("request", "method", r.Method, "route", ri.route, "status", sw.status,
			"ms", float64(elapsed.Microseconds())/1000, "user", ri.userID)
	})
}

// recoverPanics turns a panic into a plain error page; the stack goes to the
// server log only.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "route", info(r).route, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "Erreur interne / Internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// No answer is kept by a browser or a proxy unless its handler says
		// so (static files): pages, documents and redirects may hold patient
		// data, and a new handler cannot forget this.
		h.Set("Cache-Control", "no-store")
		if s.cfg.HSTS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.cfg.MaxBodyBytes
		if strings.HasSuffix(r.URL.Path, "/consent/scan") {
			limit = maxScanBytes + 64<<10 // a scanned paper consent and its form
		}
		if r.URL.Path == "/referrer/requests" {
			limit = 3 * app.MaxPrescriptionBytes // a prescription too big is said on the form, kept as typed
		}
		if r.URL.Path == "/admin/tariffs" {
			limit = billing.MaxImportBytes + 64<<10 // a tariff extract and its form
		}
		if r.ContentLength > limit {
			http.Error(w, "Requête trop volumineuse / Request too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// csrf refuses cross-origin unsafe requests (Sec-Fetch-Site / Origin). The
// session token checked in guard is the second line, for old browsers.
func (s *Server) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Requête d'origine étrangère refusée / Cross-origin request refused", http.StatusForbidden)
	}))
	return cop.Handler(next)
}

func (s *Server) withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		explicit := r.URL.Query().Get("lang")
		lang := i18n.Pick(explicit, r.Header.Get("Accept-Language"))
		if explicit != "" && lang == strings.ToLower(explicit) {
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		} else if c, err := r.Cookie("lang"); err == nil {
			lang = i18n.Pick(c.Value, r.Header.Get("Accept-Language"))
		}
		ctx := context.WithValue(r.Context(), keyLocalizer, s.i18n.For(lang))
		w.Header().Set("Content-Language", lang)
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

const sessionUserID = "user_id"
const sessionCSRF = "csrf"

// sessionEpoch holds the user's session epoch at sign-in: a session of an
// older epoch (password changed or reset, account disabled) is over.
const sessionEpoch = "epoch"

// sessionUser reads the signed-in user's id from a session's stored data,
// so that the session store files each session under its user.
func sessionUser(codec scs.Codec, data []byte) int64 {
	_, values, err := codec.Decode(data)
	if err != nil {
		return 0
	}
	id, _ := values[sessionUserID].(int64)
	return id
}

// csrfToken returns the session's form token, creating it if needed.
func (s *Server) csrfToken(r *http.Request) string {
	tok := s.sessions.GetString(r.Context(), sessionCSRF)
	if tok == "" {
		b := make([]byte, 32)
		rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		s.sessions.Put(r.Context(), sessionCSRF, tok)
	}
	return tok
}

func (s *Server) validCSRF(r *http.Request) bool {
	want := s.sessions.GetString(r.Context(), sessionCSRF)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loadUser returns the signed-in user, or nil. A disabled or deleted account,
// or a session older than the user's last revocation, ends the session.
func (s *Server) loadUser(r *http.Request) (*auth.User, error) {
	id := s.sessions.GetInt64(r.Context(), sessionUserID)
	if id == 0 {
		return nil, nil
	}
	u, err := s.store.UserByID(r.Context(), id)
	revoked := err == nil && u.SessionEpoch != s.sessions.GetInt64(r.Context(), sessionEpoch)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) || revoked {
		return nil, s.sessions.Destroy(r.Context())
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// guard runs a route's checks in order: form token on unsafe methods, field
// lengths, sign-in, role, forced password change; then puts the user and the audit actor in the
// request context.
func (s *Server) guard(rt route) http.Handler {
	return s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		info(r).route = rt.pattern
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			parse := r.ParseForm
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				parse = func() error { return r.ParseMultipartForm(1 << 20) } // files beyond 1 MiB go to temporary files
			}
			if err := parse(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					return errStatus(http.StatusRequestEntityTooLarge, "error.too_large")
				}
				return errStatus(http.StatusBadRequest, "error.bad_request")
			}
			if !s.validCSRF(r) {
				return errStatus(http.StatusForbidden, "error.csrf")
			}
		}
		if err := checkLengths(rt.pattern, r); err != nil {
			return err
		}
		u, err := s.loadUser(r)
		if err != nil {
			return err
		}
		ctx := r.Context()
		if u != nil {
			info(r).userID = u.ID
			ctx = context.WithValue(ctx, keyUser, u)
			ctx = audit.WithActor(ctx, audit.Actor{UserID: u.ID, Login: u.Login, Role: string(u.Role), RemoteAddr: remoteAddr(r)})
		}
		r = r.WithContext(ctx)
		if rt.roles == nil {
			return rt.handle(w, r)
		}
		if u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			return errStatus(http.StatusUnauthorized, "error.signin_required")
		}
		if !u.Role.In(rt.roles...) {
			return errStatus(http.StatusForbidden, "error.forbidden")
		}
		if u.MustChangePassword && !strings.Contains(rt.pattern, " /password") && !strings.Contains(rt.pattern, " /logout") {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return nil
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return s.inReadUnit(rt, w, r)
		}
		return rt.handle(w, r)
	})
}
