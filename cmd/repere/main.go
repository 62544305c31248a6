// Command repere runs Repère, the CT-guided interventional radiology
// practice system. Subcommands: serve, migrate, user, version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	_ "time/tzdata" // the practice's time zone without relying on the host's zoneinfo

	"repere/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's VCS stamp.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "+dirty"
			}
			return "dev-" + rev
		}
	}
	return "dev"
}

const usage = `Usage: repere <command> [flags]

Commands:
  serve       run the web and DICOM worklist servers (creates and migrates the database)
  migrate     apply database migrations and exit
  user        manage accounts: user add | passwd | list
  tariffs     CCAM tariffs: tariffs import FILE [--dry-run] [--source S] | list [--day D]
  backup      write a consistent copy of the SQLite database while it runs
  restore     replace the SQLite database with a verified backup (server stopped)
  dicom-echo  send a DICOM C-ECHO (to our worklist server by default)
  version     print the version

Run "repere <command> -h" for the flags of a command. Every flag can also be
set with an environment variable REPERE_<NAME> (e.g. REPERE_DB, REPERE_ADDR).
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "repere:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "user":
		return user(ctx, rest, os.Stdin, stdout, stderr)
	case "tariffs":
		return tariffs(ctx, rest, stdout, stderr)
	case "backup":
		return backup(ctx, rest, stdout, stderr)
	case "restore":
		return restore(ctx, rest, stdout, stderr)
	case "dicom-echo":
		return dicomEcho(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "repere", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// envDefault returns REPERE_<name> when set, else def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv("REPERE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	switch strings.ToLower(envDefault(name, "")) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	return def
}

// envInt reads REPERE_<NAME> as a whole number, def when unset or not one.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(envDefault(name, "")); err == nil {
		return n
	}
	return def
}

// dbFlag declares --db, shared by every command that opens the database.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envDefault("db", "repere.db"), "database: a SQLite file path, or a postgres:// URL (env REPERE_DB)")
}

// maskDSN hides the password of a database URL for printing.
func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openStore opens and migrates the database, holding its lock shared (see
// store.Lock) until the returned release is called.
func openStore(ctx context.Context, dsn string) (*store.Store, func(), error) {
	lock, err := store.LockShared(dsn)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		lock.Release()
		return nil, nil, err
	}
	return st, func() { st.Close(); lock.Release() }, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	lock, err := store.LockShared(*db)
	if err != nil {
		return err
	}
	defer lock.Release()
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	for _, a := range applied {
		fmt.Fprintln(stdout, "applied", a)
	}
	if err == nil && len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	return err
}
