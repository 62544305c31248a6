// Command worklist measures Repère's DICOM worklist on its real database,
// SQLite and PostgreSQL, beside dcmtk's wlmscpfs serving the same items, with
// dcmtk's findscu as the console: 1 and 8 clients querying at once, 20, 500
// and 5,000 items per station. Each query is one findscu process (one
// association), as a console does. Beside queries/s and latencies it reports
// the CPU the server process used (cores, and milliseconds per query, from
// /proc/<pid>/stat) and the machine's busy share during the measurement.
//
//	go run ./bench/worklist                                  # SQLite only
//	go run ./bench/worklist -postgres "$REPERE_TEST_POSTGRES" # both engines
//	go run ./bench/worklist -sizes 500 -clients 1,8 -duration 10s
//	go run ./bench/worklist -client go   # Repère's DIMSE client in process instead of findscu
//	go run ./bench/worklist -sizes 500 -rounds 5 -duration 15s   # the 1- and 8-client runs five times
//	go run ./bench/worklist -print-responses   # findscu prints every answer's dataset, as before 2026-12-03
//
// On a small machine the clients share the cores with the server, and one
// run's p95 ratio (8 clients against 1) moves by ±0.5 from run to run, for
// wlmscpfs too. With -rounds N the client counts are measured N times in
// turn, and a second table gives, per server, the median, lowest and
// highest ratio over the rounds (each round's ratio comes from its own
// 1-client and many-client runs).
//
// findscu runs with -v (one log line per answer, "(Pending)", which the
// benchmark counts) and -sr: it receives and decodes every answer but does
// not print its dataset. Printing them was 1 MB of text per query at 500
// items, about 30 ms of findscu's 80 ms of CPU per query, spent on the
// server's own two cores; a console shows the list, it does not log it, and
// in a practice it runs on the scanner's computer. -print-responses gives
// the earlier measurement back.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"repere/bench/internal/procstat"
	"repere/internal/stats"
)

const calledAE = "REPERE"

func main() {
	serve := flag.String("serve", "", "internal: serve the worklist of this database and print the address")
	sizes := flag.String("sizes", "20,500,5000", "worklist sizes (items per station)")
	clients := flag.String("clients", "1,8", "numbers of parallel findscu clients")
	duration := flag.Duration("duration", 5*time.Second, "measuring time per server, size and client count")
	pg := flag.String("postgres", "", "PostgreSQL server URL: a fresh schema is made there (empty: SQLite only)")
	withDcmtk := flag.Bool("wlmscpfs", true, "measure dcmtk's wlmscpfs on the same items too")
	rounds := flag.Int("rounds", 1, "times each size's client counts are measured in turn (ratios summarised when > 1)")
	flag.BoolVar(&printResponses, "print-responses", false, "findscu prints every answer's dataset (1 MB of text per query at 500 items)")
	client := flag.String("client", "findscu", "findscu (dcmtk, one process per query) or go (Repère's DIMSE client, in this process)")
	flag.Parse()
	switch *client {
	case "findscu":
	case "go":
		queryFunc = goQuery
	default:
		log.Fatalf("-client %q: findscu or go", *client)
	}
	if *serve != "" {
		serveOurs(*serve)
		return
	}
	if *rounds < 1 {
		log.Fatal("-rounds must be at least 1")
	}
	if err := run(parseInts(*sizes), parseInts(*clients), *rounds, *duration, *pg, *withDcmtk); err != nil {
		log.Fatal(err)
	}
}

func parseInts(list string) []int {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			log.Fatalf("invalid number %q", s)
		}
		out = append(out, n)
	}
	return out
}

// queryFunc sends one console query; findscu unless -client go.
var queryFunc = findscu

// printResponses makes findscu print each answer's dataset (-print-responses).
var printResponses bool

func station(size int) string { return "WL" + strconv.Itoa(size) }

