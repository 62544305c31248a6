package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/storetest"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

var readyURL = regexp.MustCompile(`msg=ready url=(http://\S+)`)

// startServe runs "repere serve" in-process and returns its base URL, its
// standard output, and a function that stops it and returns its error.
func startServe(t *testing.T, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		// No demo history unless a test asks for it (half a minute).
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--dicom-addr", "off", "--demo-history", "0"}, args...), stdout, stderr)
	}()
	deadline := time.Now().Add(120 * time.Second) // a first start with a demo history takes tens of seconds
	for time.Now().Before(deadline) {
		if m := readyURL.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stdout, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve not ready in time:\n%s", stderr.String())
	return "", nil, nil
}

var adminPassword = regexp.MustCompile(`password: (\S+)`)

var demoDayLine = regexp.MustCompile(`day board starts on \w+ (\d{4}-\d{2}-\d{2})`)

// demoDay is the demo's first day as the serve that loaded it printed it:
// a test that computed it from its own clock could disagree with serve
// around midnight before a weekend.
func demoDay(t *testing.T, stdout *syncBuffer) time.Time {
	t.Helper()
	m := demoDayLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("serve printed no demo day:\n%s", stdout.String())
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day, err := time.ParseInLocation(time.DateOnly, m[1], paris)
	if err != nil {
		t.Fatal(err)
	}
	return day
}

func testServeFirstRun(t *testing.T, dsn string) {
	base, stdout, stop := startServe(t, "--db", dsn, "--demo")
	m := adminPassword.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no admin password printed:\n%s", stdout.String())
	}
	if !strings.Contains(stdout.String(), "Demo practice loaded") {
		t.Fatalf("demo not loaded:\n%s", stdout.String())
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(home), "/actes/infiltration-articulaire-posterieure") {
		t.Fatal("home page does not list the catalogue")
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, _ := c.Get(base + "/login")
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if token == nil {
		t.Fatal("no form token on /login")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"login": {"admin"}, "password": {m[1]}, "csrf_token": {string(token[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Fatalf("admin sign-in: %d to %q, want the forced password change", resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := stop(); err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	// A second start neither creates another admin nor reloads the demo.
	_, stdout, stop = startServe(t, "--db", dsn, "--demo")
	stop()
	if strings.Contains(stdout.String(), "password") {
		t.Fatalf("second start printed a password again:\n%s", stdout.String())
	}
}

func TestServeFirstRunSQLite(t *testing.T) {
	testServeFirstRun(t, filepath.Join(t.TempDir(), "repere.db"))
}

func TestServeFirstRunPostgres(t *testing.T) {
	testServeFirstRun(t, storetest.PostgresURL(t))
}

func TestServeRefusesBadCatalogue(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "acts"), 0o755)
	src, err := os.ReadFile("../../internal/catalog/data/acts/infiltration-articulaire-posterieure.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`(?m)^room_minutes: \{value: \d+`).ReplaceAllString(string(src), "room_minutes: {value: -5")
	os.WriteFile(filepath.Join(dir, "acts", "facet.yaml"), []byte(bad), 0o644)
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db"), "--catalog", dir}, &stdout, &stderr)
	if err == nil {
		t.Fatal("serve started with a bad catalogue")
	}
	if msg := err.Error(); !strings.Contains(msg, filepath.Join(dir, "acts/facet.yaml")) || !strings.Contains(msg, "room_minutes.value") {
		t.Fatalf("error does not name the file and field: %v", err)
	}
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--db", db, "--login", "Dr.Roy", "--name", "Dr Léa Roy", "--role", "radiologist"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created dr.roy (radiologist)") || !strings.Contains(out.String(), "one-time password") {
		t.Fatalf("user add printed %q", out.String())
	}
	if err := run(ctx, []string{"user", "add", "--db", db, "--login", "x", "--name", "X", "--role", "boss"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "unknown role") {
		t.Fatalf("bad role: %v", err)
	}
	if err := run(ctx, []string{"user", "add", "--db", db, "--login", "dr.roy", "--name", "Again", "--role", "admin"}, &out, &errOut); err == nil {
		t.Fatal("duplicate login accepted")
	}
	out.Reset()
	if err := user(ctx, []string{"passwd", "--db", db, "--login", "dr.roy", "--password-stdin"}, strings.NewReader("short\n"), &out, &errOut); err == nil {
		t.Fatal("short password accepted")
	}
	if err := user(ctx, []string{"passwd", "--db", db, "--login", "dr.roy", "--password-stdin"}, strings.NewReader("une phrase assez longue\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "list", "--db", db}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "dr.roy") || !strings.Contains(out.String(), "Dr Léa Roy") {
		t.Fatalf("user list: %q", out.String())
	}
}

func TestMaskDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://repere:s3cret@db:5432/repere":  "postgres://repere:xxxxx@db:5432/repere",
		"postgres://db/repere?password=s3cret&x=1": "postgres://db/repere?password=xxxxx&x=1",
		"repere.db": "repere.db",
	} {
		if got := maskDSN(in); got != want {
			t.Errorf("maskDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "repere ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestServeRefusesBadPracticeFolders(t *testing.T) {
	for _, flag := range []string{"--checklist", "--followup", "--records", "--screening"} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--dicom-addr", "off", "--db", filepath.Join(t.TempDir(), "x.db"),
			flag, filepath.Join(t.TempDir(), "missing")}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("%s with a missing folder: %v", flag, err)
		}
	}
}
