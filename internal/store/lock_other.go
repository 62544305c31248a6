//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("lock held by another process")

// flock is not implemented on this system: the lock is advisory only where
// flock(2) exists (Linux, macOS, BSD), the systems Repère runs on.
func flock(*os.File, bool) error { return nil }
