// Command logins measures what a storm of failed sign-ins costs the server:
// it starts `repere serve` on a fresh database, sends N failed sign-ins at
// once (unknown logins by default, as an attacker spraying names would, or
// wrong passwords for one account with -login), and reports the server
// process's peak resident memory (VmHWM in /proc/<pid>/status, Linux only),
// the answers' statuses and times, and the latency of /healthz polled during
// the storm. Targets: peak RSS under 400 MB, /healthz under 1 s.
//
//	go run ./bench/logins                        # 200 unknown logins, SQLite
//	go run ./bench/logins -n 200 -login admin    # 200 wrong passwords for one account
//	go run ./bench/logins -bin /tmp/repere-old   # another build of repere (e.g. before a change)
//	go run ./bench/logins -db 'postgres://...'
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 200, "failed sign-ins sent at once")
	login := flag.String("login", "", "one login to try wrong passwords on (default: a different unknown login per request)")
	db := flag.String("db", "", "database (default: a fresh SQLite file)")
	bin := flag.String("bin", "", "repere binary to run (default: build ./cmd/repere)")
	flag.Parse()
	if err := run(*n, *login, *db, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "logins:", err)
		os.Exit(1)
	}
}

func run(n int, login, db, bin string) error {
	dir, err := os.MkdirTemp("", "repere-logins")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "repere")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/repere").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	if db == "" {
		db = filepath.Join(dir, "logins.db")
	}
	addr := freeAddr()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", db, "--addr", addr, "--dicom-addr", "off")
	cmd.Env = append(os.Environ(), "REPERE_LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	transport := &http.Transport{MaxIdleConnsPerHost: n + 10, MaxConnsPerHost: 0}
	if err := waitReady(base, transport); err != nil {
		return err
	}

	// Every attacker first fetches the form, as a browser would, for its
	// cookie and form token.
	clients := make([]*client, n)
	for i := range clients {
		if clients[i], err = newClient(base, transport); err != nil {
			return err
		}
	}
	pid := cmd.Process.Pid
	before, err := memory(pid)
	if err != nil {
		return err
	}

	stop := make(chan struct{})
	healthz := make(chan []time.Duration)
	go pollHealth(base, stop, healthz)
	start := make(chan struct{})
	type answer struct {
		status int
		took   time.Duration
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := login
			if user == "" {
				user = "nobody-" + strconv.Itoa(i)
			}
			<-start
			t0 := time.Now()
			status, err := c.postLogin(user, "not the password "+strconv.Itoa(i))
			answers[i] = answer{status, time.Since(t0), err}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	storm := time.Since(t0)
	close(stop)
	health := <-healthz
	after, err := memory(pid)
	if err != nil {
		return err
	}

	statuses := map[int]int{}
	var times []time.Duration
	var firstErr error
	for _, a := range answers {
		if a.err != nil {
			statuses[-1]++
			firstErr = cmp(firstErr, a.err)
			continue
		}
		statuses[a.status]++
		times = append(times, a.took)
	}
	fmt.Printf("repere serve (%s), %d failed sign-ins at once (%s)\n\n", engineOf(db), n, target(login))
	fmt.Printf("| measure | value |\n|---|---:|\n")
	fmt.Printf("| server RSS before the storm | %d MB |\n", before.rss/1024)
	fmt.Printf("| server peak RSS (VmHWM) | %d MB |\n", after.hwm/1024)
	fmt.Printf("| storm duration (last answer) | %.1f s |\n", storm.Seconds())
	fmt.Printf("| sign-in answer p50 / max | %.2f s / %.2f s |\n", pct(times, 50).Seconds(), pct(times, 100).Seconds())
	fmt.Printf("| /healthz during the storm: polls, p50 / max | %d, %.0f ms / %.0f ms |\n", len(health), ms(pct(health, 50)), ms(pct(health, 100)))
	codes := make([]int, 0, len(statuses))
	for c := range statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		label := strconv.Itoa(c) + " " + http.StatusText(c)
		if c == -1 {
			label = "transport error"
		}
		fmt.Printf("| answers %s | %d |\n", label, statuses[c])
	}
	if firstErr != nil {
		fmt.Println("\nfirst error:", firstErr)
	}
	return nil
}

func target(login string) string {
	if login == "" {
		return "a different unknown login each"
	}
	return "wrong passwords for " + login
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// pollHealth asks /healthz every 50 ms (one at a time) until stop, and sends
// the latencies.
func pollHealth(base string, stop <-chan struct{}, out chan<- []time.Duration) {
	c := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{}}
	var took []time.Duration
	for {
		select {
		case <-stop:
			out <- took
			return
		default:
		}
		t0 := time.Now()
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		took = append(took, time.Since(t0))
		time.Sleep(50 * time.Millisecond)
	}
}

type mem struct{ rss, hwm int64 } // KiB

// memory reads the process's resident memory and its peak from /proc.
func memory(pid int) (mem, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return mem{}, fmt.Errorf("peak memory needs Linux's /proc: %w", err)
	}
	defer f.Close()
	var m mem
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			m.rss = v
		case "VmHWM:":
			m.hwm = v
		}
	}
	return m, lines.Err()
}

type client struct {
	base  string
	http  *http.Client
	token string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newClient(base string, transport http.RoundTripper) (*client, error) {
	jar, _ := cookiejar.New(nil)
	c := &client{base: base, http: &http.Client{Jar: jar, Transport: transport, Timeout: 120 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.http.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return nil, errors.New("no form token on /login")
	}
	c.token = string(m[1])
	return c, nil
}

func (c *client) postLogin(login, password string) (int, error) {
	resp, err := c.http.PostForm(c.base+"/login", url.Values{"login": {login}, "password": {password}, "csrf_token": {c.token}})
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitReady(base string, transport http.RoundTripper) error {
	c := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	for range 200 {
		if resp, err := c.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("serve did not become ready")
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[(len(d)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func engineOf(db string) string {
	if strings.HasPrefix(db, "postgres") {
		return "PostgreSQL"
	}
	return "SQLite"
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
