package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/i18n"
)

// tariffs loads a CCAM tariff extract (repere tariffs import FILE) or lists
// the catalogue's codes with their tariffs on a day (repere tariffs list).
func tariffs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("tariffs: missing subcommand (import, list)")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("tariffs "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	catalogDir := fs.String("catalog", envDefault("catalog", ""), "practice folder overriding or adding acts")
	source := fs.String("source", "", "import: what the rows cite (e.g. \"CCAM v80.00, ameli, 2026-01-15\"); default: the file's name and the day")
	dryRun := fs.Bool("dry-run", false, "import: report what would change, store nothing")
	day := fs.String("day", "", "list: the day, YYYY-MM-DD (default today)")
	tz := fs.String("timezone", envDefault("timezone", "Europe/Paris"), "the practice's time zone")
	// Flags may follow the file (repere tariffs import FILE --dry-run).
	var files []string
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--timezone: %w", err)
	}
	cat, err := catalog.Load(*catalogDir)
	if err != nil {
		return err
	}
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	st, closeStore, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer closeStore()
	a, err := app.New(app.Config{Store: st, Catalog: cat, I18n: bundle, Location: loc})
	if err != nil {
		return err
	}
	ctx = audit.WithActor(ctx, audit.System("cli"))
	switch sub {
	case "import":
		if len(files) != 1 {
			return errors.New("tariffs import: give one CSV file (see internal/billing/data/README.md for its format)")
		}
		return importTariffs(ctx, a, files[0], *source, *dryRun, stdout)
	case "list":
		if *day == "" {
			*day = a.Now().In(loc).Format(time.DateOnly)
		}
		return listTariffs(ctx, a, *day, stdout)
	}
	return fmt.Errorf("tariffs: unknown subcommand %q (import, list)", sub)
}

func importTariffs(ctx context.Context, a *app.App, path, source string, dryRun bool, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := a.ImportTariffs(ctx, f, filepath.Base(path), source, dryRun)
	if err != nil {
		return fmt.Errorf("tariffs import: %s: nothing imported:\n%w", path, err)
	}
	verb := "imported"
	if dryRun {
		verb = "dry run, nothing stored"
	}
	fmt.Fprintf(stdout, "%s (%s): %d rows read, %d added, %d changed, %d unchanged; sha256 %s\n",
		path, verb, res.Rows, res.Added, res.Changed, res.Unchanged, res.SHA256)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, c := range res.Diff.Changed {
		fmt.Fprintf(tw, "changed\t%s\t%d/%d\t%s\tfrom %s\t%.2f -> %.2f EUR\n", c.After.Code, c.After.Activity, c.After.Phase, c.After.Grid, c.After.From,
			c.Before.Amount.EUR(), c.After.Amount.EUR())
	}
	for i, t := range res.Diff.Added {
		if i == 200 {
			fmt.Fprintf(tw, "…\t%d more added\n", len(res.Diff.Added)-200)
			break
		}
		fmt.Fprintf(tw, "added\t%s\t%d/%d\t%s\tfrom %s\t%.2f EUR\n", t.Code, t.Activity, t.Phase, t.Grid, t.From, t.Amount.EUR())
	}
	return tw.Flush()
}

func listTariffs(ctx context.Context, a *app.App, day string, stdout io.Writer) error {
	codes, err := a.CatalogueTariffs(ctx, day)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "code\tgrid\ton %s\tsince\tsource\tnext change\n", day)
	for _, c := range codes {
		for _, grid := range []string{billing.GridOPTAM, billing.GridNonOPTAM} {
			now, ok := c.Now[grid]
			next, hasNext := c.Next[grid]
			if !ok && !hasNext {
				continue
			}
			amount, since, src, change := "-", "-", "-", "-"
			if ok {
				amount, since, src = fmt.Sprintf("%.2f", now.Amount.EUR()), now.From, now.Source
			}
			if hasNext {
				change = fmt.Sprintf("%.2f from %s", next.Amount.EUR(), next.From)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, grid, amount, since, src, change)
		}
	}
	return tw.Flush()
}
