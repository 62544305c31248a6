package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/clock"
	"repere/internal/demo"
	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/report"
	"repere/internal/store"
	"repere/internal/storetest"
	"repere/internal/web"
)

const testPassword = "correct horse battery"

// harness is a running server on a migrated database holding the demo
// practice and one account per role, all with testPassword.
type harness struct {
	t       testing.TB
	srv     *web.Server
	app     *app.App
	clock   *clock.Offset // the server's clock: a test moves it to the act's day
	ts      *httptest.Server
	store   *store.Store
	cat     *catalog.Catalog
	mu      sync.Mutex
	missing []string        // message keys without translation
	pages   map[string]bool // page templates rendered
	consent string          // id of the consent consentID recorded
	report  string          // id of the report reportID signed
	// referrerReport and referralDocument are the ids referrerReportID and
	// referralDocumentID made once for this harness. They live here, not in
	// a package map keyed by the harness's address: Go reuses the address of
	// a collected harness, and a later test then got an id of another
	// database (404 in TestEveryPageRenders, CI of 2026-12-03).
	referrerReport, referralDocument string
	idsMu                            sync.Mutex // guards the two ids above
}

var roleLogins = map[auth.Role]string{
	auth.Admin: "t.admin", auth.Secretary: "t.secretary", auth.Radiographer: "t.radiographer",
	auth.Radiologist: "t.radiologist", auth.Referrer: "dr.dubois", auth.Patient: "t.patient",
}

func newHarness(t testing.TB, st *store.Store) *harness {
	t.Helper()
	return newHarnessWith(t, st, func(*setup) {})
}

// setup is the configuration of the server and its application layer a
// test may change (a mailer...).
type setup struct {
	web web.Config
	app app.Config
}

// newHarnessWith lets a test set the server's configuration (a mailer...).
func newHarnessWith(t testing.TB, st *store.Store, configure func(*setup)) *harness {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: st, cat: cat, pages: map[string]bool{}}
	bundle.OnMissing = func(lang, key string) {
		h.mu.Lock()
		h.missing = append(h.missing, lang+":"+key)
		h.mu.Unlock()
	}
	if _, err := demo.Load(ctx, st, cat, testPassword, demo.FirstDay(storetest.Now(), paris)); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for role, login := range roleLogins {
		if role == auth.Referrer {
			// The demo's dr.dubois, linked to a physician record: as if its
			// user had already replaced the demo's shared password.
			u, err := st.UserByLogin(ctx, login)
			if err == nil {
				err = st.SetPassword(ctx, u.ID, hash, false)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := st.CreateUser(ctx, auth.User{Login: login, DisplayName: "Test " + string(role), Role: role, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.clock = clock.StartingAt(storetest.Now())
	st.SetClock(func() time.Time { return h.clock.Now().UTC() })
	// A long wait for a hashing slot: on a loaded machine a few argon2id
	// hashes in a row must not turn into "busy" answers (the busy case has
	// its own test, with its own settings).
	cfg := setup{web: web.Config{Version: "test", HashWait: 30 * time.Second}, app: app.Config{Store: st, Catalog: cat, I18n: bundle, Clock: h.clock}}
	configure(&cfg)
	if h.app, err = app.New(cfg.app); err != nil {
		t.Fatal(err)
	}
	h.srv, err = web.New(cfg.web, h.app, bundle, log)
	if err != nil {
		t.Fatal(err)
	}
	h.srv.OnRender = func(page string) {
		h.mu.Lock()
		h.pages[page] = true
		h.mu.Unlock()
	}
	h.ts = httptest.NewServer(h.srv.Handler())
	t.Cleanup(h.ts.Close)
	return h
}

// client is a browser-like client with its own cookies.
type client struct {
	h    *harness
	http *http.Client
}

func (h *harness) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, form url.Values, header map[string]string) response {
	c.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.h.ts.URL+path, body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) response { return c.do("GET", path, nil, nil) }

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf fetches a page and returns the form token it carries.
func (c *client) csrf() string {
	c.h.t.Helper()
	// The login form carries it; once signed in, the sign-out form of any page does.
	r := c.get("/login")
	if r.status == http.StatusSeeOther {
		r = c.get("/")
	}
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		c.h.t.Fatalf("no csrf token found (status %d)", r.status)
	}
	return m[1]
}

// post sends a form with a valid token.
func (c *client) post(path string, form url.Values) response {
	c.h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.csrf())
	}
	return c.do("POST", path, form, nil)
}

