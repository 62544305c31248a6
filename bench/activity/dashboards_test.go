package activity

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/catalog"
	"repere/internal/chart"
	"repere/internal/demo"
	"repere/internal/i18n"
	"repere/internal/store"
	"repere/internal/storetest"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// sizeFromEnv: 5 years of 10 rooms at 19 acts a room-day (about 250,000
// acts) unless REPERE_BENCH_YEARS / _ROOMS / _PER_DAY say otherwise.
func sizeFromEnv() Size {
	get := func(name string, def int) int {
		if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
			return n
		}
		return def
	}
	return Size{Years: get("REPERE_BENCH_YEARS", 5), Rooms: get("REPERE_BENCH_ROOMS", 10), ActsPerRoomDay: get("REPERE_BENCH_PER_DAY", 19),
		End: time.Date(2026, 12, 1, 0, 0, 0, 0, paris)}
}

func setup(b *testing.B, st *store.Store) (*app.App, Size) {
	b.Helper()
	ctx := audit.WithActor(context.Background(), audit.System("bench"))
	cat, err := catalog.Load("")
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, cat, "bench-password-1234", demo.NextWorkday(time.Now(), paris)); err != nil {
		b.Fatal(err)
	}
	size := sizeFromEnv()
	started := time.Now()
	g, err := Generate(ctx, st, cat, size, paris)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: generated %d acts, %d pain scores, %d act records in %s", st.Engine(), g.Acts, g.Scores, g.Records, time.Since(started).Round(time.Second))
	a, err := app.New(app.Config{Store: st, Catalog: cat, I18n: bundle, Location: paris})
	if err != nil {
		b.Fatal(err)
	}
	started = time.Now()
	months, err := a.RefreshSummaries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: first refresh of the month snapshots: %d months in %s", st.Engine(), months, time.Since(started).Round(time.Millisecond))
	return a, size
}

// BenchmarkDashboards measures each dashboard's query and computation and
// its chart on the generated data, and reports the 95th percentile.
func BenchmarkDashboards(b *testing.B) {
	engines := map[string]func(testing.TB) *store.Store{"sqlite": storetest.OpenSQLite}
	if os.Getenv("REPERE_TEST_POSTGRES") != "" {
		engines["postgres"] = storetest.OpenPostgres
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := engines[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			a, size := setup(b, open(b))
			ctx := audit.WithActor(context.Background(), audit.Actor{Login: "bench", Role: "radiologist"})
			year := app.DoseQuery{From: size.End.AddDate(-1, 0, 0), To: size.End}
			all := app.DoseQuery{From: size.End.AddDate(-size.Years, 0, 0), To: size.End}
			cases := []struct {
				name string
				run  func() error
			}{
				{"dose-year-by-act", func() error { return doseChart(ctx, a, year) }},
				{"dose-year-by-room", func() error { q := year; q.GroupBy = "room"; return doseChart(ctx, a, q) }},
				{"dose-5-years-by-act", func() error { return doseChart(ctx, a, all) }},
				{"activity-year", func() error {
					_, err := a.Activity(ctx, app.ActivityQuery{From: year.From, To: year.To})
					return err
				}},
				{"outcomes-year", func() error { _, err := a.Outcomes(ctx, year.From, year.To); return err }},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					durations := make([]time.Duration, 0, b.N)
					for b.Loop() {
						started := time.Now()
						if err := c.run(); err != nil {
							b.Fatal(err)
						}
						durations = append(durations, time.Since(started))
					}
					slices.Sort(durations)
					p95 := durations[min(len(durations)-1, int(float64(len(durations))*0.95))]
					b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
					b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
				})
			}
		})
	}
}

func doseChart(ctx context.Context, a *app.App, q app.DoseQuery) error {
	r, err := a.DoseReview(ctx, q)
	if err != nil {
		return err
	}
	boxes := make([]chart.Box, 0, len(r.Groups))
	for _, g := range r.Groups {
		boxes = append(boxes, chart.Box{Label: g.Label, Q1: g.Dist.Q1, Median: g.Dist.Median, Q3: g.Dist.Q3, HighWhisker: g.Dist.HighWhisk})
	}
	if len(chart.BoxPlot("bench", "mGy·cm", boxes)) == 0 || r.Acts == 0 {
		return fmt.Errorf("no acts in the dose review")
	}
	return nil
}
