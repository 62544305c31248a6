package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"repere/internal/audit"
)

// RestoreOptions says what to restore where.
type RestoreOptions struct {
	From, To string // the backup file; the database to replace (a SQLite path)
	// Force replaces an existing database (kept aside, never deleted).
	Force bool
	// NoChecksum accepts a backup that has no checksum file (a copy made by
	// hand): its integrity is still checked, its bytes cannot be.
	NoChecksum bool
	Now        time.Time // names the replaced file
}

// Restored is what a restore did.
type Restored struct {
	Info     BackupInfo
	Summary  DatabaseSummary
	SHA256   string // of the backup's bytes
	Verified bool   // the SHA-256 matched the backup's checksum file
	Replaced string // where the previous database was kept, if there was one
}

// DatabaseSummary is what a database holds, for the operator to recognise it.
type DatabaseSummary struct {
	Patients, Appointments int64
	LastWrite              time.Time // the newest audit entry that changed something; zero if none
}

// Restore replaces a SQLite database with a backup, refusing (with an error
// wrapping the reason) a missing, partial, corrupt, foreign or newer backup,
// one whose bytes differ from its checksum, and a database that a running
// server holds (ErrInUse). The backup is copied beside the database, checked
// there, and renamed into place: the database is never half-written. The
// previous database, with its write-ahead log, is renamed aside, never
// deleted. The backup itself is only read.
func Restore(ctx context.Context, o RestoreOptions) (Restored, error) {
	var r Restored
	to, ok := SQLitePath(o.To)
	if !ok {
		return r, ErrBackupEngine
	}
	lock, err := LockExclusive(to)
	if err != nil {
		return r, fmt.Errorf("%w: stop `repere serve` on %s first", err, to)
	}
	defer lock.Release()
	if _, ok := audit.ActorFrom(ctx); !ok {
		ctx = audit.WithActor(ctx, audit.System("restore"))
	}
	fromInfo, err := os.Stat(o.From)
	if errors.Is(err, os.ErrNotExist) {
		return r, fmt.Errorf("%w: %s", ErrBackupMissing, o.From)
	}
	if err != nil {
		return r, err
	}
	if !fromInfo.Mode().IsRegular() {
		return r, fmt.Errorf("%s is not a regular file", o.From)
	}
	toInfo, err := os.Stat(to)
	exists := err == nil
	if exists && os.SameFile(fromInfo, toInfo) {
		return r, fmt.Errorf("%s is the database itself", o.From)
	}
	if exists && !o.Force {
		return r, fmt.Errorf("%s exists; stop the server and add --force to replace it (it is kept aside)", to)
	}
	want, err := readChecksum(o.From)
	if errors.Is(err, ErrNoChecksum) && o.NoChecksum {
		err = nil
	}
	if err != nil {
		return r, err
	}
	tmp := hiddenBeside(to, ".restore")
	os.Remove(tmp) // left by an interrupted restore
	defer removeDatabaseFiles(tmp)
	if r.SHA256, err = copyHashing(o.From, tmp); err != nil {
		return r, err
	}
	if want != "" && want != r.SHA256 {
		return r, fmt.Errorf("%w: %s has SHA-256 %s, its checksum file says %s", ErrChecksumMismatch, o.From, r.SHA256, want)
	}
	r.Verified = want != ""
	if r.Info, err = CheckBackup(ctx, tmp); err != nil {
		return r, err
	}
	if r.Summary, err = summariseRestored(ctx, tmp, o.From, r.SHA256); err != nil {
		return r, err
	}
	if exists {
		r.Replaced = fmt.Sprintf("%s.replaced-%s", to, o.Now.UTC().Format("20060102T150405Z"))
		if err := moveDatabase(to, r.Replaced); err != nil {
			return r, fmt.Errorf("keep the previous database aside: %w", err)
		}
	}
	if err := os.Rename(tmp, to); err != nil {
		if exists {
			moveDatabase(r.Replaced, to)
		}
		return r, err
	}
	return r, syncDir(filepath.Dir(to))
}

// summariseRestored counts what the copy holds and records the restore in
// its audit log, so the restored database says where it came from.
func summariseRestored(ctx context.Context, path, from, sum string) (DatabaseSummary, error) {
	st, err := Open(ctx, path)
	if err != nil {
		return DatabaseSummary{}, err
	}
	summary, err := st.RestoreSummary(ctx, fmt.Sprintf("restored from %s (sha256 %s)", from, sum))
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return summary, err
	}
	// Closing the last connection checkpoints the log into the file; a log
	// left behind would be lost by the rename.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return summary, fmt.Errorf("restore: %s-wal was not checkpointed", path)
	}
	return summary, nil
}

// nonWriteActions are audit actions that change nothing.
const nonWriteActions = `'read', 'list', 'search', 'count', 'export', 'login', 'login_failed', 'logout', 'second_factor_failed', 'portal_sign_in', 'portal_code_failed'`

// RestoreSummary counts the patients and appointments, finds the last
// change, and records the restore (detail says from where) in the audit log.
func (s *Store) RestoreSummary(ctx context.Context, detail string) (DatabaseSummary, error) {
	var sum DatabaseSummary
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM patients`).Scan(&sum.Patients); err != nil {
			return err
		}
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM appointments`).Scan(&sum.Appointments); err != nil {
			return err
		}
		var last sql.NullTime
		err := s.queryRow(ctx, tx, `SELECT at FROM audit_log WHERE action NOT IN (`+nonWriteActions+`) ORDER BY id DESC LIMIT 1`).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		sum.LastWrite = last.Time
		return s.audited(ctx, tx, "restore", "database", "", 0,
			fmt.Sprintf("%s: %d patients, %d appointments", detail, sum.Patients, sum.Appointments))
	})
	return sum, err
}

// moveDatabase renames a SQLite file with its write-ahead log and shared
// memory, which SQLite finds by name: the moved database opens whole.
func moveDatabase(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(from+suffix, to+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// removeDatabaseFiles removes a temporary database and its companions.
func removeDatabaseFiles(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
