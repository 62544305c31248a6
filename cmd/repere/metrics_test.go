package main

import (
	"io"
	"strings"
	"testing"
)

// TestMetricsFlags: --metrics-open (or REPERE_METRICS_OPEN) opens /metrics;
// with a token as well, serve refuses to guess which the operator meant.
func TestMetricsFlags(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		env       string // REPERE_METRICS_OPEN
		open      bool
		wantError string
	}{
		{"default", nil, "", false, ""},
		{"flag", []string{"--metrics-open"}, "", true, ""},
		{"environment", nil, "true", true, ""},
		{"token", []string{"--metrics-token", "t0ken"}, "", false, ""},
		{"both", []string{"--metrics-open", "--metrics-token", "t0ken"}, "", false, "choose"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("REPERE_METRICS_OPEN", c.env)
			cfg, err := parseServeFlags(c.args, io.Discard)
			if c.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantError) {
					t.Fatalf("error %v, want one saying %q", err, c.wantError)
				}
				return
			}
			if err != nil || cfg.metricsOpen != c.open {
				t.Fatalf("metrics open %v, %v; want %v", cfg.metricsOpen, err, c.open)
			}
		})
	}
}
