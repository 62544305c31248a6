package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/pressly/goose/v3"
)

// ErrBackupEngine is returned when asked to back up PostgreSQL, whose own
// tools (pg_dump, base backups) do it better.
var ErrBackupEngine = errors.New("store: backup and restore handle SQLite files; use pg_dump and pg_restore for PostgreSQL")

// Backup writes a consistent copy of a SQLite database to path while the
// server keeps running: VACUUM INTO reads one snapshot of the database, so
// a write committed during the copy is either wholly in it or not at all.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.engine != SQLite {
		return ErrBackupEngine
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: %s already exists", path)
	}
	_, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// Verify checks a SQLite database's integrity and returns its schema
// version and the newest version this build knows.
func (s *Store) Verify(ctx context.Context) (version, latest int64, err error) {
	if s.engine != SQLite {
		return 0, 0, ErrBackupEngine
	}
	var result string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return 0, 0, err
	}
	if result != "ok" {
		return 0, 0, fmt.Errorf("store: integrity check failed: %s", result)
	}
	sub, err := fs.Sub(migrations, "migrations/"+string(s.engine))
	if err != nil {
		return 0, 0, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub)
	if err != nil {
		return 0, 0, err
	}
	if version, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, err
	}
	sources := p.ListSources()
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	return version, latest, nil
}
