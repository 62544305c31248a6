// Package activity generates the activity of a radiology group at scale
// (years of acts in many rooms, with doses, pain scores and act records)
// straight into a migrated database, and measures the dashboards on it:
//
//	go test -run '^$' -bench Dashboards -benchtime 20x ./bench/activity/
//	REPERE_TEST_POSTGRES=postgres://... go test -run '^$' -bench Dashboards -benchtime 20x ./bench/activity/
//
// The generator writes rows with multi-row INSERTs: 250,000 acts played
// through the application layer would take hours. The demo's year of
// history (demo.History) is the one that goes through the application.
package activity

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"repere/internal/catalog"
	"repere/internal/practice"
	"repere/internal/store"
)

// Size is what to generate.
type Size struct {
	Years, Rooms, ActsPerRoomDay int
	End                          time.Time
}

// Generated counts what was written.
type Generated struct {
	Acts, Scores, Records int
}

// Generate fills st (with the demo practice loaded) with the activity of
// size.
func Generate(ctx context.Context, st *store.Store, cat *catalog.Catalog, size Size, loc *time.Location) (Generated, error) {
	var g Generated
	rooms, err := st.Rooms(ctx)
	if err != nil {
		return g, err
	}
	var cts []int64
	var site int64
	for _, r := range rooms {
		if r.Kind == practice.CT {
			cts, site = append(cts, r.ID), r.SiteID
		}
	}
	for i := len(cts); i < size.Rooms; i++ {
		id, err := st.CreateRoom(ctx, practice.Room{SiteID: site, Name: fmt.Sprintf("Scanner %d", i+1), Kind: practice.CT, Active: true})
		if err != nil {
			return g, err
		}
		cts = append(cts, id)
	}
	doctors, err := st.Radiologists(ctx)
	if err != nil || len(doctors) == 0 {
		return g, fmt.Errorf("no radiologist: %v", err)
	}
	acts := cat.Acts()
	rng := rand.New(rand.NewPCG(1, 2))
	w := newWriter(st)
	start := size.End.AddDate(-size.Years, 0, 0)
	patients := 0
	for day := start; day.Before(size.End); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for _, room := range cts {
			for k := 0; k < size.ActsPerRoomDay; k++ {
				act := acts[rng.IntN(len(acts))]
				at := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc).Add(time.Duration(k*25) * time.Minute)
				newPatient := patients < 10 || rng.IntN(5) != 0 // some patients come back
				if newPatient {
					patients++
				}
				pid := int64(patients - rng.IntN(min(patients, 10)))
				if newPatient {
					pid = int64(patients)
				}
				status := "done"
				switch r := rng.Float64(); {
				case r < 0.04:
					status = "cancelled"
				case r < 0.07:
					status = "no_show"
				}
				w.act(genAct{patientID: pid, newPatient: newPatient, act: act, status: status, room: room,
					doctor: doctors[rng.IntN(len(doctors))].ID, start: at, delayDays: 3 + rng.IntN(40), rng: rng})
				g.Acts++
				if w.err != nil {
					return g, w.err
				}
			}
		}
	}
	if err := w.flush(ctx); err != nil {
		return g, err
	}
	g.Scores, g.Records = w.scores, w.records
	// As a database in use would be: statistics gathered, and on
	// PostgreSQL the visibility map set, which index-only scans need.
	analyze := "ANALYZE"
	if st.Engine() == store.Postgres {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := st.DB().ExecContext(ctx, analyze); err != nil {
		return g, err
	}
	return g, nil
}

type genAct struct {
	patientID  int64
	newPatient bool
	act        *catalog.Act
	status     string
	room       int64
	doctor     int64
	start      time.Time
	delayDays  int
	rng        *rand.Rand
}

// writer batches rows per table and writes them with multi-row INSERTs;
// ids are given here (the database is fresh but for the demo's rows).
type writer struct {
	st               *store.Store
	rows             map[string][][]any
	nextRef, nextApp int64
	scores, records  int
	err              error
}

