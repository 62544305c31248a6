package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/store"
	"repere/internal/storetest"
	"repere/internal/web"
)

// browser starts headless Chromium for the test, or skips (fails under CI).
func browser(t *testing.T) (context.Context, *consoleLog) {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser tests run in the full test command, not under -short")
	}
	path := os.Getenv("REPERE_TEST_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		storetest.Require(t, "Chromium (set REPERE_TEST_CHROMIUM or install Debian's chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil { // starts the browser without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	cl := &consoleLog{}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			cl.add(m.String())
		}
	}()
	return ctx, cl
}

type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleLog) add(s string) { c.mu.Lock(); c.msgs = append(c.msgs, s); c.mu.Unlock() }

func (c *consoleLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// screenshotDir is where screenshots go: REPERE_SCREENSHOTS (docs/screenshots
// to refresh the README's) or the test's temporary folder.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("REPERE_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 10_000 {
		t.Fatalf("screenshot %s is suspiciously small (%d bytes)", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// browserStep bounds one browser step. 30 s was reached twice on a machine
// running three test suites at once (TestBrowserPhoneQuestionnaire's
// submit); a step that never ends still fails.
const browserStep = 60 * time.Second

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBrowserJourney signs in through the real login form in Chromium, uses
// the htmx patient search and the keyboard, and saves screenshots.
func TestBrowserJourney(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL

	// The browser asks for English by default; the product's default user is French.
	run(t, ctx, chromedp.Navigate(base+"/?lang=fr"), chromedp.WaitVisible(chromedp.CSS(".cards")))
	if got := text(t, ctx, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(got, "Gestes sous scanner") {
		t.Fatalf("home heading = %q", got)
	}
	shoot(t, ctx, dir, "home")

	facet, _ := h.cat.Act("facet_joint_infiltration")
	run(t, ctx, chromedp.Navigate(base+"/actes/"+facet.Slug), chromedp.WaitVisible(chromedp.ID("cost")))
	body := text(t, ctx, chromedp.Text(chromedp.CSS("article")))
	for _, want := range []string{"LHLH002", "32,18", "Quand nous appeler"} {
		if !strings.Contains(body, want) {
			t.Errorf("facet page lacks %q", want)
		}
	}
	shoot(t, ctx, dir, "act-page")

	// Keyboard: the first Tab reaches the skip link; the login form focuses its first field.
	run(t, ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".cards")), chromedp.KeyEvent("\t"))
	if focused := text(t, ctx, chromedp.Evaluate[string]("document.activeElement.className")); focused != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", focused)
	}
	run(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("login")))
	if focused := text(t, ctx, chromedp.Evaluate[string]("document.activeElement.id")); focused != "login" {
		t.Errorf("login page focuses %q, want the login field", focused)
	}
	run(t, ctx,
		chromedp.SendKeys(chromedp.ID("login"), "t.secretary"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".error")),
	)
	if v := text(t, ctx, chromedp.Value(chromedp.ID("login"))); v != "t.secretary" {
		t.Errorf("login field after a failure = %q, want it kept", v)
	}
	shoot(t, ctx, dir, "login-error")
	run(t, ctx,
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")),
	)
	if loc := text(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/staff") {
		t.Fatalf("after sign-in at %s", loc)
	}
	shoot(t, ctx, dir, "dashboard")

	// Live search through htmx, under the CSP.
	run(t, ctx,
		chromedp.Navigate(base+"/staff/patients"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "lef"),
	)
	found := text(t, ctx, chromedp.Poll[bool](`document.querySelectorAll("#results tbody tr").length === 1 && document.querySelector("#results").innerText.includes("LEFÈVRE")`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !found {
		t.Fatal("htmx search did not narrow the list to LEFÈVRE")
	}
	shoot(t, ctx, dir, "patient-search")

	run(t, ctx, chromedp.Navigate(base+"/staff/referrals"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	shoot(t, ctx, dir, "referrals")

	// The day board of the demo day: three acts in two rooms.
	demoDay := demo.FirstDay(storetest.Now(), paris).Format(time.DateOnly)
	run(t, ctx, chromedp.Navigate(base+"/staff/planning?day="+demoDay), chromedp.WaitVisible(chromedp.CSS(".tgrid")))
	if cards := text(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".board-card:not(.place-use)").length`)); cards != 3 {
		t.Errorf("board shows %d acts, want the 3 demo acts", cards)
	}
	shoot(t, ctx, dir, "planning")

	// Booking from a referral page, with the keyboard-reachable form.
	run(t, ctx, chromedp.Navigate(base+"/staff/referrals/"+h.referralID("MERCIER")), chromedp.WaitVisible(chromedp.CSS(".slot-times a.slot")))
	shoot(t, ctx, dir, "referral-booking")

	// Tablet width: the navigation wraps, nothing overflows sideways.
	run(t, ctx, chromedp.EmulateViewport(820, 1180), chromedp.Navigate(base+"/staff/catalogue/vertebroplasty"), chromedp.WaitVisible(chromedp.CSS("table.facts")))
	if overflow := text(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1")); overflow {
		t.Error("page wider than a tablet screen")
	}
	shoot(t, ctx, dir, "catalogue-tablet")

	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}

// TestBrowserTabletConsent has the patient sign the consent on a tablet: the
// signature is drawn with pointer events on the canvas, and the signed
// document is listed with its SHA-256.
func TestBrowserTabletConsent(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	base := h.ts.URL
	run(t, ctx, chromedp.EmulateViewport(820, 1180), chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.radiographer"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	appt := h.appointmentID()
	run(t, ctx, chromedp.Navigate(base+"/staff/appointments/"+appt+"/consent"), chromedp.WaitVisible(chromedp.ID("signature-pad")))
	// The patient holds the tablet: no staff menu, only a way back for the staff.
	if nav := text(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector(".main-nav") || !document.querySelector(".staff-back")`)); nav {
		t.Error("the tablet consent shows the staff menu, or no way back for the staff")
	}
	// Submitting without drawing is refused and keeps the typed name.
	run(t, ctx, chromedp.SendKeys(chromedp.ID("signer"), "Zoé Lefèvre"), chromedp.Submit(chromedp.ID("signer")), chromedp.WaitVisible(chromedp.ID("consent-errors")))
	if v := text(t, ctx, chromedp.Value(chromedp.ID("signer"))); v != "Zoé Lefèvre" {
		t.Errorf("signer after a refusal = %q", v)
	}
	type rect struct{ X, Y, W, H float64 }
	r := text(t, ctx, chromedp.Evaluate[rect](`(() => { const c = document.getElementById("signature-pad"); c.scrollIntoView(); const b = c.getBoundingClientRect(); return {X: b.left, Y: b.top, W: b.width, H: b.height}; })()`))
	stroke := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, r.X+20, r.Y+r.H/2, chromedp.ButtonLeft)}
	for i := 1; i <= 20; i++ {
		x := r.X + 20 + float64(i)*(r.W-40)/20
		y := r.Y + r.H/2 + float64((i%4)-2)*r.H/8
		stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, chromedp.ButtonType(input.MouseButtonLeft), func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	stroke = append(stroke, chromedp.MouseEvent(chromedp.MouseReleased, r.X+r.W-20, r.Y+r.H/2, chromedp.ButtonLeft))
	run(t, ctx, stroke...)
	shoot(t, ctx, dir, "consent-tablet")
	run(t, ctx, chromedp.Click(chromedp.CSS("#consent-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("code.hash")))
	if loc := text(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/staff/appointments/"+appt) {
		t.Fatalf("after signing at %s", loc)
	}
	hash := text(t, ctx, chromedp.Text(chromedp.CSS("code.hash")))
	if len(hash) != 64 {
		t.Errorf("hash shown = %q", hash)
	}
	shoot(t, ctx, dir, "appointment-documents")
	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}

// TestBrowserPhoneQuestionnaire fills the patient's questionnaire on a phone
// screen: nothing overflows sideways, the choices are big enough to tap,
// and the answers arrive.
func TestBrowserPhoneQuestionnaire(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, console := browser(t)
	dir := screenshotDir(t)
	staff := h.signedIn(auth.Secretary)
	ref := h.referralID("MERCIER")
	page := staff.post("/staff/referrals/"+ref+"/screening/link", nil)
	m := regexp.MustCompile(`<code id="patient-link">https?://[^/]+(/q/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no link")
	}
	list, _ := h.store.ListReferrals(system, store.ReferralFilter{})
	var born string
	for _, r := range list {
		if itoa(r.ID) == ref {
			p, _ := h.store.Patient(system, r.PatientID)
			born = p.BirthDate
		}
	}
	run(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(h.ts.URL+m[1]+"?lang=fr"), chromedp.WaitVisible(chromedp.ID("birth_date")),
		chromedp.SetValue(chromedp.ID("birth_date"), born), chromedp.Submit(chromedp.ID("birth_date")),
		chromedp.WaitVisible(chromedp.CSS("form.questionnaire")))
	overflow := func() bool {
		return text(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1"))
	}
	if overflow() {
		t.Error("the questionnaire is wider than the phone")
	}
	if h := text(t, ctx, chromedp.Evaluate[float64](`document.querySelector("label.choice").getBoundingClientRect().height`)); h < 40 {
		t.Errorf("a choice is %.0f px high, too small to tap", h)
	}
	shoot(t, ctx, dir, "questionnaire-phone")
	// Tap "No" everywhere, "Yes" where yes is reassuring, and give the weight.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`
		for (const fs of document.querySelectorAll("fieldset.q-choice")) {
			const name = fs.querySelector("input").name;
			const want = (name === "q.can_lie_prone_30min" || name === "q.accompanying_person") ? "yes" : "no";
			fs.querySelector('input[value="' + want + '"]').click();
		}`),
		chromedp.SetValue(chromedp.ID("f-weight_kg"), "58"),
		chromedp.SetValue(chromedp.ID("f-prior_injections_12m"), "0"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.ID("q-done")))
	shoot(t, ctx, dir, "questionnaire-done")
	if page := staff.get("/staff/referrals/" + ref); !strings.Contains(page.body, "le patient, lien n° ") {
		t.Error("the answers did not reach the referral")
	}
	for _, m := range console.all() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(strings.ToLower(m), "uncaught") {
			t.Errorf("browser console: %s", m)
		}
	}
}

// TestBrowserFieldLimits: every text field of a page carries the limit the
// server applies to its name, so nobody can type a value guard would refuse
// (and lose the form to that refusal).
func TestBrowserFieldLimits(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx, _ := browser(t)
	base := h.ts.URL
	run(t, ctx, chromedp.Navigate(base+"/login?lang=fr"), chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "t.secretary"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".main-nav")))
	ref := "/staff/referrals/" + h.referralID("MERCIER")
	for _, page := range []string{"/staff/patients/new", ref, ref + "/screening", "/staff/patients"} {
		run(t, ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main")))
		// Every text field has a maxlength, at most the server's limit for its name.
		got := text(t, ctx, chromedp.Evaluate[[]fieldLimitSeen](`Array.from(document.querySelectorAll("input[name], textarea[name]"))
			.filter(el => el.tagName === "TEXTAREA" || ["text", "email", "tel", "search", "url", "password"].includes((el.getAttribute("type") || "text").toLowerCase()))
			.map(el => ({Name: el.name, Max: el.maxLength}))`))
		if len(got) == 0 {
			t.Fatalf("%s: no text field found", page)
		}
		for _, f := range got {
			if f.Max <= 0 || f.Max > fieldLimitForTest(f.Name) {
				t.Errorf("%s: field %s has maxlength %d, server limit %d", page, f.Name, f.Max, fieldLimitForTest(f.Name))
			}
		}
	}
	// Fields named by pattern (questionnaire answers "q.*", a treatment's
	// "t.N.other") get the server's limit too, not the default: fields.js
	// reads fieldLimit's rule. The probe's fields come as an htmx swap would.
	names := []string{"q.weight_kg", "q.x", "t.3.other", "t.other", "t.3.name", "q", "reason", "unknown_field", "xq.a", "t.3.other.x"}
	got := text(t, ctx, chromedp.Evaluate[[]fieldLimitSeen](`(() => {
		const probe = document.createElement("div");
		for (const name of `+jsonString(t, names)+`) {
			const el = document.createElement("input");
			el.name = name;
			probe.appendChild(el);
		}
		document.body.appendChild(probe);
		probe.dispatchEvent(new CustomEvent("htmx:afterSwap", {bubbles: true}));
		return Array.from(probe.querySelectorAll("input")).map(el => ({Name: el.name, Max: el.maxLength}));
	})()`))
	if len(got) != len(names) {
		t.Fatalf("probe: %d fields, want %d", len(got), len(names))
	}
	for _, f := range got {
		if f.Max != fieldLimitForTest(f.Name) {
			t.Errorf("fields.js gives %s the limit %d, the server %d", f.Name, f.Max, fieldLimitForTest(f.Name))
		}
	}
}

// jsonString is v as JSON, for a script.
func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type fieldLimitSeen struct {
	Name string
	Max  int
}

func fieldLimitForTest(name string) int { return web.FieldLimit(name) }
