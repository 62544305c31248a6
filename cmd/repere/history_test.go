package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/store"
)

// TestServeDemoPlaysAPastYear: the demo's first start plays a past year
// through the application (here one referral a workday, the default being
// two), so that the dashboards have months of done acts with their doses
// and pain scores on first start; a second start plays nothing more.
func TestServeDemoPlaysAPastYear(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a year of referrals")
	}
	db := filepath.Join(t.TempDir(), "h.db")
	_, _, stop := startServe(t, "--db", db, "--demo", "--demo-history", "1")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	count := func() (acts, months int) {
		st, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		now := time.Now()
		dosed, err := st.DosedActs(ctx, now.AddDate(-1, 0, -7), now)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, d := range dosed {
			seen[d.Start.Format("2006-01")] = true
		}
		return len(dosed), len(seen)
	}
	acts, months := count()
	if acts < 100 || months < 11 {
		t.Fatalf("the past year has %d dosed acts over %d months", acts, months)
	}
	_, _, stop = startServe(t, "--db", db, "--demo", "--demo-history", "1")
	stop()
	if again, _ := count(); again != acts {
		t.Fatalf("a second start played the year again: %d acts, then %d", acts, again)
	}
}
