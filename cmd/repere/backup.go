package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"repere/internal/audit"
	"repere/internal/store"
)

// backup makes a consistent online copy of the SQLite database, with its
// SHA-256 in a `.sha256` file beside it.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	to := fs.String("to", "", "file to write the copy to (must not exist); its SHA-256 goes to <file>.sha256")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: --to is required")
	}
	path, ok := store.SQLitePath(*db)
	if !ok {
		return fmt.Errorf("backup: %w", store.ErrBackupEngine)
	}
	// Opening a missing SQLite file would create an empty database and back it up.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", path, err)
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := st.Backup(ctx, *to)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s (%d bytes, schema version %d)\nsha256 %s written to %s\n", b.Path, b.Bytes, b.Info.Version, b.SHA256, b.ChecksumPath)
	return nil
}

// restore replaces the SQLite database with a verified backup. The server
// must be stopped (restore takes the database's lock, which `serve` holds):
// the file is swapped, not merged, and the replaced file is kept aside.
func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	from := fs.String("from", "", "backup file to restore (checked against <file>.sha256)")
	force := fs.Bool("force", false, "replace an existing database (kept aside as <db>.replaced-<time>)")
	noChecksum := fs.Bool("no-checksum", false, "accept a backup that has no .sha256 file (its bytes cannot be verified)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from is required")
	}
	ctx = audit.WithActor(ctx, audit.System("restore"))
	r, err := store.Restore(ctx, store.RestoreOptions{From: *from, To: *db, Force: *force, NoChecksum: *noChecksum, Now: time.Now()})
	if errors.Is(err, store.ErrNoChecksum) {
		return fmt.Errorf("restore refused: %w; add --no-checksum to restore a backup whose bytes cannot be verified", err)
	}
	if err != nil {
		return fmt.Errorf("restore refused, nothing changed: %w", err)
	}
	last := "none recorded"
	if !r.Summary.LastWrite.IsZero() {
		last = r.Summary.LastWrite.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	fmt.Fprintf(stdout, "restored %s to %s: %d patients, %d appointments, last write %s\n", *from, *db, r.Summary.Patients, r.Summary.Appointments, last)
	fmt.Fprintf(stdout, "schema version %d (`repere serve` migrates it to %d if needed)\n", r.Info.Version, r.Info.Latest)
	if r.Verified {
		fmt.Fprintf(stdout, "sha256 %s verified against %s\n", r.SHA256, store.ChecksumPath(*from))
	} else {
		fmt.Fprintf(stdout, "sha256 %s NOT verified: the backup had no checksum file\n", r.SHA256)
	}
	if r.Replaced != "" {
		fmt.Fprintf(stdout, "previous database kept as %s\n", r.Replaced)
	}
	return nil
}
