package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"repere/internal/actrecord"
	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/checklist"
	"repere/internal/clock"
	"repere/internal/demo"
	"repere/internal/dimse"
	"repere/internal/followup"
	"repere/internal/i18n"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/web"
)

type serveConfig struct {
	addr, db, catalogDir       string
	screeningDir               string
	checklistDir, followUpDir  string
	recordsDir                 string
	demo                       bool
	demoHistory                int // referrals a workday in the demo's past year (0: none)
	logFormat, logLevel        string
	secureCookies, hsts        bool
	metricsOpen                bool
	metricsToken, practiceName string
	sessionIdle, sessionMax    time.Duration
	timezone                   string
	dicom                      dicomConfig
	mail                       mailConfig
	sms                        smsConfig
	practicePhone, baseURL     string
	trustedProxies             string
	dbMaxConns                 int
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", envDefault("addr", ":8080"), "HTTP listen address (env REPERE_ADDR)")
	db := dbFlag(fs)
	fs.StringVar(&c.catalogDir, "catalog", envDefault("catalog", ""), "practice catalogue folder overriding or adding acts (env REPERE_CATALOG)")
	fs.StringVar(&c.screeningDir, "screening", envDefault("screening", ""), "practice folder overriding or adding screening rules, drugs and holds (env REPERE_SCREENING)")
	fs.StringVar(&c.checklistDir, "checklist", envDefault("checklist", ""), "practice folder overriding or adding safety checklist items (env REPERE_CHECKLIST)")
	fs.StringVar(&c.followUpDir, "followup", envDefault("followup", ""), "practice folder overriding discharge criteria and follow-up days (env REPERE_FOLLOWUP)")
	fs.StringVar(&c.recordsDir, "records", envDefault("records", ""), "practice folder overriding the act record's fields and drugs (env REPERE_RECORDS)")
	fs.BoolVar(&c.demo, "demo", envBool("demo", false), "load a demo practice into an empty database (env REPERE_DEMO)")
	fs.IntVar(&c.demoHistory, "demo-history", envInt("demo-history", 2), "with --demo, on first start, play a past year of N referrals a workday through the application, for the dashboards; 0: none (env REPERE_DEMO_HISTORY)")
	fs.StringVar(&c.logFormat, "log-format", envDefault("log-format", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", envDefault("log-level", "info"), "log level: debug, info, warn, error")
	fs.BoolVar(&c.secureCookies, "secure-cookies", envBool("secure-cookies", false), "send cookies over HTTPS only (set it behind TLS)")
	fs.BoolVar(&c.hsts, "hsts", envBool("hsts", false), "send Strict-Transport-Security (only behind TLS)")
	fs.StringVar(&c.metricsToken, "metrics-token", envDefault("metrics-token", ""), "bearer token /metrics requires, from every address (env REPERE_METRICS_TOKEN); without it /metrics is off")
	fs.BoolVar(&c.metricsOpen, "metrics-open", envBool("metrics-open", false), "serve /metrics without a token to whoever reaches the port (env REPERE_METRICS_OPEN)")
	fs.StringVar(&c.practiceName, "practice-name", envDefault("practice-name", "Repère"), "practice name shown in pages")
	fs.DurationVar(&c.sessionIdle, "session-idle", 60*time.Minute, "sign out after this long without activity")
	fs.DurationVar(&c.sessionMax, "session-max", 12*time.Hour, "sign out after this long in any case")
	fs.StringVar(&c.timezone, "timezone", envDefault("timezone", "Europe/Paris"), "the practice's time zone")
	fs.StringVar(&c.practicePhone, "practice-phone", envDefault("practice-phone", ""), "phone number printed on patient documents when the site has none")
	fs.StringVar(&c.baseURL, "base-url", envDefault("base-url", ""), "public address of the server, e.g. https://repere.example.org (links in the FHIR API)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", envDefault("trusted-proxies", ""), "reverse proxies (comma-separated CIDRs or addresses) whose X-Forwarded-For gives the client address; none: the TCP peer (env REPERE_TRUSTED_PROXIES)")
	fs.IntVar(&c.dbMaxConns, "db-max-conns", envInt("db-max-conns", 0), "database connections this instance may hold (0: 8 on SQLite, 20 on PostgreSQL; on SQLite as many again read-only, for the pages' reads; env REPERE_DB_MAX_CONNS); on PostgreSQL keep instances × this under max_connections")
	dicomFlags(fs, &c.dicom)
	mailFlags(fs, &c.mail)
	smsFlags(fs, &c.sms)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.db = *db
	if c.metricsOpen && c.metricsToken != "" {
		return c, errors.New("--metrics-open and --metrics-token together: choose the token, or open /metrics without one")
	}
	if _, err := web.ParseTrustedProxies(c.trustedProxies); err != nil {
		return c, fmt.Errorf("--trusted-proxies: %w", err)
	}
	return c, nil
}

// serveGCPercent is the garbage collector's target when GOGC is not set:
// the server's live heap is small (tens of MB), and at Go's default of 100
// the collector took a fifth of the CPU under bench/load at 200 operations/s
// on 2 cores. 200 halves its runs for about twice the heap between them.
const serveGCPercent = 200

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	cfg, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	log.Info("starting repere", "version", buildVersion(), "addr", cfg.addr, "db", maskDSN(cfg.db), "catalog", cfg.catalogDir,
		"demo", cfg.demo, "demo_history", cfg.demoHistory, "secure_cookies", cfg.secureCookies, "hsts", cfg.hsts, "metrics_token", maskSecret(cfg.metricsToken), "metrics_open", cfg.metricsOpen,
		"session_idle", cfg.sessionIdle, "session_max", cfg.sessionMax, "timezone", cfg.timezone,
		"dicom_addr", cfg.dicom.addr, "dicom_ae", cfg.dicom.aeTitle, "dicom_charset", cfg.dicom.charset, "trusted_proxies", cfg.trustedProxies, "db_max_conns", cfg.dbMaxConns)
	loc, err := time.LoadLocation(cfg.timezone)
	if err != nil {
		return fmt.Errorf("--timezone: %w", err)
	}

	cat, err := catalog.Load(cfg.catalogDir)
	if err != nil {
		return err
	}
	log.Info("catalogue loaded", "acts", len(cat.Acts()))
	rules, err := screening.Load(cat, cfg.screeningDir)
	if err != nil {
		return err
	}
	checks, err := checklist.Load(cfg.checklistDir)
	if err != nil {
		return err
	}
	follow, err := followup.Load(cat, cfg.followUpDir)
	if err != nil {
		return err
	}
	records, err := actrecord.Load(cat, cfg.recordsDir)
	if err != nil {
		return err
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	// Held until the server stops: `repere restore` refuses to swap the file under it.
	lock, err := store.LockShared(cfg.db)
	if err != nil {
		return fmt.Errorf("%w: a restore is running on %s", err, maskDSN(cfg.db))
	}
	defer lock.Release()
	st, err := store.Open(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetMaxConns(cfg.dbMaxConns)
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("database ready", "engine", st.Engine(), "migrations_applied", len(applied))
	if err := ensureAdmin(ctx, st, stdout); err != nil {
		return err
	}
	freshDemo := false
	if cfg.demo {
		if freshDemo, err = loadDemo(ctx, st, cat, loc, stdout, log); err != nil {
			return err
		}
	}

	host := publicHost(cfg.baseURL, cfg.mail.from)
	mailer, mailDesc, err := cfg.mail.mailer(host)
	if err != nil {
		return err
	}
	log.Info("email", "smtp", mailDesc, "reminder_days", cfg.mail.reminderDays)
	smsSender, smsDesc, err := cfg.sms.provider()
	if err != nil {
		return fmt.Errorf("--sms-url/--sms-template: %w", err)
	}
	log.Info("sms", "provider", smsDesc)
	appCfg := app.Config{Store: st, Catalog: cat, I18n: bundle, Screening: rules, Records: records, Checklists: checks,
		FollowUp: follow, Location: loc, PracticeName: cfg.practiceName, PracticePhone: cfg.practicePhone, BaseURL: cfg.baseURL,
		ReminderDays: cfg.mail.reminderDays, Host: host}
	if freshDemo && cfg.demoHistory > 0 {
		// The past is played with no mail or SMS going out.
		if err := playDemoHistory(ctx, appCfg, cfg.demoHistory, log); err != nil {
			return err
		}
	}
	appCfg.Mailer, appCfg.SMS = mailer, smsSender
	application, err := app.New(appCfg)
	if err != nil {
		return err
	}
	webCfg := web.Config{SecureCookies: cfg.secureCookies, HSTS: cfg.hsts, SessionIdle: cfg.sessionIdle, SessionMax: cfg.sessionMax,
		MetricsToken: cfg.metricsToken, MetricsOpen: cfg.metricsOpen, PracticeName: cfg.practiceName, PracticePhone: cfg.practicePhone, BaseURL: cfg.baseURL,
		Version: buildVersion()}
	webCfg.TrustedProxies, _ = web.ParseTrustedProxies(cfg.trustedProxies) // checked with the flags
	srv, err := web.New(webCfg, application, bundle, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	dicomServer, err := newDicomServer(cfg.dicom, application, log)
	if err != nil {
		ln.Close()
		return err
	}
	// The worklist's port is bound before "ready" is said: a console (or a
	// test) that connects then must not be refused, and a port already
	// taken stops the start instead of failing after it.
	var dicomLn net.Listener
	if dicomServer != nil {
		addr := dicomServer.Addr
		if addr == "" {
			addr = dimse.DefaultAddr
		}
		if dicomLn, err = net.Listen("tcp", addr); err != nil {
			ln.Close()
			return fmt.Errorf("dicom worklist: listen: %w", err)
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go srv.CleanSessions(ctx, 10*time.Minute)
	go application.RunOutbox(ctx, app.OutboxOptions{Every: cfg.mail.outboxEvery, Retry: retryAfter, Logger: log})
	go application.RunSummaries(ctx, time.Minute, log)
	errc := make(chan error, 2)
	go func() { errc <- httpServer.Serve(ln) }()
	if dicomServer != nil {
		go func() {
			if err := dicomServer.Serve(ctx, dicomLn); err != nil {
				errc <- fmt.Errorf("dicom worklist: %w", err)
			}
		}()
	}
	log.Info("ready", "url", "http://"+displayAddr(ln.Addr()), "startup_ms", time.Since(started).Milliseconds())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && (tcp.IP.IsUnspecified() || tcp.IP == nil) {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "set (hidden)"
}

// ensureAdmin creates the first administrator on an empty database and
// prints its one-time password once, on standard output (never in the logs).
func ensureAdmin(ctx context.Context, st *store.Store, stdout io.Writer) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	id, err := st.CreateUser(ctx, auth.User{Login: "admin", DisplayName: "Administrateur", Role: auth.Admin, PasswordHash: hash, MustChangePassword: true})
	if err != nil {
		return err
	}
	if err := st.RecordEvent(ctx, audit.System("setup"), "create", "user", fmt.Sprint(id), "first administrator"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n  First administrator account created.\n  login:    admin\n  password: %s\n  (shown once; you will be asked to change it at first sign-in)\n\n", password)
	return nil
}

// playDemoHistory plays the demo's past year through an application of
// its own whose clock (and the store's) walks through the year; the store
// gets the machine's clock back afterwards.
func playDemoHistory(ctx context.Context, cfg app.Config, perDay int, log *slog.Logger) error {
	now := time.Now()
	clk := clock.StartingAt(now.AddDate(-1, 0, 0))
	cfg.Clock = clk
	cfg.Store.SetClock(func() time.Time { return clk.Now().UTC() })
	defer cfg.Store.SetClock(func() time.Time { return time.Now().UTC() })
	historyApp, err := app.New(cfg)
	if err != nil {
		return err
	}
	log.Info("playing the demo's past year through the application", "referrals_per_workday", perDay)
	started := time.Now()
	stats, err := demo.History(ctx, historyApp, clk, now, perDay, uint64(now.UnixNano()))
	if err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	log.Info("demo history played", "referrals", stats.Referrals, "done", stats.Done, "cancelled", stats.Cancelled,
		"no_shows", stats.NoShows, "failed", stats.Failed, "seconds", int(time.Since(started).Seconds()))
	return nil
}

func loadDemo(ctx context.Context, st *store.Store, cat *catalog.Catalog, loc *time.Location, stdout io.Writer, log *slog.Logger) (bool, error) {
	password := auth.GeneratePassword()
	first := demo.FirstDay(time.Now(), loc)
	accounts, err := demo.Load(ctx, st, cat, password, first)
	if err != nil {
		return false, fmt.Errorf("demo data: %w", err)
	}
	if accounts == nil {
		log.Info("demo data already present; nothing added")
		return false, nil
	}
	fmt.Fprintf(stdout, "  Demo practice loaded; its day board starts on %s %s.\n", first.Weekday(), first.Format(time.DateOnly))
	fmt.Fprintf(stdout, "  Demo accounts (password for all, shown once: %s):\n", password)
	fmt.Fprintln(stdout, "  Each demo account chooses its own password at first sign-in.")
	for _, a := range accounts {
		fmt.Fprintf(stdout, "    %-12s %-20s %s\n", a.Login, a.Name, a.Role)
	}
	fmt.Fprintln(stdout)
	return true, nil
}

// publicHost names the server in calendar UIDs, Message-IDs and EHLO: the
// host of --base-url, or else the domain of --smtp-from, or else the
// machine's name.
func publicHost(baseURL, from string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	if a, err := netmail.ParseAddress(from); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok && domain != "" {
			return domain
		}
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		return name
	}
	return "repere.invalid"
}