func (c *client) login(login, password string) response {
	c.h.t.Helper()
	return c.post("/login", url.Values{"login": {login}, "password": {password}})
}

// signedIn returns a client signed in with the role's test account.
func (h *harness) signedIn(role auth.Role) *client {
	h.t.Helper()
	c := h.client()
	if r := c.login(roleLogins[role], testPassword); r.status != http.StatusSeeOther {
		h.t.Fatalf("sign-in as %s: status %d\n%s", role, r.status, r.body)
	}
	return c
}

func (h *harness) auditCount(f audit.Filter) int {
	h.t.Helper()
	f.Limit = 500
	entries, err := h.store.SearchAudit(audit.WithActor(context.Background(), audit.System("test")), f)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(entries)
}

func (h *harness) firstPatientID() string {
	h.t.Helper()
	ps, err := h.store.SearchPatients(audit.WithActor(context.Background(), audit.System("test")), "", 1)
	if err != nil || len(ps) == 0 {
		h.t.Fatalf("no demo patient: %v", err)
	}
	return itoa(ps[0].ID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func engines(t *testing.T, fn func(t *testing.T, h *harness)) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) { fn(t, newHarness(t, st)) })
}

var system = audit.WithActor(context.Background(), audit.System("test"))

// referralID returns the id of the demo referral of the patient whose name contains name.
func (h *harness) referralID(name string) string {
	h.t.Helper()
	refs, err := h.store.ListReferrals(system, store.ReferralFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range refs {
		if strings.Contains(r.PatientName, name) {
			return itoa(r.ID)
		}
	}
	h.t.Fatalf("no demo referral for %s", name)
	return ""
}

func (h *harness) appointmentID() string {
	h.t.Helper()
	list, err := h.store.ListAppointments(system, store.AppointmentFilter{})
	if err != nil || len(list) == 0 {
		h.t.Fatalf("no demo appointment: %v", err)
	}
	return itoa(list[0].ID)
}

// feedToken creates a calendar subscription to the first CT room.
func (h *harness) feedToken() string {
	h.t.Helper()
	rooms, _ := h.store.Rooms(system)
	for _, r := range rooms {
		if r.StationAETitle == "CT1_INTERV" {
			token, err := h.store.CreateFeed(system, "room", r.ID, "test")
			if err != nil {
				h.t.Fatal(err)
			}
			return token + ".ics"
		}
	}
	h.t.Fatal("no CT1 room")
	return ""
}

// consentID records a scanned paper consent for the first demo appointment
// (once per harness) and returns its id.
func (h *harness) consentID() string {
	h.t.Helper()
	if h.consent != "" {
		return h.consent
	}
	appt, _ := strconv.ParseInt(h.appointmentID(), 10, 64)
	doc := []byte("%PDF-1.4 scanned paper consent")
	sum := sha256.Sum256(doc)
	id, err := h.store.SaveConsent(system, documents.Consent{AppointmentID: appt, ActID: "epidural_blood_patch", Lang: "fr", Version: "paper",
		Kind: documents.ConsentScanned, SignerName: "Zoé Lefèvre", Document: doc, ContentType: "application/pdf", SHA256: hex.EncodeToString(sum[:]), SignedAt: storetest.Now()})
	if err != nil {
		h.t.Fatal(err)
	}
	h.consent = itoa(id)
	return h.consent
}

// questionnaireToken makes a patient questionnaire link for the demo
// blood patch and returns its token.
func (h *harness) questionnaireToken() string {
	h.t.Helper()
	token := "questionnaire-token-" + h.referralID("LEFÈVRE")
	sum := sha256.Sum256([]byte(token))
	ref, _ := strconv.ParseInt(h.referralID("LEFÈVRE"), 10, 64)
	if _, err := h.store.CreateScreeningLink(system, ref, hex.EncodeToString(sum[:]), storetest.Now().Add(time.Hour)); err != nil && !strings.Contains(err.Error(), "UNIQUE") && !strings.Contains(err.Error(), "23505") {
		h.t.Fatal(err)
	}
	return token
}

// reportID signs a report version for the first demo appointment (once per
// harness) and returns its id.
func (h *harness) reportID() string {
	h.t.Helper()
	if h.report != "" {
		return h.report
	}
	appt, _ := strconv.ParseInt(h.appointmentID(), 10, 64)
	pdf := []byte("%PDF-1.4 report")
	sum := sha256.Sum256(pdf)
	r, err := h.store.SaveSignedReport(system, report.Signed{AppointmentID: appt, Number: 1, Title: "Blood patch", Body: "Technique…",
		SignedBy: "Dr Hélène Martin", SignedAt: storetest.Now(), SHA256: hex.EncodeToString(sum[:]), PDF: pdf})
	if err != nil {
		h.t.Fatal(err)
	}
	h.report = itoa(r.ID)
	return h.report
}

// nextDay is the first day at least after days after the tests' today (in
// Paris) that falls on one of weekdays, at midnight.
func nextDay(after int, weekdays ...time.Weekday) time.Time {
	now := storetest.Now()
	y, m, d := now.In(paris).Date()
	day := time.Date(y, m, d+after, 0, 0, 0, 0, paris)
	// Never on the demo's days (its day and the workday after), whatever
	// day of the week the suite runs.
	if busy := demo.NextWorkday(demo.FirstDay(now, paris), paris); !day.After(busy) {
		day = busy.AddDate(0, 0, 1)
	}
	for !slices.Contains(weekdays, day.Weekday()) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// onTheDay moves the server's clock to the day of an appointment, half an
// hour before it starts (the patient's arrival), and returns it.
func (h *harness) onTheDay(appt string) booking.Appointment {
	h.t.Helper()
	list, err := h.store.ListAppointments(system, storeFilterID(appt))
	if err != nil || len(list) != 1 {
		h.t.Fatalf("appointment %s: %v", appt, err)
	}
	h.clock.Set(list[0].Start.Add(-30 * time.Minute))
	return list[0]
}

// before moves the server's clock to d before an appointment's start.
func (h *harness) before(appt string, d time.Duration) {
	h.t.Helper()
	list, err := h.store.ListAppointments(system, storeFilterID(appt))
	if err != nil || len(list) != 1 {
		h.t.Fatalf("appointment %s: %v", appt, err)
	}
	h.clock.Set(list[0].Start.Add(-d))
}

// performed plays an appointment's act through the application, on its
// day: checked in, checklist overridden by a radiologist, in the room, then
// in monitoring (the act is done).
func (h *harness) performed(appt string) booking.Appointment {
	h.t.Helper()
	a := h.onTheDay(appt)
	p, err := h.store.Patient(system, a.PatientID)
	if err != nil {
		h.t.Fatal(err)
	}
	doctor := audit.WithActor(context.Background(), audit.Actor{Login: "t.radiologist", Role: string(auth.Radiologist)})
	steps := []func() error{
		func() error {
			return h.app.CheckInPatient(doctor, a.ID, app.CheckIn{NameConfirmed: true, BirthDate: p.BirthDate})
		},
		func() error { return h.app.OverrideChecklist(doctor, a.ID, "test: the act is played through") },
		func() error { return h.app.StartAct(doctor, a.ID, a.Start) },
		func() error { return h.app.EndAct(doctor, a.ID, a.Start.Add(time.Duration(a.RoomMinutes)*time.Minute)) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			h.t.Fatalf("playing the act, step %d: %v", i, err)
		}
	}
	h.clock.Set(a.Start.Add(time.Duration(a.RoomMinutes) * time.Minute))
	list, _ := h.store.ListAppointments(system, storeFilterID(appt))
	return list[0]
}

// resourceIDs maps the demo practice's room names and radiologists' logins
// to their ids, as the booking forms post them.
func resourceIDs(t *testing.T, h *harness) map[string]string {
	t.Helper()
	ids := map[string]string{}
	rooms, err := h.store.Rooms(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rooms {
		ids[r.Name] = itoa(r.ID)
	}
	doctors, err := h.store.Radiologists(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range doctors {
		ids[d.Login] = itoa(d.ID)
	}
	return ids
}
