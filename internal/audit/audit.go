// Package audit names who is acting on patient data. The web layer puts an
// Actor in the request context; the store refuses to read or change patient
// data without one and writes an Entry for every such access.
package audit

import (
	"context"
	"time"
)

// Actor is the person or system reading or changing data.
type Actor struct {
	UserID     int64  // 0 for a system actor
	Login      string // "system:demo" for built-in jobs
	Role       string
	RemoteAddr string
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the context, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.Login != ""
}

// System returns an actor for the program's own jobs (demo data, imports).
func System(job string) Actor { return Actor{Login: "system:" + job, Role: "system"} }

// Entry is one line of the audit log.
type Entry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorLogin string
	ActorRole  string
	Action     string // read, list, create, update...
	Entity     string // patient, referral, user...
	EntityID   string
	PatientID  int64 // 0 when the entry concerns no single patient
	RemoteAddr string
	Detail     string
}

// Filter selects audit entries; zero fields match everything.
type Filter struct {
	Actor     string
	PatientID int64
	Action    string
	Entity    string
	From, To  time.Time
	Limit     int
	BeforeID  int64 // keyset pagination: entries older than this id
	// System says what to do with the server's own actions (actors
	// "system:…", such as the outbox every 15 s): SystemAll (the zero
	// value) keeps them, SystemHide leaves them out, SystemOnly keeps only
	// them. A filter on a system actor keeps them whatever this says.
	System string
}

// What a Filter does with the system's actions.
const (
	SystemAll  = ""
	SystemHide = "hide"
	SystemOnly = "only"
)
