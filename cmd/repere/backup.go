package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"repere/internal/store"
)

// backup makes a consistent online copy of the SQLite database.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: --to is required")
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *to); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s\n", *to)
	return nil
}

// restore replaces the SQLite database with a verified backup. The server
// must be stopped: the file is swapped, not merged.
func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	from := fs.String("from", "", "backup file to restore")
	force := fs.Bool("force", false, "replace an existing database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from is required")
	}
	if _, err := os.Stat(*db); err == nil && !*force {
		return fmt.Errorf("restore: %s exists; stop the server and add --force to replace it", *db)
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return err
	}
	version, latest, err := src.Verify(ctx)
	src.Close()
	if err != nil {
		return fmt.Errorf("restore: %s: %w", *from, err)
	}
	if version > latest {
		return fmt.Errorf("restore: %s has schema version %d, newer than this build's %d", *from, version, latest)
	}
	// Copy beside the target, then rename: the database is never half-written.
	tmp := filepath.Join(filepath.Dir(*db), "."+filepath.Base(*db)+".restore")
	if err := copyFile(*from, tmp); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(*db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, *db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s (schema version %d) to %s; `repere serve` migrates it to %d if needed\n", *from, version, *db, latest)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
