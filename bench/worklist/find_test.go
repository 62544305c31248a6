package main

import (
	"context"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/dimse"
	"repere/internal/store"
	"repere/internal/worklist"
)

// BenchmarkWorklistFind is the server's CPU for one console query at 500
// items, without the network: the worklist handler reads the station's list
// from the store through the application layer (screening, audit), matches
// it and encodes every answer as it would go into the P-DATA PDUs. One op
// is one query. On PostgreSQL too when REPERE_TEST_POSTGRES is set.
//
//	go test -run '^$' -bench WorklistFind -benchmem ./bench/worklist
func BenchmarkWorklistFind(b *testing.B) {
	const size = 500
	for _, d := range benchDatabases(b, size) {
		b.Run(d.engine, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, d.dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			a, err := newApp(st)
			if err != nil {
				b.Fatal(err)
			}
			h := worklist.NewHandler(worklist.Config{Source: a.Worklist(), Charset: dimse.CharsetUTF8, Location: a.Location()})
			aet := station(size)
			req := &dimse.FindRequest{CallingAE: aet, CalledAE: calledAE, SOPClassUID: dimse.WorklistFindSOPClass,
				Identifier: consoleQuery(aet), Charset: dimse.CharsetUTF8}
			answers, bytes := 0, 0
			send := func(identifier *dimse.Dataset, _ uint16) error {
				data, err := dimse.EncodeDataset(identifier, dimse.ImplicitVRLittleEndian)
				answers, bytes = answers+1, bytes+len(data)
				return err
			}
			b.ReportAllocs()
			cpu0 := processCPUTime()
			for b.Loop() {
				answers, bytes = 0, 0
				if err := h.Find(ctx, req, send); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time rather than wall time: the machine is shared, and a
			// busy neighbour stretches ns/op but not the CPU a query takes.
			b.ReportMetric(float64(processCPUTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
			if answers != size {
				b.Fatalf("%d answers, want %d", answers, size)
			}
			b.ReportMetric(float64(bytes), "answer-bytes/op")
		})
	}
}

type benchDatabase struct{ engine, dsn string }

var (
	benchOnce sync.Once
	benchDBs  []benchDatabase
	benchErr  error
)

// benchDatabases seeds, once per test binary, a SQLite database and a
// PostgreSQL schema when REPERE_TEST_POSTGRES is set (dropped by TestMain's
// exit: a schema left behind is named bench_wl_*).
func benchDatabases(b *testing.B, size int) []benchDatabase {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "repere-wl-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchDBs = []benchDatabase{{"sqlite", dir + "/repere.db"}}
		if pg := os.Getenv("REPERE_TEST_POSTGRES"); pg != "" {
			dsn, drop, err := postgresSchema(context.Background(), pg)
			if err != nil {
				benchErr = err
				return
			}
			cleanups = append(cleanups, drop)
			benchDBs = append(benchDBs, benchDatabase{"postgres", dsn})
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		for _, d := range benchDBs {
			// The other rooms of bench/worklist's run too: a station's
			// query must not pay for the other rooms' acts.
			if benchErr = seed(context.Background(), d.dsn, []int{20, size, 5000}); benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDBs
}

var cleanups []func()

// processCPUTime is the user and system time this process has used (the
// benchmark's, its garbage collection's; not PostgreSQL's, in its own
// processes).
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// BenchmarkWorklistRows is the store's read of one station's booked acts,
// the first step of a console query, among the other rooms' acts (20 and
// 5,000): it shows what the index on the room's booked acts saves.
//
//	go test -run '^$' -bench WorklistRows ./bench/worklist
func BenchmarkWorklistRows(b *testing.B) {
	const size = 500
	for _, d := range benchDatabases(b, size) {
		b.Run(d.engine, func(b *testing.B) {
			ctx := audit.WithActor(context.Background(), audit.System("bench"))
			st, err := store.Open(ctx, d.dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			cpu0 := processCPUTime()
			for b.Loop() {
				rows, err := st.WorklistRows(ctx, time.Time{}, time.Time{}, station(size))
				if err != nil || len(rows) != size {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
			b.ReportMetric(float64(processCPUTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}
