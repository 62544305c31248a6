package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupEngine is returned when asked to back up PostgreSQL, whose own
// tools (pg_dump, base backups) do it better.
var ErrBackupEngine = errors.New("store: backup and restore handle SQLite files; use pg_dump and pg_restore for PostgreSQL")

var (
	// ErrNoChecksum is returned when a backup has no checksum file beside it.
	ErrNoChecksum = errors.New("no checksum file")
	// ErrChecksumMismatch is returned when a backup's bytes differ from its checksum.
	ErrChecksumMismatch = errors.New("checksum mismatch")
)

// BackupFile describes a backup just written.
type BackupFile struct {
	Path, ChecksumPath string
	Bytes              int64
	SHA256             string
	Info               BackupInfo
}

// ChecksumPath is the file holding a backup's SHA-256, in sha256sum's
// format so `sha256sum -c` checks it too.
func ChecksumPath(backup string) string { return backup + ".sha256" }

// Backup writes a consistent copy of a SQLite database to path while the
// server keeps running, and its SHA-256 to ChecksumPath(path). VACUUM INTO
// reads one snapshot of the database, so a write committed during the copy
// is either wholly in it or not at all. The copy is written under a hidden
// name, synced, checked as a restore would check it, and only then given
// its name: a disk filling up half-way leaves no file that looks like a backup.
func (s *Store) Backup(ctx context.Context, path string) (BackupFile, error) {
	out := BackupFile{Path: path, ChecksumPath: ChecksumPath(path)}
	if s.engine != SQLite {
		return out, ErrBackupEngine
	}
	for _, p := range []string{path, out.ChecksumPath} {
		if _, err := os.Lstat(p); err == nil {
			return out, fmt.Errorf("%s already exists", p)
		}
	}
	tmp := hiddenBeside(path, ".partial")
	os.Remove(tmp) // left by an earlier backup that failed
	defer os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return out, err
	}
	sum, size, err := syncAndHash(tmp)
	if err != nil {
		return out, err
	}
	if out.Info, err = CheckBackup(ctx, tmp); err != nil {
		return out, fmt.Errorf("the copy does not check: %w", err)
	}
	if err := writeChecksum(out.ChecksumPath, filepath.Base(path), sum); err != nil {
		return out, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(out.ChecksumPath)
		return out, err
	}
	out.Bytes, out.SHA256 = size, sum
	return out, syncDir(filepath.Dir(path))
}

// hiddenBeside names a temporary file in path's folder (same file system,
// so a rename puts it in place at once).
func hiddenBeside(path, suffix string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+suffix)
}

// syncAndHash flushes a file to disk and returns its SHA-256 and size.
func syncAndHash(path string) (sum string, size int64, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return "", 0, err
	}
	h := sha256.New()
	if size, err = io.Copy(h, f); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// writeChecksum writes "<sha256>  <name>\n", synced, under a temporary name first.
func writeChecksum(path, name, sum string) error {
	tmp := hiddenBeside(path, ".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s  %s\n", sum, name)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// readChecksum returns the SHA-256 recorded beside a backup.
func readChecksum(backup string) (string, error) {
	b, err := os.ReadFile(ChecksumPath(backup))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w: %s is missing", ErrNoChecksum, ChecksumPath(backup))
	}
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 || len(fields[0]) != sha256.Size*2 {
		return "", fmt.Errorf("%w: %s does not hold a SHA-256", ErrChecksumMismatch, ChecksumPath(backup))
	}
	if _, err := hex.DecodeString(fields[0]); err != nil {
		return "", fmt.Errorf("%w: %s does not hold a SHA-256", ErrChecksumMismatch, ChecksumPath(backup))
	}
	return strings.ToLower(fields[0]), nil
}

// copyHashing copies from to a new file to, synced, and returns the SHA-256
// of the bytes copied: the checksum is checked on what is restored, not on
// a file that could change between the check and the copy.
func copyHashing(from, to string) (string, error) {
	in, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
