package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/pressly/goose/v3"
)

var (
	// ErrBackupMissing is returned for a backup path where there is no file.
	ErrBackupMissing = errors.New("no such file")
	// ErrBackupPartial is returned for an empty or cut-short file (a disk
	// that filled up during the copy, an interrupted transfer).
	ErrBackupPartial = errors.New("empty or partial file")
	// ErrBackupCorrupt is returned when SQLite's integrity check fails.
	ErrBackupCorrupt = errors.New("integrity check failed")
	// ErrBackupNewer is returned for a backup written by a newer Repère.
	ErrBackupNewer = errors.New("schema newer than this build")
)

// BackupInfo is what checking a backup found.
type BackupInfo struct {
	Version int64 // the backup's schema version (goose)
	Latest  int64 // the newest schema version this build knows
	Legacy  bool  // a Repère database from before the application id
}

// sqliteHeader is the fixed first 100 bytes of every SQLite 3 database.
const sqliteHeader = 100

var sqliteMagic = []byte("SQLite format 3\x00")

// CheckBackup tells whether the file at path is a whole, sound Repère
// database that this build can run, without changing a byte of it (it is
// opened read-only; a missing file is never created). In order: the file
// exists and is as long as its header says; it is a SQLite file with
// Repère's application id (or, for older files, the Repère tables); SQLite's
// integrity check passes; its schema is not newer than this build's.
func CheckBackup(ctx context.Context, path string) (BackupInfo, error) {
	var info BackupInfo
	if err := checkFileShape(path); err != nil {
		return info, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "query_only(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return info, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	legacy, empty, err := checkApplicationID(ctx, db)
	if err != nil {
		if errors.Is(err, ErrForeignDatabase) {
			return info, err
		}
		return info, fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
	}
	if empty {
		return info, fmt.Errorf("%w: the database holds no table", ErrForeignDatabase)
	}
	info.Legacy = legacy
	if err := integrityCheck(ctx, db); err != nil {
		return info, err
	}
	if info.Latest, err = latestSQLiteVersion(); err != nil {
		return info, err
	}
	err = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&info.Version)
	if err != nil {
		return info, fmt.Errorf("%w: no schema version: %v", ErrForeignDatabase, err)
	}
	if info.Version > info.Latest {
		return info, fmt.Errorf("%w: the backup's schema version is %d, this build knows up to %d: restore it with a newer repere", ErrBackupNewer, info.Version, info.Latest)
	}
	if info.Version < 1 {
		return info, fmt.Errorf("%w: no migration was ever applied to it", ErrForeignDatabase)
	}
	return info, nil
}

// checkFileShape reads the header: a SQLite file announces its page size
// and, when the header's "version valid for" matches its change counter,
// its page count, so a file shorter than announced was cut short.
func checkFileShape(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrBackupMissing, path)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	header := make([]byte, sqliteHeader)
	if _, err := io.ReadFull(f, header); err != nil {
		if bytes.HasPrefix(sqliteMagic, header[:min(int(st.Size()), len(sqliteMagic))]) {
			return fmt.Errorf("%w: %d bytes", ErrBackupPartial, st.Size())
		}
		return fmt.Errorf("%w: not a SQLite file", ErrForeignDatabase)
	}
	if !bytes.Equal(header[:len(sqliteMagic)], sqliteMagic) {
		if bytes.Count(header, []byte{0}) == len(header) {
			return fmt.Errorf("%w: the file starts with zeros", ErrBackupPartial)
		}
		return fmt.Errorf("%w: not a SQLite file", ErrForeignDatabase)
	}
	pageSize := int64(binary.BigEndian.Uint16(header[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("%w: page size %d in the header", ErrBackupCorrupt, pageSize)
	}
	pages := int64(binary.BigEndian.Uint32(header[28:32]))
	headerValid := bytes.Equal(header[24:28], header[92:96])
	if headerValid && pages > 0 && st.Size() < pages*pageSize {
		return fmt.Errorf("%w: %d bytes of the %d its header announces", ErrBackupPartial, st.Size(), pages*pageSize)
	}
	if st.Size()%pageSize != 0 {
		return fmt.Errorf("%w: %d bytes is not a whole number of %d-byte pages", ErrBackupPartial, st.Size(), pageSize)
	}
	return nil
}

// integrityCheck runs SQLite's PRAGMA integrity_check.
func integrityCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(20)`)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrBackupCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// Verify checks a SQLite database's integrity and returns its schema
// version and the newest version this build knows.
func (s *Store) Verify(ctx context.Context) (version, latest int64, err error) {
	if s.engine != SQLite {
		return 0, 0, ErrBackupEngine
	}
	if err := integrityCheck(ctx, s.db); err != nil {
		return 0, 0, err
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
	latest, err = latestSQLiteVersion()
	return version, latest, err
}
