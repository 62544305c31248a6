package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"repere/internal/stats"
)

// loadResult is one engine's run.
type loadResult struct {
	engine   string
	byKind   map[string][]time.Duration
	all      []time.Duration
	failures map[string]int
	ops      float64
	// serverCPU and postgresCPU are the CPU time per operation of repere
	// serve and of the PostgreSQL processes; peakRSS repere's peak memory.
	serverCPU, postgresCPU time.Duration
	peakRSS                int64
}

// sideBySide prints the engines' latencies per kind in one table.
func sideBySide(results []*loadResult) {
	fmt.Printf("\n| kind |")
	for _, r := range results {
		fmt.Printf(" %s p50 ms | %s p99 ms |", r.engine, r.engine)
	}
	fmt.Printf("\n|---|%s\n", strings.Repeat("---:|---:|", len(results)))
	row := func(name string, pick func(*loadResult) []time.Duration) {
		fmt.Printf("| %s |", name)
		for _, r := range results {
			d := pick(r)
			fmt.Printf(" %.1f | %.1f |", pct(d, 50), pct(d, 99))
		}
		fmt.Println()
	}
	for _, m := range mix {
		row(m.kind, func(r *loadResult) []time.Duration { return r.byKind[m.kind] })
	}
	row("**all**", func(r *loadResult) []time.Duration { return r.all })
	fmt.Printf("| operations/s |")
	for _, r := range results {
		fmt.Printf(" %.0f | failures %d |", r.ops, sum(r.failures))
	}
	fmt.Println()
	fmt.Printf("| CPU ms per operation (repere + PostgreSQL) |")
	for _, r := range results {
		fmt.Printf(" %.2f + %.2f | peak RSS %.0f MB |", ms(r.serverCPU), ms(r.postgresCPU), float64(r.peakRSS)/(1<<20))
	}
	fmt.Println()
	if len(results) == 2 && pct(results[0].all, 99) > 0 {
		fmt.Printf("\n%s p99 / %s p99: %.2f\n", results[1].engine, results[0].engine, pct(results[1].all, 99)/pct(results[0].all, 99))
	}
}

// summariseRounds prints, per engine, the median, lowest and highest p99
// over the rounds, and the rounds' ratios of the second engine's p99 to the
// first's (each round's ratio from its own two runs).
func summariseRounds(rounds [][]*loadResult) {
	fmt.Printf("\n## over %d rounds\n\n| engine | p99 ms median | lowest | highest | operations/s median |\n|---|---:|---:|---:|---:|\n", len(rounds))
	for i, first := range rounds[0] {
		var p99s, ops []float64
		for _, r := range rounds {
			p99s = append(p99s, pct(r[i].all, 99))
			ops = append(ops, r[i].ops)
		}
		fmt.Printf("| %s | %.1f | %.1f | %.1f | %.0f |\n", first.engine, median(p99s), slices.Min(p99s), slices.Max(p99s), median(ops))
	}
	if len(rounds[0]) != 2 {
		return
	}
	var ratios []float64
	for _, r := range rounds {
		if base := pct(r[0].all, 99); base > 0 {
			ratios = append(ratios, pct(r[1].all, 99)/base)
		}
	}
	if len(ratios) == 0 {
		return
	}
	under := 0
	for _, x := range ratios {
		if x < 2 {
			under++
		}
	}
	parts := make([]string, len(ratios))
	for i, x := range ratios {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	fmt.Printf("\n%s p99 / %s p99 per round: %s; median %.2f, under 2 in %d of %d rounds\n",
		rounds[0][1].engine, rounds[0][0].engine, strings.Join(parts, ", "), median(ratios), under, len(ratios))
}

// median of xs, which it leaves in their order.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return stats.Quantile(s, 0.5)
}

// postgresSchema makes a fresh schema on the server at base and returns the
// URL that uses it, and how to drop it.
func postgresSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_load_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"); err != nil && !strings.Contains(err.Error(), "already exists") {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
