// Package web serves Repère's pages: the public catalogue of acts, the staff
// area and the administration, all server-rendered with html/template and
// htmx. Every route is declared once in routes(), with the roles allowed to
// use it, so the access rules can be read (and tested) in one table.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	_ "time/tzdata" // Europe/Paris even where the host has no zoneinfo

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"repere/internal/actrecord"
	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/checklist"
	"repere/internal/fhir"
	"repere/internal/followup"
	"repere/internal/i18n"
	"repere/internal/screening"
	"repere/internal/store"
)

// Config holds the web options chosen at start.
type Config struct {
	SecureCookies bool          // send the session cookie over HTTPS only
	HSTS          bool          // send Strict-Transport-Security
	SessionIdle   time.Duration // sign-out after this long without a request
	SessionMax    time.Duration // sign-out after this long in any case
	MetricsToken  string        // bearer token /metrics requires
	MetricsOpen   bool          // serve /metrics without a token (the operator's choice)
	MaxBodyBytes  int64         // largest request body accepted
	PracticeName  string
	PracticePhone string
	Version       string
	BaseURL       string // the public address, e.g. https://repere.example.org (FHIR links); empty: relative
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxies); without them the client is the TCP peer.
	TrustedProxies []netip.Prefix
	// Password hashing bound (see package auth): at most HashSlots argon2id
	// hashes at once (default: half the CPUs, at least one, so sign-ins never
	// take every core from the clinical pages), a request waits at most
	// HashWait for a slot (default 3 s) and at most HashQueue requests wait
	// (default 32 per slot; -1: none) before the answer is "busy, retry".
	HashSlots int
	HashWait  time.Duration
	HashQueue int
}

// Server holds what the handlers share. The use cases and their rules are
// the application layer's (app); the handlers read requests, call it and
// render its answers.
type Server struct {
	cfg        Config
	app        *app.App
	store      *store.Store
	screening  *screening.Set
	records    *actrecord.Set
	checklists *checklist.Set
	followup   *followup.Set
	catalog    *catalog.Catalog
	i18n       *i18n.Bundle
	sessions   *scs.SessionManager
	pages      *pages
	log        *slog.Logger
	metrics    *metrics
	registry   *prometheus.Registry
	hasher     *auth.Hasher
	gets       getRoutes // the pages a GET reaches, for the language switch

	// OnRender, when set, is called with the name of every page rendered (tests).
	OnRender func(page string)
	// OnPasswordHash, when set, is called as each argon2id hash starts, inside
	// its slot (tests count and hold hashes with it).
	OnPasswordHash func()
}

