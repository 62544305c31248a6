// Package smstest runs a fake SMS provider for tests: it speaks the request
// format of docs/sms.md, checks the credentials and keeps what it received.
package smstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Received is one message the fake provider accepted.
type Received struct {
	To, Text, Sender, Reference string
	ContentType                 string
}

// Provider is a running fake provider.
type Provider struct {
	URL            string
	User, Password string
	mu             sync.Mutex
	received       []Received
	failNext       []int
}

// Start runs a provider requiring user and password until the test ends.
func Start(t testing.TB, user, password string) *Provider {
	p := &Provider{User: user, Password: password}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL + "/api/sms"
	return p
}

// FailNext makes the next requests answer these HTTP statuses, in order.
func (p *Provider) FailNext(status ...int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext = append(p.failNext, status...)
}

// Received returns the messages accepted so far.
func (p *Provider) Received() []Received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Received(nil), p.received...)
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/sms" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	user, password, ok := r.BasicAuth()
	if !ok || user != p.User || password != p.Password {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var body struct{ To, Text, Sender, Reference string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.To == "" || body.Text == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	if len(p.failNext) > 0 {
		status := p.failNext[0]
		p.failNext = p.failNext[1:]
		p.mu.Unlock()
		http.Error(w, "failure asked by the test", status)
		return
	}
	p.received = append(p.received, Received{To: body.To, Text: body.Text, Sender: body.Sender, Reference: body.Reference, ContentType: r.Header.Get("Content-Type")})
	n := len(p.received)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": n, "status": "accepted"})
}
