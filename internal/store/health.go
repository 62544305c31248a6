package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// DefaultMinFreeBytes is the free space under which the disk of a SQLite
// database counts as full: room for the write-ahead log to grow and be
// checkpointed, which a nearly full disk refuses half-way through a form.
const DefaultMinFreeBytes = 32 << 20

var (
	// ErrReadOnly is returned by CheckWritable when the database refuses writes.
	ErrReadOnly = errors.New("database is read-only")
	// ErrDiskFull is returned by CheckWritable when the database's disk is full.
	ErrDiskFull = errors.New("disk full")
)

// SetMinFreeBytes sets the free space under which CheckWritable reports a
// full disk (default DefaultMinFreeBytes).
func (s *Store) SetMinFreeBytes(n uint64) { s.minFreeBytes = n }

// CheckWritable proves that the database takes writes, for /healthz: it
// rewrites the one row of health_probe and commits. A read-only file or
// connection (SQLite's query_only, PostgreSQL's default_transaction_read_only,
// a replica) fails the write; a full disk fails it as soon as the commit
// needs new space (PostgreSQL) and, on SQLite, whose log reuses its space,
// the free space of the database's file system is checked as well. The row
// is rewritten in place, so the database does not grow.
func (s *Store) CheckWritable(ctx context.Context) error {
	if s.engine == SQLite && s.path != "" {
		free, known, err := freeBytes(filepath.Dir(s.path))
		if err != nil {
			return fmt.Errorf("free space: %w", err)
		}
		if known && free < s.minFreeBytes {
			return fmt.Errorf("%w: %d bytes left, %d needed", ErrDiskFull, free, s.minFreeBytes)
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `INSERT INTO health_probe (id, checked_at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, s.now())
		return err
	})
	return classifyWriteError(err)
}

// classifyWriteError names the read-only and disk-full failures of both engines.
func classifyWriteError(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "read-only"), strings.Contains(msg, "sqlstate 25006"):
		return fmt.Errorf("%w: %v", ErrReadOnly, err)
	case strings.Contains(msg, "disk is full"), strings.Contains(msg, "no space left"), strings.Contains(msg, "sqlstate 53100"):
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}
