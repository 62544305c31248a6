// Package clock is Repère's one source of the current time. The application
// layer, the web handlers and the store read the time from a Clock they are
// given, never from time.Now, so tests can run the product on any day (a
// Saturday, a DST change, New Year's Eve) and the day's rules can be tried.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// System is the machine's clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Offset is a clock that started at a chosen instant and runs on at the
// machine's pace from there, so timeouts and retries still elapse.
type Offset struct {
	mu    sync.Mutex
	delta time.Duration
}

// StartingAt returns a clock that reads start now and runs on.
func StartingAt(start time.Time) *Offset {
	return &Offset{delta: time.Until(start)}
}

// Now returns the machine's time shifted to the chosen start.
func (o *Offset) Now() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return time.Now().Add(o.delta)
}

// Set moves the clock so that it reads t now (it runs on from there).
func (o *Offset) Set(t time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delta = time.Until(t)
}

// Advance moves the clock forward by d.
func (o *Offset) Advance(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delta += d
}

// Func adapts a function to a Clock.
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }
