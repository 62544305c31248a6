package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses
// (--trusted-proxies), e.g. "127.0.0.1, 10.0.0.0/8, fd00::/8".
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or a CIDR", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// clientAddress puts the client's address in r.RemoteAddr for every handler
// (audit, sign-in throttling, the loopback check of /metrics): the TCP peer,
// or, when the peer is a trusted proxy, the first address of X-Forwarded-For
// read from right to left that is not itself a trusted proxy. A client can
// write anything at the left of that header; only what the trusted proxies
// appended is believed. Without trusted proxies the header is ignored.
func (s *Server) clientAddress(next http.Handler) http.Handler {
	trusted := s.cfg.TrustedProxies
	if len(trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err == nil {
			client := forwardedClient(peer.Addr().Unmap(), r.Header.Values("X-Forwarded-For"), trusted)
			if client != peer.Addr().Unmap() {
				r = r.WithContext(r.Context()) // a shallow copy: the caller's request is left as it was
				r.RemoteAddr = net.JoinHostPort(client.String(), "0")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient returns the client behind peer, given the X-Forwarded-For
// header lines in order.
func forwardedClient(peer netip.Addr, forwarded []string, trusted []netip.Prefix) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !isTrusted(peer) {
		return peer
	}
	var hops []string
	for _, line := range forwarded {
		hops = append(hops, strings.Split(line, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(strings.TrimSpace(hops[i]))
		if !ok {
			return client // a hop no proxy of ours wrote: stop at the last trusted one
		}
		client = hop
		if !isTrusted(hop) {
			return hop
		}
	}
	return client // every hop is trusted: the leftmost
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
