package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"repere/internal/dimse"
	"repere/internal/worklist"
)

// BenchmarkCFind measures our SCU against our server in one process: one
// console query matching every item of the worklist, over an association
// kept open (the cost of the C-FIND itself; main.go measures whole
// associations against wlmscpfs). One op is one query; queries/s counts all
// clients together.
//
//	go test -run '^$' -bench CFind -benchtime 3s ./bench/dicom
func BenchmarkCFind(b *testing.B) {
	for _, size := range []int{20, 500, 5000} {
		addr := startBenchServer(b, size)
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("items=%d/clients=%d", size, clients), func(b *testing.B) {
				benchmarkQueries(b, addr, clients, size)
			})
		}
	}
}

func benchmarkQueries(b *testing.B, addr string, clients, want int) {
	conns := make([]*dimse.Client, clients)
	for i := range conns {
		c, err := dimse.Connect(context.Background(), addr, dimse.ClientOptions{CallingAE: benchStation, CalledAE: calledAE})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Release(context.Background())
		conns[i] = c
	}
	queries := make(chan struct{}, b.N)
	for range b.N {
		queries <- struct{}{}
	}
	close(queries)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			for range queries {
				matches := 0
				err := c.Find(context.Background(), dimse.WorklistFindSOPClass, consoleQuery(), func(*dimse.Dataset) error {
					matches++
					return nil
				})
				if err != nil || matches != want {
					b.Errorf("find: %v, %d matches, want %d", err, matches, want)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "queries/s")
}

func startBenchServer(b *testing.B, size int) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	h := worklist.NewHandler(worklist.Config{
		Source: worklist.StaticSource(syntheticItems(size)), Charset: dimse.CharsetUTF8, Location: time.UTC,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = (&dimse.Server{AETitle: calledAE, Find: h}).Serve(ctx, ln)
	}()
	b.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}
