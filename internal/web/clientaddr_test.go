package web

import (
	"net/netip"
	"testing"
)

func TestForwardedClient(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy", "198.51.100.1", nil, "198.51.100.1"},
		{"untrusted peer's header is ignored", "198.51.100.1", []string{"203.0.113.9"}, "198.51.100.1"},
		{"one trusted proxy", "10.0.0.5", []string{"203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", "10.0.0.5", []string{"203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"client's forged entries at the left", "10.0.0.5", []string{"192.0.2.66, 127.0.0.1", "203.0.113.9"}, "203.0.113.9"},
		{"header split over lines", "127.0.0.1", []string{"203.0.113.9", "10.9.9.9"}, "203.0.113.9"},
		{"trusted peer without header", "10.0.0.5", nil, "10.0.0.5"},
		{"every hop trusted", "10.0.0.5", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"garbage from the client", "10.0.0.5", []string{"not-an-ip"}, "10.0.0.5"},
		{"garbage left of a real client", "10.0.0.5", []string{"junk, 203.0.113.9"}, "203.0.113.9"},
		{"port in the entry", "10.0.0.5", []string{"203.0.113.9:5555"}, "203.0.113.9"},
		{"IPv6 client", "fd00::1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4-mapped peer", "::ffff:10.0.0.5", []string{"203.0.113.9"}, "203.0.113.9"},
	}
	for _, c := range cases {
		got := forwardedClient(netip.MustParseAddr(c.peer).Unmap(), c.xff, trusted)
		if got.String() != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1;10.0.0.2"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted", bad)
		}
	}
}