func run(sizes, clientCounts []int, rounds int, duration time.Duration, pg string, withDcmtk bool) error {
	ctx := context.Background()
	type server struct {
		name  string
		start func(size int) (string, int, func(), error)
	}
	var servers []server
	var sample string // a database whose items wlmscpfs serves too
	sqliteDir, err := os.MkdirTemp("", "repere-wl-sqlite")
	if err != nil {
		return err
	}
	defer os.RemoveAll(sqliteDir)
	dsns := []struct{ engine, dsn string }{{"sqlite", sqliteDir + "/repere.db"}}
	if pg != "" {
		dsn, drop, err := postgresSchema(ctx, pg)
		if err != nil {
			return err
		}
		defer drop()
		dsns = append(dsns, struct{ engine, dsn string }{"postgres", dsn})
	}
	for _, d := range dsns {
		start := time.Now()
		if err := seed(ctx, d.dsn, sizes); err != nil {
			return fmt.Errorf("%s: seed: %w", d.engine, err)
		}
		fmt.Fprintf(os.Stderr, "%s seeded in %v\n", d.engine, time.Since(start).Round(time.Millisecond))
		if sample == "" {
			sample = d.dsn
		}
		servers = append(servers, server{"repere " + d.engine, func(int) (string, int, func(), error) { return startOurs(d.dsn) }})
	}
	if withDcmtk {
		wlDir, err := os.MkdirTemp("", "repere-wl-files")
		if err != nil {
			return err
		}
		if os.Getenv("BENCH_KEEP") == "" {
			defer os.RemoveAll(wlDir)
		} else {
			fmt.Fprintln(os.Stderr, "worklist files kept in", wlDir)
		}
		if err := writeWorklistFiles(ctx, sample, wlDir, sizes); err != nil {
			return err
		}
		servers = append(servers, server{"wlmscpfs", func(size int) (string, int, func(), error) { return startWlmscpfs(wlDir + "/" + strconv.Itoa(size)) }})
	}
	clientName := "findscu"
	if flag.Lookup("client").Value.String() == "go" {
		clientName = "Repère's DIMSE client (in process)"
	} else if printResponses {
		clientName += " printing every answer"
	} else {
		clientName += " -sr (answers decoded, not printed)"
	}
	fmt.Printf("# %s on %d cores, %s, client: %s\n\n", time.Now().UTC().Format("2006-01-02T15:04Z"), numCPU(), dcmtkVersion(), clientName)
	roundColumn, roundRule := "", ""
	if rounds > 1 {
		roundColumn, roundRule = " round |", "---:|"
	}
	fmt.Printf("|%s items | clients | server | queries | queries/s | p50 ms | p95 ms | max ms | server CPU (cores) | server CPU ms/query | machine busy | failed |\n", roundColumn)
	fmt.Printf("|%s---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", roundRule)
	type key struct {
		server        string
		size, clients int
	}
	all := map[key][]*result{}
	for _, size := range sizes {
		for round := 1; round <= rounds; round++ {
			for _, clients := range clientCounts {
				for _, s := range servers {
					addr, pid, stop, err := s.start(size)
					if err != nil {
						return fmt.Errorf("%s: %w", s.name, err)
					}
					r, err := measure(addr, pid, station(size), clients, duration, size)
					stop()
					if err != nil {
						return fmt.Errorf("%s, %d items, %d clients: %w", s.name, size, clients, err)
					}
					k := key{s.name, size, clients}
					all[k] = append(all[k], r)
					roundCell := ""
					if rounds > 1 {
						roundCell = fmt.Sprintf(" %d |", round)
					}
					fmt.Printf("|%s %d | %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %.2f | %.1f | %.0f %% | %d |\n", roundCell, size, clients, s.name, r.queries,
						r.rate(), ms(r.percentile(50)), ms(r.percentile(95)), ms(r.percentile(100)),
						r.serverCPU.Seconds()/r.elapsed.Seconds(), ms(r.serverCPU)/float64(r.queries), 100*r.machineBusy, r.failures)
				}
			}
		}
	}
	if rounds == 1 || len(clientCounts) < 2 {
		return nil
	}
	one, many := clientCounts[0], clientCounts[len(clientCounts)-1]
	fmt.Printf("\nRatios of %d clients to %d, each round against its own %d-client run: median (lowest–highest) over %d rounds\n\n", many, one, one, rounds)
	fmt.Printf("| items | server | p95 ratio | queries/s ratio |\n|---:|---|---|---|\n")
	for _, size := range sizes {
		for _, s := range servers {
			base, loaded := all[key{s.name, size, one}], all[key{s.name, size, many}]
			var p95s, rates []float64
			for i := range base {
				p95s = append(p95s, ms(loaded[i].percentile(95))/ms(base[i].percentile(95)))
				rates = append(rates, loaded[i].rate()/base[i].rate())
			}
			fmt.Printf("| %d | %s | %s | %s |\n", size, s.name, spread(p95s), spread(rates))
		}
	}
	return nil
}