// New prepares the server on the application layer; Handler returns its HTTP handler.
func New(cfg Config, a *app.App, bundle *i18n.Bundle, log *slog.Logger) (*Server, error) {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.HashSlots <= 0 {
		cfg.HashSlots = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if cfg.HashWait <= 0 {
		cfg.HashWait = 3 * time.Second
	}
	if cfg.HashQueue == 0 {
		cfg.HashQueue = 32 * cfg.HashSlots
	}
	if cfg.PracticeName == "" {
		cfg.PracticeName = "Repère"
	}
	pg, err := loadPages(a.Location(), func(channel string) bool {
		switch channel {
		case "email":
			return a.MailReady()
		case "sms":
			return a.SMSReady()
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	st := a.Store()
	sm := scs.New()
	sm.Codec = sessionCodec{}
	// The store keeps each token's SHA-256 and the session's user (see
	// store.SessionStore), so scs's own HashTokenInStore stays off.
	sm.Store = st.Sessions().WithUser(func(data []byte) int64 { return sessionUser(sm.Codec, data) })
	sm.IdleTimeout = cfg.SessionIdle
	sm.Lifetime = cfg.SessionMax
	sm.Cookie.Name = "repere_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	reg := prometheus.NewRegistry()
	s := &Server{cfg: cfg, app: a, store: st, catalog: a.Catalog(), i18n: bundle, sessions: sm, pages: pg, log: log, registry: reg,
		screening: a.Screening(), records: a.Records(), checklists: a.Checklists(), followup: a.FollowUp()}
	s.metrics = newMetrics(reg)
	s.hasher = auth.NewHasher(cfg.HashSlots, cfg.HashWait, cfg.HashQueue, func() {
		if s.OnPasswordHash != nil {
			s.OnPasswordHash()
		}
	})
	return s, nil
}

// now is the current time on the server's clock.
func (s *Server) now() time.Time { return s.app.Now() }

// loc is the practice's time zone.
func (s *Server) loc() *time.Location { return s.app.Location() }

// Registry is the Prometheus registry /metrics serves, for other packages' collectors.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// CleanSessions deletes expired sessions, stale attempt counts and sign-in
// counts no longer needed, every interval until ctx ends.
func (s *Server) CleanSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.store.Sessions().DeleteExpired(ctx); err != nil {
				s.log.Warn("session cleanup failed", "err", err)
			} else if n > 0 {
				s.log.Debug("expired sessions deleted", "count", n)
			}
			// Attempt counts older than their window are no longer read.
			if _, err := s.store.DeleteStaleAttempts(ctx, s.now().Add(-limitWindow)); err != nil {
				s.log.Warn("attempt counts cleanup failed", "err", err)
			}
			if _, err := s.store.DeleteStaleLoginCounts(ctx); err != nil {
				s.log.Warn("sign-in counts cleanup failed", "err", err)
			}
		}
	}
}

// Role sets used by the route table.
var (
	public       []auth.Role // nil: no sign-in needed
	anyone       = auth.Roles
	staff        = auth.Staff
	clinical     = []auth.Role{auth.Secretary, auth.Radiographer, auth.Radiologist}
	bookers      = []auth.Role{auth.Secretary, auth.Radiologist}
	adminOnly    = []auth.Role{auth.Admin}
	radiologists = []auth.Role{auth.Radiologist}
	caregivers   = []auth.Role{auth.Radiologist, auth.Radiographer} // who records the act and writes its report
	billers      = []auth.Role{auth.Secretary, auth.Admin}          // who exports the day's billing
	overseers    = []auth.Role{auth.Admin, auth.Radiologist}        // who reads the practice's dose, activity and outcomes
	referrers    = []auth.Role{auth.Referrer}
	patientOnly  = []auth.Role{auth.Patient}
	// reportReaders: the staff, and a referring physician for the reports
	// of their own requests (checked by the handler).
	reportReaders = []auth.Role{auth.Secretary, auth.Radiographer, auth.Radiologist, auth.Referrer}
)

// route is one entry of the route table.
type route struct {
	pattern string // Go 1.22 mux pattern, with method
	roles   []auth.Role
	handle  func(w http.ResponseWriter, r *http.Request) error
}

func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", public, s.home},
		{"GET /actes/{slug}", public, s.actPage},
		{"GET /actes/{slug}/fiche.pdf", public, s.infoSheet},
		{"GET /healthz", public, s.healthz},
		{"GET /calendar/{token}", public, s.calendarFeed}, // the secret token is the credential
		{"GET /q/{token}", public, s.patientLink},         // the link and the birth date are the credentials
		{"POST /q/{token}", public, s.patientLinkPost},
		{"GET /q/{token}/consent", public, s.patientConsent},
		{"GET /portal/{$}", public, s.portalHome}, // the portal checks its own sign-in (code + birth date)
		{"POST /portal/code", public, s.portalCode},
		{"POST /portal/verify", public, s.portalVerify},
		{"POST /portal/logout", public, s.portalLogout},
		{"GET /portal/appointments/{id}/convocation.pdf", public, s.portalConvocation},
		{"GET /portal/consents/{id}", public, s.portalConsent},
		{"GET /portal/reports/{id}", public, s.portalReport},
		{"POST /portal/appointments/{id}/score", public, s.portalScore},
		{"POST /q/{token}/consent", public, s.patientConsent},
		{"GET /login", public, s.loginForm},
		{"POST /login", public, s.login},
		{"POST /logout", anyone, s.logout},
		{"GET /password", anyone, s.passwordForm},
		{"POST /password", anyone, s.changePassword},

		{"GET /staff", staff, s.dashboard},
		{"GET /staff/patients", clinical, s.patients},
		{"GET /staff/patients/{id}", clinical, s.patientPage},
		{"GET /staff/patients/new", bookers, s.newPatientForm},
		{"POST /staff/patients", bookers, s.createPatient},
		{"GET /staff/patients/{id}/referrals/new", bookers, s.newReferralForm},
		{"GET /staff/patients/{id}/identity", bookers, s.identityForm},
		{"POST /staff/patients/{id}/identity", bookers, s.correctIdentity},
		{"POST /staff/patients/{id}/referrals", bookers, s.createReferral},
		{"GET /staff/referrals", clinical, s.referrals},
		{"GET /staff/referrals/{id}", clinical, s.referralPage},
		{"POST /staff/referrals/{id}/book", bookers, s.book},
		{"POST /staff/appointments/{id}/cancel", bookers, s.endAppointment},
		{"POST /staff/appointments/{id}/no-show", clinical, s.endAppointment},
		{"POST /staff/appointments/{id}/move", bookers, s.moveAppointment},
		{"GET /staff/appointments/{id}", clinical, s.appointmentPage},
		{"GET /staff/appointments/{id}/{doc}", clinical, s.appointmentDocument},
		{"POST /staff/appointments/{id}/send", bookers, s.sendConvocation},
		{"GET /staff/appointments/{id}/consent", clinical, s.consentForm},
		{"POST /staff/appointments/{id}/consent", clinical, s.signConsent},
		{"POST /staff/appointments/{id}/consent/scan", clinical, s.scanConsent},
		{"GET /staff/consents/{id}/document", clinical, s.consentDocument},
		{"POST /staff/consents/{id}/withdraw", clinical, s.withdrawConsent},
		{"POST /staff/referrals/{id}/cover", bookers, s.setCover},
		{"GET /staff/planning", clinical, s.planning},
		{"GET /staff/day", clinical, s.dayBoard},
		{"GET /staff/appointments/{id}/checkin", clinical, s.checkInForm},
		{"POST /staff/appointments/{id}/checkin", clinical, s.checkIn},
		{"POST /staff/appointments/{id}/day", clinical, s.moveDay},
		{"POST /staff/steps/{uid}/link", clinical, s.linkStep},
		{"GET /staff/appointments/{id}/checklist", clinical, s.checklistPage},
		{"POST /staff/appointments/{id}/checklist", clinical, s.checkItem},
		{"GET /staff/appointments/{id}/record", clinical, s.recordForm},
		{"GET /staff/appointments/{id}/discharge", clinical, s.dischargeForm},
		{"POST /staff/appointments/{id}/discharge", clinical, s.discharge},
		{"POST /staff/appointments/{id}/score", clinical, s.addPainScore},
		{"POST /staff/appointments/{id}/new-act", bookers, s.offerNewAct},
		{"POST /staff/appointments/{id}/record", caregivers, s.saveRecord},
		{"GET /staff/appointments/{id}/report", clinical, s.reportForm},
		{"POST /staff/appointments/{id}/report", caregivers, s.saveReport},
		{"GET /staff/reports/{id}", reportReaders, s.staffOrReferrerReport},
		{"GET /staff/reports", clinical, s.reportsList},
		{"GET /staff/waiting", clinical, s.waitingList},
		{"POST /staff/referrals/{id}/wait", bookers, s.addToWaitingList},
		{"POST /staff/referrals/{id}/status", bookers, s.setReferralStatus},
		{"POST /staff/referrals/{id}/identity/confirm", bookers, s.confirmReferralIdentity},
		{"POST /staff/referrals/{id}/identity/refile", bookers, s.refileReferral},
		{"GET /staff/referrals/{id}/screening", clinical, s.screeningForm},
		{"POST /staff/referrals/{id}/screening", clinical, s.saveScreening},
		{"POST /staff/referrals/{id}/screening/sign", radiologists, s.decideScreening},
		{"POST /staff/referrals/{id}/screening/override", radiologists, s.decideScreening},
		{"POST /staff/referrals/{id}/screening/link", bookers, s.createScreeningLink},
		{"POST /staff/waiting/{id}/remove", bookers, s.removeFromWaitingList},
		{"GET /staff/billing", billers, s.billingPage},
		{"GET /staff/billing/export", billers, s.billingExport},
		{"GET /staff/catalogue", staff, s.catalogue},
		{"GET /staff/catalogue/{id}", staff, s.catalogueAct},
		{"GET /staff/review", staff, s.reviewIndex},
		{"GET /staff/review/pdf", staff, s.reviewPDF},
		{"GET /staff/review/{act}", staff, s.reviewPage},
		{"GET /staff/review/{act}/pdf", staff, s.reviewPDF},
		{"POST /staff/review/{act}/decide", radiologists, s.reviewDecide},
		{"GET /staff/dose", overseers, s.dosePage},
		{"GET /staff/activity", overseers, s.activityPage},
		{"GET /staff/activity/export", overseers, s.activityExport},
		{"GET /staff/outcomes", overseers, s.outcomesPage},
		{"GET /staff/outcomes/export", overseers, s.outcomesExport},
		{"GET /staff/dose/table/export", overseers, s.doseTableCSV},
		{"GET /staff/dose/export", overseers, s.doseExport},
		{"POST /staff/dose/levels", overseers, s.setDoseLevel},
		{"POST /staff/dose/alerts/{id}", radiologists, s.reviewDoseAlert},
		{"GET /staff/dose/reports", caregivers, s.doseUnattachedPage},
		{"POST /staff/dose/reports/attach", caregivers, s.attachDoseReport},

		{"GET /admin", adminOnly, s.adminHome},
		{"GET /admin/users", adminOnly, s.users},
		{"POST /admin/users", adminOnly, s.createUser},
		{"POST /admin/users/{id}/reset", adminOnly, s.resetPassword},
		{"POST /admin/users/{id}/active", adminOnly, s.setActive},
		{"GET /admin/audit", adminOnly, s.auditLog},
		{"GET /admin/practice", adminOnly, s.practiceAdmin},
		{"POST /admin/practice/{action}", adminOnly, s.practiceChange},
		{"POST /admin/feeds", adminOnly, s.createFeed},
		{"GET /admin/api", adminOnly, s.apiClients},
		{"POST /admin/api", adminOnly, s.createAPIClient},
		{"POST /admin/api/{id}/revoke", adminOnly, s.revokeAPIClient},
		{"GET /admin/tariffs", adminOnly, s.tariffs},
		{"POST /admin/tariffs", adminOnly, s.importTariffs},
		{"GET /admin/privacy", adminOnly, s.privacyAdmin},
		{"GET /admin/patients/{id}/privacy", adminOnly, s.privacyPatient},
		{"GET /admin/patients/{id}/export", adminOnly, s.exportPatient},
		{"POST /admin/patients/{id}/erase", adminOnly, s.erasePatient},

		{"GET /referrer", referrers, s.referrerHome},
		{"GET /espace", patientOnly, s.patientHome},

		// Sending the way in to the patient (questionnaire, portal).
		{"POST /staff/referrals/{id}/screening/send", bookers, s.sendQuestionnaireLink},
		{"POST /staff/patients/{id}/portal/invite", bookers, s.invitePortal},
		{"POST /portal/letter-code", public, s.portalLetterCode}, // the code and the birth date are the credentials

		// The referring physician's space.
		{"GET /referrer/requests/new", referrers, s.referrerRequestForm},
		{"POST /referrer/requests", referrers, s.referrerRequestCreate},
		{"GET /referrer/reports/{id}", referrers, s.referrerReport},
		{"GET /staff/referral-documents/{id}", clinical, s.referralDocument},
		// Staff booking, work lists and day (issue 15, staff part).
		{"GET /staff/referrals/{id}/slots", bookers, s.moreSlots},
		{"GET /staff/work", clinical, s.workPage},
		{"POST /staff/appointments/{id}/observations", clinical, s.addObservation},
		{"GET /staff/appointments/{id}/move", bookers, s.moveFormPage},
	}
}

// Handler returns the whole HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	mux.Handle("GET /static/", staticHandler())
	mux.Handle("GET /static/fields.js", fieldsScript())
	mux.Handle("GET /metrics", s.metricsHandler())
	api := s.fhirHandler()
	mux.Handle(fhir.Prefix+"/", api) // its own bearer-token auth, scopes and audit
	mux.Handle(fhir.Prefix, api)     // the base itself takes transactions (no redirect)
	mux.Handle("/", s.adapt(s.notFound))

	var h http.Handler = mux
	h = s.sessions.LoadAndSave(h)
	h = s.withLanguage(h)
	h = s.csrf(h)
	h = s.limitBody(h)
	h = s.securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.countStatements(h)
	h = s.observe(h)
	h = s.clientAddress(h)
	h = compress(h)
	return h
}

// Routes lists the route table for tests: pattern and allowed roles (nil = public).
func (s *Server) Routes() map[string][]auth.Role {
	out := map[string][]auth.Role{}
	for _, rt := range s.routes() {
		out[rt.pattern] = rt.roles
	}
	return out
}
