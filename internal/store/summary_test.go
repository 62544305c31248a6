package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"repere/internal/booking"
	"repere/internal/store"
	"repere/internal/storetest"
)

// dashboardRows is what the three dashboard reads return for a period.
type dashboardRows struct {
	Dosed    []store.DosedAct
	Activity store.Activity
	Outcomes []store.OutcomeAct
}

func readDashboards(t *testing.T, ctx context.Context, s *store.Store, from, to time.Time) dashboardRows {
	t.Helper()
	var out dashboardRows
	var err error
	if out.Dosed, err = s.DosedActs(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	if out.Activity, err = s.ActivityOf(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	if out.Outcomes, err = s.OutcomeActs(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	return out
}

// readLive reads [from, to) in windows of 20 days: no window holds a whole
// month, so no snapshot can serve it and every row comes from the tables.
func readLive(t *testing.T, ctx context.Context, s *store.Store, from, to time.Time) dashboardRows {
	t.Helper()
	var out dashboardRows
	for day := from; day.Before(to); day = day.AddDate(0, 0, 20) {
		end := day.AddDate(0, 0, 20)
		if end.After(to) {
			end = to
		}
		part := readDashboards(t, ctx, s, day, end)
		out.Dosed = append(out.Dosed, part.Dosed...)
		out.Activity.Acts = append(out.Activity.Acts, part.Activity.Acts...)
		out.Outcomes = append(out.Outcomes, part.Outcomes...)
	}
	slices.SortFunc(out.Outcomes, func(x, y store.OutcomeAct) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

// sameRows fails the test when got differs from want (the activity's
// overrides, waiting list and verdicts are read live in both).
func sameRows(t *testing.T, what string, got, want dashboardRows) {
	t.Helper()
	if diff := gocmp.Diff(want.Dosed, got.Dosed); diff != "" {
		t.Errorf("%s: dosed acts differ (-live +read):\n%s", what, diff)
	}
	if diff := gocmp.Diff(want.Activity.Acts, got.Activity.Acts); diff != "" {
		t.Errorf("%s: activity acts differ (-live +read):\n%s", what, diff)
	}
	if diff := gocmp.Diff(want.Outcomes, got.Outcomes); diff != "" {
		t.Errorf("%s: outcome acts differ (-live +read):\n%s", what, diff)
	}
}

// seedMonths writes, straight into the tables, an act every other day
// from February to July 2026 (done with a dose, scores and a record, or
// cancelled, or not attended) and returns the done acts' ids by month.
func seedMonths(t *testing.T, s *store.Store, f practiceFixture) map[time.Month][]int64 {
	t.Helper()
	ref := f.referral(t, s, "vertebroplasty")
	insert := func(query string, args ...any) {
		t.Helper()
		if s.Engine() == store.Postgres {
			for i := range args {
				query = strings.Replace(query, "?", fmt.Sprintf("$%d", i+1), 1)
			}
		}
		if _, err := s.DB().Exec(query, args...); err != nil {
			t.Fatal(err)
		}
	}
	done := map[time.Month][]int64{}
	id := int64(500)
	for day := time.Date(2026, 2, 1, 8, 0, 0, 0, paris); day.Before(time.Date(2026, 8, 1, 0, 0, 0, 0, paris)); day = day.AddDate(0, 0, 2) {
		id++
		status, start := []string{"done", "done", "done", "cancelled", "done", "no_show"}[id%6], day.UTC()
		var dlp, ctdi any
		if status == "done" {
			dlp, ctdi = 300+float64(id%97)*1.5, float64(id%13)+0.25
			if id%11 == 0 {
				ctdi = nil
			}
		}
		insert(`INSERT INTO appointments (id, referral_id, patient_id, act_id, status, room_id, radiologist_id, starts_at, room_ends_at, place_ends_at,
			room_minutes, monitoring_minutes, created_at, created_by, updated_at, dose_dlp, dose_ctdivol, dose_source)
			`+overriding(s)+` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 25, 60, ?, 'seed', ?, ?, ?, 'report')`,
			id, ref, f.patientID, []string{"vertebroplasty", "epidural_blood_patch"}[id%2], status, []int64{f.ct1, f.ct2}[id%2], f.drA,
			start, start.Add(25*time.Minute), start.Add(85*time.Minute), start.AddDate(0, 0, -10), start, dlp, ctdi)
		if status != "done" {
			continue
		}
		done[day.Month()] = append(done[day.Month()], id)
		insert(`INSERT INTO followup_scores (appointment_id, day, value, at, actor_login) VALUES (?, 0, ?, ?, 'seed')`, id, 6+id%4, start)
		if id%3 != 0 {
			insert(`INSERT INTO followup_scores (appointment_id, day, value, at, actor_login) VALUES (?, 15, ?, ?, 'seed')`, id, id%5, start.AddDate(0, 0, 15))
		}
		complication := `"none"`
		if id%7 == 0 {
			complication = `"vasovagal"`
		}
		if id%5 != 0 {
			insert(`INSERT INTO act_records (appointment_id, record, version, updated_at, updated_by) VALUES (?, ?, 1, ?, 'seed')`,
				id, `{"levels":["L4"],"complications":[`+complication+`]}`, start)
		}
	}
	return done
}

func overriding(s *store.Store) string {
	if s.Engine() == store.Postgres {
		return "OVERRIDING SYSTEM VALUE"
	}
	return ""
}

var (
	summaryNow  = time.Date(2026, 8, 14, 10, 0, 0, 0, paris)
	summaryFrom = time.Date(2026, 2, 17, 0, 0, 0, 0, paris) // partial first month
	summaryTo   = time.Date(2026, 7, 9, 0, 0, 0, 0, paris)  // partial last month
)

func TestSummariesGiveTheLiveRows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		seedMonths(t, s, f)
		before := readDashboards(t, f.ctx, s, summaryFrom, summaryTo)
		if len(before.Dosed) < 40 || len(before.Activity.Acts) < 60 || len(before.Outcomes) < 40 {
			t.Fatalf("seeded too little: %d dosed, %d acts, %d outcomes", len(before.Dosed), len(before.Activity.Acts), len(before.Outcomes))
		}
		months, err := s.RefreshSummaries(f.ctx, paris, summaryNow)
		if err != nil || months != 6 {
			t.Fatalf("first refresh: %d months (want February to July), %v", months, err)
		}
		after := readDashboards(t, f.ctx, s, summaryFrom, summaryTo)
		sameRows(t, "snapshots", after, before)
		if diff := gocmp.Diff(before.Activity, after.Activity); diff != "" {
			t.Errorf("activity differs:\n%s", diff)
		}
		sameRows(t, "windows", readLive(t, f.ctx, s, summaryFrom, summaryTo), before)
		var inUnit dashboardRows // as a page reads: in a read unit (SQLite: query_only)
		if err := s.ReadUnit(f.ctx, func(ctx context.Context) error {
			inUnit = readDashboards(t, ctx, s, summaryFrom, summaryTo)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sameRows(t, "read unit", inUnit, before)
		if months, err := s.RefreshSummaries(f.ctx, paris, summaryNow); err != nil || months != 0 {
			t.Errorf("a refresh with nothing changed rebuilt %d months: %v", months, err)
		}

		// The snapshots are what is read: a change whose trace is
		// removed behind the store's back is not seen.
		var march int64
		if err := s.DB().QueryRow(`SELECT MIN(id) FROM appointments WHERE status = 'done' AND dose_dlp IS NOT NULL AND id > 520`).Scan(&march); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(fmt.Sprintf(`UPDATE appointments SET dose_dlp = 1 WHERE id = %d`, march)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`DELETE FROM summary_changes`); err != nil {
			t.Fatal(err)
		}
		for _, d := range readDashboards(t, f.ctx, s, summaryFrom, summaryTo).Dosed {
			if d.AppointmentID == march && *d.DLP == 1 {
				t.Errorf("act %d: the dose written after the snapshot was read, not the snapshot", march)
			}
		}
	})
}

func TestSummariesFollowEveryWrite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		done := seedMonths(t, s, f)
		late := f.referral(t, s, "epidural_blood_patch")
		mayAct, err := s.Book(f.ctx, booking.Request{ReferralID: late, RoomID: f.ct1, RadiologistID: f.drB,
			Start: time.Date(2026, 5, 20, 16, 0, 0, 0, paris), RoomMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshSummaries(f.ctx, paris, summaryNow); err != nil {
			t.Fatal(err)
		}
		// Writes in closed months, through the store's own methods.
		dlp, ctdi := 4321.5, 99.0
		if err := s.SetActDose(f.ctx, done[time.March][2], &dlp, &ctdi, store.DoseTyped, "typo", true); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPainScore(f.ctx, done[time.April][1], 30, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.CancelAppointment(f.ctx, mayAct, "patient away"); err != nil {
			t.Fatal(err)
		}
		fresh := readDashboards(t, f.ctx, s, summaryFrom, summaryTo)
		sameRows(t, "before the refresh", fresh, readLive(t, f.ctx, s, summaryFrom, summaryTo))
		if !hasDose(fresh.Dosed, done[time.March][2], dlp) {
			t.Errorf("the dose typed in March is not read before the refresh")
		}
		s.SetRefreshBatch(2) // two transactions: the second sees what the first left
		months, err := s.RefreshSummaries(f.ctx, paris, summaryNow)
		if err != nil || months != 3 {
			t.Errorf("refresh after writes in March, April and May: %d months rebuilt, %v", months, err)
		}
		refreshed := readDashboards(t, f.ctx, s, summaryFrom, summaryTo)
		sameRows(t, "after the refresh", refreshed, fresh)
		if n := countRows(t, s, "summary_changes"); n != 0 {
			t.Errorf("%d changes left after the refresh", n)
		}
	})
}

// A write committed while the refresher works is not lost: its month is
// read live until the next refresh rebuilds it. The writer commits after
// the refresher has read the changes and before it deletes them. On SQLite
// writers take turns, so the interleaving exists only on PostgreSQL.
func TestSummariesKeepAChangeCommittedDuringTheRefresh(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		if s.Engine() != store.Postgres {
			t.Skip("SQLite serialises the writer and the refresher")
		}
		f := newPractice(t, s)
		done := seedMonths(t, s, f)
		if _, err := s.RefreshSummaries(f.ctx, paris, summaryNow); err != nil {
			t.Fatal(err)
		}
		june, july := done[time.June][0], done[time.July][0]
		// The writer's change row takes its id first, the pain score's
		// after, so the refresher sees ids beyond the writer's.
		writer, err := s.DB().BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer writer.Rollback()
		if _, err := writer.Exec(`UPDATE appointments SET dose_dlp = 2222 WHERE id = $1`, june); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPainScore(f.ctx, july, 30, 2); err != nil {
			t.Fatal(err)
		}
		s.PauseRefreshBeforeDelete(func() {
			s.PauseRefreshBeforeDelete(nil)
			if err := writer.Commit(); err != nil {
				t.Error(err)
			}
		})
		if months, err := s.RefreshSummaries(f.ctx, paris, summaryNow); err != nil || months != 1 {
			t.Fatalf("refresh during the write: %d months (want July), %v", months, err)
		}
		if !hasDose(readDashboards(t, f.ctx, s, summaryFrom, summaryTo).Dosed, june, 2222) {
			t.Errorf("the dose committed during the refresh is lost")
		}
		if months, err := s.RefreshSummaries(f.ctx, paris, summaryNow); err != nil || months != 1 {
			t.Errorf("next refresh: %d months (want June), %v", months, err)
		}
		sameRows(t, "after both refreshes", readDashboards(t, f.ctx, s, summaryFrom, summaryTo), readLive(t, f.ctx, s, summaryFrom, summaryTo))
	})
}

func hasDose(acts []store.DosedAct, id int64, dlp float64) bool {
	for _, d := range acts {
		if d.AppointmentID == id {
			return d.DLP != nil && *d.DLP == dlp
		}
	}
	return false
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRefreshReadsTheChangesOnce: a refresh reads the months changed in one
// statement, however many months the practice has, and places each change
// in the practice's month even where the zone is half an hour off the hour
// (Marquesas, UTC−9:30): 00:15 on 1 May there is 09:45 UTC.
func TestRefreshReadsTheChangesOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		seedMonths(t, s, f)
		marquesas, err := time.LoadLocation("Pacific/Marquesas")
		if err != nil {
			t.Fatal(err)
		}
		idle := func(now time.Time) int64 {
			t.Helper()
			if _, err := s.RefreshSummaries(f.ctx, marquesas, now); err != nil {
				t.Fatal(err)
			}
			c := &store.Counter{}
			if months, err := s.RefreshSummaries(store.WithCounter(f.ctx, c), marquesas, now); err != nil || months != 0 {
				t.Fatalf("refresh with nothing changed: %d months rebuilt, %v", months, err)
			}
			return c.Statements()
		}
		inAugust := idle(summaryNow)
		if inAYear := idle(summaryNow.AddDate(1, 0, 0)); inAYear != inAugust {
			t.Errorf("an idle refresh runs %d statements with 18 months built, %d with 6", inAYear, inAugust)
		}
		// Two changes half an hour apart, either side of the Marquesas'
		// midnight: April's and May's snapshots are both rebuilt.
		insert := `INSERT INTO summary_changes (at) VALUES (?)`
		if s.Engine() == store.Postgres {
			insert = `INSERT INTO summary_changes (at) VALUES ($1)`
		}
		may := time.Date(2026, 5, 1, 0, 15, 0, 0, marquesas)
		for _, at := range []time.Time{may, may.Add(-30 * time.Minute)} {
			if _, err := s.DB().Exec(insert, at.UTC()); err != nil {
				t.Fatal(err)
			}
		}
		if rebuilt, err := s.RefreshSummaries(f.ctx, marquesas, summaryNow.AddDate(1, 0, 0)); err != nil || rebuilt != 2 {
			t.Errorf("changes at 23:45 on 30 April and 00:15 on 1 May in the Marquesas: %d months rebuilt (want April and May), %v", rebuilt, err)
		}
	})
}
