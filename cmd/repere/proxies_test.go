package main

import (
	"io"
	"strings"
	"testing"
)

func TestTrustedProxiesFlag(t *testing.T) {
	t.Setenv("REPERE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
	if c, err := parseServeFlags(nil, io.Discard); err != nil || c.trustedProxies != "10.0.0.0/8, 127.0.0.1" {
		t.Fatalf("from the environment: %q, %v", c.trustedProxies, err)
	}
	if _, err := parseServeFlags([]string{"--trusted-proxies", "proxy.example"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Fatalf("a host name accepted as a proxy: %v", err)
	}
}
