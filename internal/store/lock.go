package store

import (
	"errors"
	"fmt"
	"os"
)

// ErrInUse is returned when another process holds the database's lock: a
// running server (or `repere migrate`) when restoring, a restore when starting.
var ErrInUse = errors.New("the database is in use by another repere process")

// Lock is an advisory lock on a SQLite database, taken on the file
// `<database>.lock` beside it rather than on the database itself: SQLite uses
// its own POSIX locks on the database file, and a restore replaces that file,
// while the lock file stays put. `repere serve` and `repere migrate` hold it
// shared for as long as they run; `repere restore` takes it exclusively, so
// neither can run beside a restore. The operating system releases it when
// the process ends, even on a crash, so a stale lock cannot block anyone.
// PostgreSQL databases need no lock: Lock is then a no-op.
type Lock struct{ f *os.File }

// LockShared takes the database's lock shared (several servers may run).
func LockShared(dsn string) (*Lock, error) { return lockDatabase(dsn, false) }

// LockExclusive takes the database's lock for this process alone.
func LockExclusive(dsn string) (*Lock, error) { return lockDatabase(dsn, true) }

func lockDatabase(dsn string, exclusive bool) (*Lock, error) {
	path, ok := SQLitePath(dsn)
	if !ok {
		return &Lock{}, nil
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flock(f, exclusive); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w (%s is locked)", ErrInUse, path+".lock")
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock back. The lock file is left in place: removing it
// would let two processes lock two different files of the same name.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
