// Command load replays a practice day, scaled up, against `repere serve` on
// loopback and reports throughput and latency per kind of request.
//
// It builds and starts the product with the demo practice on a fresh
// database (SQLite, then PostgreSQL on a fresh schema of the server named by
// -postgres or REPERE_TEST_POSTGRES, and prints both side by side; or only
// --db), signs in the demo
// staff and runs closed-loop workers for --duration: radiographers refresh
// the day board, secretaries search patients, open referrals (which searches
// slots), record new patients and referrals and book the first proposed
// slot, and the CT console queries its worklist over DICOM.
//
//	go run ./bench/load -duration 30s -workers 8 -rate 200   # both engines
//	go run ./bench/load -db 'postgres://...' -duration 30s     # one engine
//	go run ./bench/load -duration 20s -rate 200 -rounds 5      # both engines five times in turn
//
// One run's p99 comes from its slowest 1 % of operations, a few dozen
// requests at 200 operations/s for 20 s, and moves by a third from run to
// run. With -rounds N the engines are measured N times in turn, each time on
// a fresh database, and a last table gives each engine's median, lowest and
// highest p99 and the median of the rounds' PostgreSQL/SQLite ratios.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"repere/bench/internal/procstat"
	"repere/internal/dimse"
)

func main() {
	duration := flag.Duration("duration", 30*time.Second, "how long to run the load on each engine")
	workers := flag.Int("workers", 8, "concurrent clients")
	db := flag.String("db", "", "one database to run on (default: a fresh SQLite file, then PostgreSQL when -postgres is set)")
	pg := flag.String("postgres", os.Getenv("REPERE_TEST_POSTGRES"), "PostgreSQL server URL: the load runs on a fresh schema there too, and both engines print side by side")
	rate := flag.Float64("rate", 0, "operations per second for all workers together (0: as fast as they go)")
	flag.StringVar(&cpuProfileDir, "cpuprofile", "", "folder where each run writes the server's CPU profile (repere built with -tags pprof); read with go tool pprof")
	rounds := flag.Int("rounds", 1, "times the engines are measured in turn, each on a fresh database (p99s and their ratio summarised when > 1)")
	flag.Parse()
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "load: -rounds must be at least 1")
		os.Exit(1)
	}
	var all [][]*loadResult
	for round := 1; round <= *rounds; round++ {
		if *rounds > 1 {
			fmt.Printf("\n## round %d of %d\n\n", round, *rounds)
		}
		results, err := runEngines(*duration, *workers, *db, *pg, *rate)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		if len(results) > 1 {
			sideBySide(results)
		}
		all = append(all, results)
	}
	if *rounds > 1 {
		summariseRounds(all)
	}
}

