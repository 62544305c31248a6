package app

import (
	"context"
	"log/slog"
	"time"

	"repere/internal/audit"
)

// summaryActor is who the audit log names for the month snapshots.
var summaryActor = audit.System("summaries")

// RefreshSummaries brings the dashboards' month snapshots up to date (the
// closed months of the practice's time zone that changed or have none) and
// returns how many months it rebuilt. The dashboards are exact without it,
// only slower: a month changed since its snapshot is read live.
func (a *App) RefreshSummaries(ctx context.Context) (int, error) {
	return a.store.RefreshSummaries(audit.WithActor(ctx, summaryActor), a.loc, a.Now())
}

// RunSummaries refreshes the month snapshots every period until ctx ends.
// Several instances may run it: they take turns.
func (a *App) RunSummaries(ctx context.Context, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		months, err := a.RefreshSummaries(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("dashboard summaries", "err", err)
		case months > 0:
			log.Info("dashboard summaries", "months_rebuilt", months)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