var columns = map[string]string{
	"patients":        "id, birth_name, first_names, birth_date, sex, created_at",
	"referrals":       "id, patient_id, act_id, status, created_at",
	"appointments":    "id, referral_id, patient_id, act_id, status, room_id, radiologist_id, starts_at, room_ends_at, place_ends_at, room_minutes, monitoring_minutes, created_at, created_by, updated_at, dose_dlp, dose_ctdivol, dose_source",
	"followup_scores": "appointment_id, day, value, at, actor_login",
	"act_records":     "appointment_id, record, version, updated_at, updated_by",
}

// order: a table's rows are written after those they refer to.
var order = []string{"patients", "referrals", "appointments", "followup_scores", "act_records"}

func newWriter(st *store.Store) *writer {
	return &writer{st: st, rows: map[string][][]any{}, nextRef: 1_000_000, nextApp: 1_000_000}
}

func (w *writer) add(table string, row ...any) {
	w.rows[table] = append(w.rows[table], row)
	if len(w.rows[table]) >= 400 {
		w.err = w.flush(context.Background())
	}
}

func (w *writer) act(a genAct) {
	pid := a.patientID + 1_000_000
	created := a.start.AddDate(0, 0, -a.delayDays).UTC()
	if a.newPatient {
		w.add("patients", pid, "GÉNÉRÉ", "Patient", a.start.AddDate(-30-a.rng.IntN(55), 0, 0).Format(time.DateOnly), []string{"F", "M"}[a.rng.IntN(2)], created)
	}
	w.nextRef++
	w.nextApp++
	refStatus := map[string]string{"done": "done", "cancelled": "cancelled", "no_show": "cancelled"}[a.status]
	w.add("referrals", w.nextRef, pid, a.act.ID, refStatus, created)
	var dlp, ctdi, source any
	source = ""
	if a.status == "done" {
		median := map[string]float64{"vertebroplasty": 900, "epidural_blood_patch": 250}[a.act.ID]
		if median == 0 {
			median = 350
		}
		v := math.Round(median*math.Exp(0.45*a.rng.NormFloat64())*10) / 10
		dlp, ctdi, source = v, math.Round(v/12*10)/10, "report"
	}
	start := a.start.UTC()
	w.add("appointments", w.nextApp, w.nextRef, pid, a.act.ID, a.status, a.room, a.doctor, start, start.Add(25*time.Minute), start.Add(85*time.Minute),
		25, 60, created, "bench", created, dlp, ctdi, source)
	if a.status != "done" {
		return
	}
	before := 5 + a.rng.IntN(5)
	w.add("followup_scores", w.nextApp, 0, before, start, "bench")
	w.scores++
	for _, d := range []int{15, 30} {
		if a.rng.Float64() < 0.15 {
			break
		}
		w.add("followup_scores", w.nextApp, d, max(0, before-a.rng.IntN(before+1)), start.AddDate(0, 0, d), "bench")
		w.scores++
	}
	complication := "none"
	if a.rng.Float64() < 0.03 {
		complication = "vasovagal"
	}
	w.add("act_records", w.nextApp, fmt.Sprintf(`{"levels":["L4-L5"],"approach":"interlaminar","dlp":%v,"start":%q,"end":%q,"complications":[%q]}`,
		dlp, start.Format(time.RFC3339), start.Add(25*time.Minute).Format(time.RFC3339), complication), 1, start, "bench")
	w.records++
}

func (w *writer) flush(ctx context.Context) error {
	db := w.st.DB()
	for _, table := range order {
		rows := w.rows[table]
		if len(rows) == 0 {
			continue
		}
		if err := insert(ctx, db, w.st.Engine(), table, rows); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		w.rows[table] = rows[:0]
	}
	return nil
}

func insert(ctx context.Context, db *sql.DB, engine store.Engine, table string, rows [][]any) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + columns[table] + ") ")
	if engine == store.Postgres && table != "followup_scores" && table != "act_records" {
		b.WriteString("OVERRIDING SYSTEM VALUE ") // ids are given: identity columns
	}
	b.WriteString("VALUES ")
	args := make([]any, 0, len(rows)*len(rows[0]))
	n := 0
	for i, row := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(")
		for j := range row {
			if j > 0 {
				b.WriteString(",")
			}
			n++
			if engine == store.Postgres {
				fmt.Fprintf(&b, "$%d", n)
			} else {
				b.WriteString("?")
			}
		}
		b.WriteString(")")
		args = append(args, row...)
	}
	_, err := db.ExecContext(ctx, b.String(), args...)
	return err
}