// runEngines runs the load once on each engine, each on a fresh database:
// db alone when set, else a new SQLite file and, with pg, a new schema there.
func runEngines(duration time.Duration, workers int, db, pg string, rate float64) ([]*loadResult, error) {
	dbs := []string{db}
	if db == "" && pg != "" {
		dsn, drop, err := postgresSchema(context.Background(), pg)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbs = append(dbs, dsn)
	}
	var results []*loadResult
	for _, d := range dbs {
		r, err := run(duration, workers, d, rate)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}

// cpuProfileDir, when set, receives each run's CPU profile of the server.
var cpuProfileDir string

// kinds of requests and their share of the traffic, per 100.
var mix = []struct {
	kind  string
	share int
}{
	{"board", 35}, {"referrals", 15}, {"search", 20}, {"referral", 15}, {"book", 5}, {"worklist", 10},
}

type sample struct {
	kind string
	took time.Duration
	err  error
}

func run(duration time.Duration, workers int, db string, rate float64) (*loadResult, error) {
	dir, err := os.MkdirTemp("", "repere-load")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "repere")
	build := []string{"build", "-o", bin}
	if cpuProfileDir != "" {
		build = append(build, "-tags", "pprof")
	}
	if out, err := exec.Command("go", append(build, "./cmd/repere")...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build: %v\n%s", err, out)
	}
	if db == "" {
		db = filepath.Join(dir, "load.db")
	}
	httpAddr, dicomAddr := freeAddr(), freeAddr()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--demo-history", "0", "--db", db, "--addr", httpAddr, "--dicom-addr", dicomAddr, "--dicom-max-per-address", "32") // every worker on loopback
	cmd.Env = append(os.Environ(), "REPERE_LOG_LEVEL=warn")
	pprofAddr := ""
	if cpuProfileDir != "" {
		pprofAddr = freeAddr()
		cmd.Env = append(cmd.Env, "REPERE_PPROF_ADDR="+pprofAddr)
	}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer cmd.Process.Kill()
	password, err := demoPassword(stdout)
	if err != nil {
		return nil, err
	}
	base := "http://" + httpAddr
	if err := waitReady(base); err != nil {
		return nil, err
	}
	logins := []string{"secretariat", "manip", "dr.martin", "secretariat"}
	// The demo accounts must replace the shared password at first sign-in.
	own := password + "-load"
	for _, login := range []string{"secretariat", "manip", "dr.martin"} {
		if err := changeDemoPassword(base, login, password, own); err != nil {
			return nil, err
		}
	}
	clients := make([]*client, workers)
	for i := range clients {
		if clients[i], err = signIn(base, logins[i%len(logins)], own); err != nil {
			return nil, err
		}
	}
	fmt.Printf("repere serve on %s (%s), %d workers, %s, rate %s\n", base, engineOf(db), workers, duration, rateText(rate))
	samples := make(chan sample, 1<<16)
	serverCPU0, postgresCPU0 := procstat.ProcessCPU(cmd.Process.Pid), procstat.CommandCPU("postgres")
	deadline := time.Now().Add(duration)
	profiled := make(chan error, 1)
	if pprofAddr != "" {
		go func() { profiled <- cpuProfile(pprofAddr, engineOf(db), duration) }()
	} else {
		profiled <- nil
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			// Open loop when a rate is set: each worker starts its
			// operations on its own schedule, late or not, so a slow
			// answer shows as latency rather than as fewer requests.
			var every time.Duration
			if rate > 0 {
				every = time.Duration(float64(workers) / rate * float64(time.Second))
			}
			next := time.Now().Add(time.Duration(rng.Int64N(int64(every) + 1)))
			for time.Now().Before(deadline) {
				if every > 0 {
					time.Sleep(time.Until(next))
					next = next.Add(every)
				}
				kind := pick(rng)
				start := time.Now()
				err := c.do(kind, rng, dicomAddr)
				samples <- sample{kind, time.Since(start), err}
			}
		}()
	}
	var serverCPU, postgresCPU time.Duration
	go func() {
		wg.Wait()
		serverCPU, postgresCPU = procstat.ProcessCPU(cmd.Process.Pid)-serverCPU0, procstat.CommandCPU("postgres")-postgresCPU0
		close(samples)
	}()
	byKind := map[string][]time.Duration{}
	var all []time.Duration
	failures := map[string]int{}
	var firstErr error
	conflicts := 0
	for s := range samples {
		if s.kind == "book" && errors.Is(s.err, errSlotTaken) {
			conflicts++ // another secretary took the proposed slot first: a clear refusal, not a failure
			byKind[s.kind] = append(byKind[s.kind], s.took)
			all = append(all, s.took)
			continue
		}
		if s.err != nil {
			failures[s.kind]++
			if firstErr == nil {
				firstErr = s.err
			}
			continue
		}
		byKind[s.kind] = append(byKind[s.kind], s.took)
		all = append(all, s.took)
	}
	fmt.Printf("\n| kind | requests | p50 ms | p99 ms | failures |\n|---|---:|---:|---:|---:|\n")
	for _, m := range mix {
		d := byKind[m.kind]
		fmt.Printf("| %s | %d | %.1f | %.1f | %d |\n", m.kind, len(d), pct(d, 50), pct(d, 99), failures[m.kind])
	}
	fmt.Printf("| **all** | %d | %.1f | %.1f | %d |\n", len(all), pct(all, 50), pct(all, 99), sum(failures))
	fmt.Printf("\nthroughput: %.0f operations/s (%d HTTP requests/s)\n", float64(len(all))/duration.Seconds(), int(float64(countRequests(byKind))/duration.Seconds()))
	fmt.Printf("bookings refused because another worker took the slot first: %d\n", conflicts)
	if err := <-profiled; err != nil {
		return nil, fmt.Errorf("CPU profile: %w", err)
	}
	if firstErr != nil {
		fmt.Println("first failure:", firstErr)
	}
	r := &loadResult{engine: engineOf(db), byKind: byKind, all: all, failures: failures, ops: float64(len(all)) / duration.Seconds(),
		peakRSS: procstat.PeakRSS(cmd.Process.Pid)}
	if n := len(all) + sum(failures); n > 0 {
		r.serverCPU = serverCPU / time.Duration(n)
		if engineOf(db) == "PostgreSQL" {
			r.postgresCPU = postgresCPU / time.Duration(n)
		}
	}
	fmt.Printf("server CPU per operation: repere %.2f ms", ms(r.serverCPU))
	if r.postgresCPU > 0 {
		fmt.Printf(", PostgreSQL %.2f ms (every postgres process on this machine)", ms(r.postgresCPU))
	}
	fmt.Printf("; repere's peak memory (RSS) %.0f MB\n", float64(r.peakRSS)/(1<<20))
	return r, nil
}