// spread writes the median, lowest and highest of values.
func spread(values []float64) string {
	slices.Sort(values)
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", stats.Quantile(values, 0.5), values[0], values[len(values)-1])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startOurs runs this program again as Repère's worklist server on dsn, in
// its own process like wlmscpfs.
func startOurs(dsn string) (string, int, func(), error) {
	cmd := exec.Command(os.Args[0], "-serve", dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", 0, nil, err
	}
	return strings.TrimSpace(addr), cmd.Process.Pid, stop, nil
}

// startWlmscpfs starts dcmtk's worklist server on dir (TCP_NODELAY set, or
// its small writes wait for delayed ACKs, about 40 ms per query on Linux).
func startWlmscpfs(dir string) (string, int, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("wlmscpfs", "-q", "-dfp", dir, "-csk", "--max-associations", "64", port)
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			return addr, cmd.Process.Pid, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", 0, nil, errors.New("wlmscpfs did not start")
		}
	}
}

// result holds one measurement.
type result struct {
	queries     int
	elapsed     time.Duration
	latencies   []time.Duration
	serverCPU   time.Duration
	machineBusy float64
	failures    int
}

func (r *result) rate() float64 { return float64(r.queries) / r.elapsed.Seconds() }

func (r *result) percentile(p int) time.Duration {
	slices.Sort(r.latencies)
	i := min(len(r.latencies)-1, len(r.latencies)*p/100)
	return r.latencies[i]
}

// measure runs clients loops of findscu for duration, after one warm-up
// query, and checks every answer holds want matches.
func measure(addr string, pid int, aet string, clients int, duration time.Duration, want int) (*result, error) {
	if _, err := queryFunc(addr, aet, want); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	r := &result{}
	cpu0 := procstat.ProcessCPU(pid)
	busy0, total0 := procstat.MachineCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Since(start) < duration {
				latency, err := queryFunc(addr, aet, want)
				mu.Lock()
				if err != nil {
					// Counted and shown, not fatal: a loaded machine may
					// time a client out now and then.
					r.failures++
					if r.failures == 1 {
						fmt.Fprintln(os.Stderr, "first failure:", err)
					}
				} else {
					r.latencies = append(r.latencies, latency)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.serverCPU = procstat.ProcessCPU(pid) - cpu0
	busy1, total1 := procstat.MachineCPU()
	if total1 > total0 {
		r.machineBusy = (busy1 - busy0) / (total1 - total0)
	}
	r.queries = len(r.latencies)
	if r.queries == 0 {
		return nil, errors.New("every query failed")
	}
	return r, nil
}

// findscu sends the console's query (its station, every day) with dcmtk's
// findscu and counts the matches in its verbose output: one "(Pending)"
// line per answer, with or without the answer's dataset printed.
func findscu(addr, aet string, want int) (time.Duration, error) {
	host, port, _ := net.SplitHostPort(addr)
	keys := []string{"AccessionNumber", "ReferringPhysicianName", "PatientName", "PatientID", "PatientBirthDate", "PatientSex",
		"StudyInstanceUID", "RequestedProcedureDescription", "RequestedProcedureID",
		"ScheduledProcedureStepSequence[0].Modality", "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=" + aet,
		"ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime",
		"ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepDescription",
		"ScheduledProcedureStepSequence[0].ScheduledProcedureStepID"}
	args := []string{"-v", "-W", "-aet", aet, "-aec", calledAE}
	if !printResponses {
		args = append(args, "-sr")
	}
	for _, k := range keys {
		args = append(args, "-k", k)
	}
	args = append(args, host, port)
	start := time.Now()
	out, err := exec.Command("findscu", args...).CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("findscu: %v: %s", err, out)
	}
	if n := strings.Count(string(out), "(Pending)"); n != want {
		tail := string(out)
		if len(tail) > 600 {
			tail = tail[len(tail)-600:]
		}
		return elapsed, fmt.Errorf("findscu: %d matches, want %d: %s", n, want, tail)
	}
	return elapsed, nil
}

func numCPU() int {
	data, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(data), "processor\t:"))
}

func dcmtkVersion() string {
	out, _ := exec.Command("findscu", "--version").Output()
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.Trim(strings.TrimSpace(line), "$ ")
}

func init() {
	// The child server stops on SIGTERM from the parent.
	signal.Ignore(syscall.SIGPIPE)
}
