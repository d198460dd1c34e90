package probes

import (
	"net"
	"strings"
	"sync"
)

// HostSlots bounds the connections open at once to each host over a whole
// run: every family and every target naming the same host draw from the
// same slots, so --per-host holds even when the TLS and HTTP probes (or two
// URLs of one site) run side by side.
type HostSlots struct {
	n     int
	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// NewHostSlots allows n connections at once per host (at least 1).
func NewHostSlots(n int) *HostSlots {
	return &HostSlots{n: max(n, 1), hosts: map[string]chan struct{}{}}
}

// For returns host's slots: send to take one, receive to give it back.
// host may carry a port ("example.com:443", "[::1]:8443"); the port does
// not count, nor does letter case.
func (s *HostSlots) For(host string) chan struct{} {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.hosts[host]
	if c == nil {
		c = make(chan struct{}, s.n)
		s.hosts[host] = c
	}
	return c
}