// countRequests counts HTTP requests: a booking is five (new patient, new
// referral, referral page, booking, and the redirect's board).
func countRequests(byKind map[string][]time.Duration) int {
	n := 0
	for kind, d := range byKind {
		switch kind {
		case "book":
			n += 4 * len(d)
		case "worklist":
		default:
			n += len(d)
		}
	}
	return n
}

// cpuProfile records the server's CPU profile for the load's duration into
// cpuProfileDir, one file per engine and run.
func cpuProfile(addr, engine string, duration time.Duration) error {
	seconds := max(1, int(duration.Seconds()))
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.CreateTemp(cpuProfileDir, strings.ToLower(engine)+"-*.pprof")
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	fmt.Println("CPU profile:", f.Name())
	return f.Close()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func pct(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[(len(d)-1)*p/100].Microseconds()) / 1000
}

func pick(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, m := range mix {
		if n < m.share {
			return m.kind
		}
		n -= m.share
	}
	return mix[0].kind
}

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

var demoPasswordLine = regexp.MustCompile(`password for all, shown once: (\S+)\)`)

func demoPassword(stdout io.Reader) (string, error) {
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := demoPasswordLine.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return m[1], nil
		}
	}
	return "", errors.New("the demo password was not printed (is the database fresh?)")
}

