//go:build pprof

package main

// Built only with -tags pprof (bench/load -cpuprofile): the Go profiler on
// REPERE_PPROF_ADDR, apart from the product's listeners. Release builds
// carry no profiler.

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

func init() {
	if addr := os.Getenv("REPERE_PPROF_ADDR"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
