// Command dicom compares Repère's worklist server with dcmtk's wlmscpfs
// serving the same worklist, on loopback, with the same client.
//
// For each worklist size it writes the items as .wl files (dump2dcm) for
// wlmscpfs, starts both servers as separate processes, and has 1 or N
// clients send, for a fixed time, the query a console sends for its room and
// day (which matches every item). Each query opens its own association, as
// consoles do. It prints queries per second and latency percentiles.
//
//	go run ./bench/dicom -sizes 20,500,5000 -clients 1,8 -duration 3s
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

	"repere/internal/dimse"
	"repere/internal/worklist"
)

const calledAE = "REPERE"

func main() {
	serveItems := flag.Int("serve", 0, "internal: serve this many synthetic items and print the address")
	sizes := flag.String("sizes", "20,500,5000", "worklist sizes")
	clients := flag.String("clients", "1,8", "numbers of parallel clients")
	duration := flag.Duration("duration", 3*time.Second, "measuring time per server, size and client count")
	flag.Parse()
	if *serveItems > 0 {
		serveOurs(*serveItems)
		return
	}
	if err := run(parseInts(*sizes), parseInts(*clients), *duration); err != nil {
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

// serveOurs is the child process running our server.
func serveOurs(n int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	h := worklist.NewHandler(worklist.Config{
		Source: worklist.StaticSource(syntheticItems(n)), Charset: dimse.CharsetUTF8, Location: time.UTC,
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &dimse.Server{AETitle: calledAE, Find: h, MaxAssociations: 64, MaxAssociationsPerAddress: 64} // every client on loopback
	if err := srv.Serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

func run(sizes, clientCounts []int, duration time.Duration) error {
	fmt.Printf("| items | clients | server | queries | queries/s | p50 ms | p95 ms | max ms |\n")
	fmt.Printf("|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for _, size := range sizes {
		if err := runSize(size, clientCounts, duration); err != nil {
			return err
		}
	}
	return nil
}

func runSize(size int, clientCounts []int, duration time.Duration) error {
	dir, err := os.MkdirTemp("", "repere-wl-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeWorklistFiles(dir, syntheticItems(size)); err != nil {
		return err
	}
	servers := []struct {
		name  string
		start func() (string, func(), error)
	}{
		{"wlmscpfs", func() (string, func(), error) { return startWlmscpfs(dir, false) }},
		{"wlmscpfs TCP_NODELAY=1", func() (string, func(), error) { return startWlmscpfs(dir, true) }},
		{"repere", func() (string, func(), error) { return startOurs(size) }},
	}
	for _, clients := range clientCounts {
		for _, s := range servers {
			addr, stop, err := s.start()
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			r, err := measure(addr, clients, duration, size)
			stop()
			if err != nil {
				return fmt.Errorf("%s, %d items: %w", s.name, size, err)
			}
			fmt.Printf("| %d | %d | %s | %d | %.1f | %.2f | %.2f | %.2f |\n", size, clients, s.name, r.queries,
				float64(r.queries)/r.elapsed.Seconds(), ms(r.percentile(50)), ms(r.percentile(95)), ms(r.percentile(100)))
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startOurs runs this program again as our server, in its own process
// like wlmscpfs.
func startOurs(size int) (string, func(), error) {
	cmd := exec.Command(os.Args[0], "-serve", strconv.Itoa(size))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, err
	}
	return strings.TrimSpace(addr), stop, nil
}

// startWlmscpfs starts dcmtk's worklist server. With noDelay it gets the
// environment variable that makes dcmtk disable Nagle's algorithm: without
// it, its small writes wait for delayed ACKs (about 40 ms per query on
// Linux), which would make the comparison say little about the rest.
func startWlmscpfs(dir string, noDelay bool) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	// -csk keeps the files' ISO_IR 192, so both servers send the same text.
	cmd := exec.Command("wlmscpfs", "-q", "-dfp", dir, "-csk", "--max-associations", "64", port)
	cmd.Stderr = os.Stderr
	if noDelay {
		cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			return addr, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, errors.New("wlmscpfs did not start")
		}
	}
}

// writeWorklistFiles writes one .wl file per item in dir/REPERE, the
// layout wlmscpfs expects for the called AE title REPERE.
func writeWorklistFiles(dir string, items []worklist.Item) error {
	aeDir := dir + "/" + calledAE
	if err := os.Mkdir(aeDir, 0o755); err != nil {
		return err
	}
	// wlmscpfs locks this file while it reads the directory.
	if err := os.WriteFile(aeDir+"/lockfile", nil, 0o644); err != nil {
		return err
	}
	jobs := make(chan int)
	errs := make(chan error, len(items))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				errs <- dump2dcm(fmt.Sprintf("%s/item%06d", aeDir, i), dumpItem(items[i]))
			}
		})
	}
	for i := range items {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func dump2dcm(base, dump string) error {
	if err := os.WriteFile(base+".dump", []byte(dump), 0o644); err != nil {
		return err
	}
	defer os.Remove(base + ".dump")
	if out, err := exec.Command("dump2dcm", base+".dump", base+".wl").CombinedOutput(); err != nil {
		return fmt.Errorf("dump2dcm: %v: %s", err, out)
	}
	return nil
}

// result holds the latencies of one measurement.
type result struct {
	queries   int
	elapsed   time.Duration
	latencies []time.Duration
}

func (r *result) percentile(p int) time.Duration {
	slices.Sort(r.latencies)
	i := min(len(r.latencies)-1, len(r.latencies)*p/100)
	return r.latencies[i]
}

// measure runs clients loops of console queries for duration, after one
// warm-up query, and checks every answer holds want matches.
func measure(addr string, clients int, duration time.Duration, want int) (*result, error) {
	if _, err := query(addr, want); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	r := &result{}
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Since(start) < duration {
				latency, err := query(addr, want)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				r.latencies = append(r.latencies, latency)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.queries = len(r.latencies)
	return r, firstErr
}

// query opens an association, sends the console query and releases.
func query(addr string, want int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	c, err := dimse.Connect(ctx, addr, dimse.ClientOptions{
		CallingAE: benchStation, CalledAE: calledAE, AbstractSyntaxes: []string{dimse.WorklistFindSOPClass},
	})
	if err != nil {
		return 0, err
	}
	matches := 0
	err = c.Find(ctx, dimse.WorklistFindSOPClass, consoleQuery(), func(*dimse.Dataset) error { matches++; return nil })
	if err != nil {
		c.Abort()
		return 0, err
	}
	if err := c.Release(ctx); err != nil {
		return 0, err
	}
	if matches != want {
		return 0, fmt.Errorf("%d matches, want %d", matches, want)
	}
	return time.Since(start), nil
}

// consoleQuery is what a CT console asks for: its room's acts of the day,
// with the usual return keys.
func consoleQuery() *dimse.Dataset {
	key := func(tag dimse.Tag, value string) *dimse.Element {
		return dimse.NewText(tag, dimse.LookupVR(tag), value, dimse.CharsetUTF8)
	}
	return dimse.NewDataset(
		key(dimse.TagAccessionNumber, ""), key(dimse.TagReferringPhysicianName, ""),
		key(dimse.TagPatientName, ""), key(dimse.TagPatientID, ""), key(dimse.TagPatientBirthDate, ""),
		key(dimse.TagPatientSex, ""), key(dimse.TagStudyInstanceUID, ""), key(dimse.TagRequestingPhysician, ""),
		key(dimse.TagRequestedProcedureDesc, ""), key(dimse.TagRequestedProcedureID, ""),
		dimse.NewSequence(dimse.TagScheduledProcedureStepSeq, dimse.NewDataset(
			key(dimse.TagModality, ""), key(dimse.TagScheduledStationAETitle, benchStation),
			key(dimse.TagSPSStartDate, benchDay.Format("20060102")), key(dimse.TagSPSStartTime, ""),
			key(dimse.TagScheduledPerformingPhysician, ""), key(dimse.TagSPSDescription, ""),
			key(dimse.TagSPSID, ""), key(dimse.TagSPSStatus, ""),
		)),
	)
}