func waitReady(base string) error {
	for range 100 {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("serve did not become ready")
}

// client is one signed-in member of staff.
type client struct {
	base  string
	http  *http.Client
	token string
	day   string
	refs  []string // referral pages seen, to open again
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func signIn(base, login, password string) (*client, error) {
	jar, _ := cookiejar.New(nil)
	c := &client{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		day: time.Now().AddDate(0, 0, 1).Format(time.DateOnly)}
	body, _, err := c.get("/login")
	if err != nil {
		return nil, err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return nil, errors.New("no form token on /login")
	}
	c.token = m[1]
	if _, loc, err := c.post("/login", url.Values{"login": {login}, "password": {password}}); err != nil || loc == "/login" {
		return nil, fmt.Errorf("sign-in as %s: %v", login, err)
	}
	body, _, err = c.get("/staff")
	if m = csrfField.FindStringSubmatch(body); err != nil || m == nil {
		return nil, fmt.Errorf("no form token after sign-in: %v", err)
	}
	c.token = m[1]
	return c, nil
}

// changeDemoPassword signs in with the demo's shared password and chooses
// the account's own, as the first sign-in asks.
func changeDemoPassword(base, login, shared, own string) error {
	jar, _ := cookiejar.New(nil)
	c := &client{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	body, _, err := c.get("/login")
	if err != nil {
		return err
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return errors.New("no form token on /login")
	}
	c.token = m[1]
	if _, loc, err := c.post("/login", url.Values{"login": {login}, "password": {shared}}); err != nil || loc != "/password" {
		return fmt.Errorf("first sign-in as %s: %v (to %q)", login, err, loc)
	}
	if body, _, err = c.get("/password"); err != nil {
		return err
	}
	if m = csrfField.FindStringSubmatch(body); m == nil {
		return errors.New("no form token on /password")
	}
	c.token = m[1]
	if _, loc, err := c.post("/password", url.Values{"current": {shared}, "new": {own}, "confirm": {own}}); err != nil || loc == "" || loc == "/password" {
		return fmt.Errorf("password change of %s: %v (to %q)", login, err, loc)
	}
	return nil
}

func (c *client) get(path string) (string, int, error) {
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return string(b), resp.StatusCode, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return string(b), resp.StatusCode, err
}

// post sends a form and returns the body and the redirect's location.
func (c *client) post(path string, form url.Values) (string, string, error) {
	form.Set("csrf_token", c.token)
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		return string(b), "", fmt.Errorf("POST %s: %d", path, resp.StatusCode)
	}
	return string(b), resp.Header.Get("Location"), nil
}

var (
	referralLink = regexp.MustCompile(`href="(/staff/referrals/\d+)"`)
	slotLink     = regexp.MustCompile(`href="(/staff/referrals/\d+)\?([^"#]+)#book-h"`)
	searches     = []string{"le", "ma", "du", "ber", "pa", "ro", "06", "19"}
)

func (c *client) do(kind string, rng *rand.Rand, dicomAddr string) error {
	switch kind {
	case "board":
		_, _, err := c.get("/staff/planning?day=" + c.day)
		return err
	case "referrals":
		body, _, err := c.get("/staff/referrals")
		for _, m := range referralLink.FindAllStringSubmatch(body, 20) {
			if !slices.Contains(c.refs, m[1]) {
				c.refs = append(c.refs, m[1])
			}
		}
		return err
	case "search":
		_, _, err := c.get("/staff/patients?q=" + searches[rng.IntN(len(searches))])
		return err
	case "referral":
		if len(c.refs) == 0 {
			return c.do("referrals", rng, dicomAddr)
		}
		_, _, err := c.get(c.refs[rng.IntN(len(c.refs))])
		return err
	case "book":
		return c.book(rng)
	case "worklist":
		return worklistQuery(dicomAddr, c.day)
	}
	return nil
}

// book records a new patient and a facet-joint referral and books the first
// slot the referral page proposes. Secretaries only; others open the board.
func (c *client) book(rng *rand.Rand) error {
	name := fmt.Sprintf("Charge%06d", rng.IntN(1_000_000))
	_, loc, err := c.post("/staff/patients", url.Values{"birth_name": {name}, "first_names": {"Test"}, "birth_date": {"1970-01-01"}, "sex": {"F"}, "not_a_duplicate": {"yes"}})
	if err != nil {
		if strings.Contains(err.Error(), ": 403") {
			return c.do("board", rng, "")
		}
		return err
	}
	patientPath := strings.TrimSuffix(loc, "/referrals/new")
	_, loc, err = c.post(patientPath+"/referrals", url.Values{"act": {"facet_joint_infiltration"}, "urgency": {"routine"},
		"prescription_date": {time.Now().Format(time.DateOnly)}, "indication": {"Lombalgie facettaire"}})
	if err != nil {
		return err
	}
	body, _, err := c.get(loc)
	if err != nil {
		return err
	}
	m := slotLink.FindStringSubmatch(body)
	if m == nil {
		return errors.New("no slot proposed")
	}
	q, _ := url.ParseQuery(strings.ReplaceAll(m[2], "&amp;", "&"))
	_, _, err = c.post(m[1]+"/book", q)
	if err != nil && strings.HasSuffix(err.Error(), ": 409") {
		return errSlotTaken
	}
	return err
}

var errSlotTaken = errors.New("slot taken meanwhile")

func rateText(rate float64) string {
	if rate <= 0 {
		return "unbounded"
	}
	return fmt.Sprintf("%.0f/s", rate)
}

func worklistQuery(addr, day string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := dimse.Connect(ctx, addr, dimse.ClientOptions{CallingAE: "CT1_INTERV"})
	if err != nil {
		return err
	}
	defer cl.Release(ctx)
	q := dimse.NewDataset(
		dimse.NewString(dimse.TagPatientName, ""),
		dimse.NewString(dimse.TagAccessionNumber, ""),
		dimse.NewSequence(dimse.TagScheduledProcedureStepSeq, dimse.NewDataset(
			dimse.NewString(dimse.TagScheduledStationAETitle, "CT1_INTERV"),
			dimse.NewString(dimse.TagSPSStartDate, strings.ReplaceAll(day, "-", "")),
		)),
	)
	return cl.Find(ctx, dimse.WorklistFindSOPClass, q, func(*dimse.Dataset) error { return nil })
}
