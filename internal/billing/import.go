package billing

import "time"

// Import is one tariff extract a practice loaded: who, when, the file and
// what it changed in the table.
type Import struct {
	ID         int64
	At         time.Time
	ActorLogin string
	FileName   string
	SHA256     string
	Source     string // what the rows cite when the file names no source
	Rows       int
	Added      int
	Changed    int
	Unchanged  int
}
