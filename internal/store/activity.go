package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"
)

// ActivityAct is an appointment of the activity figures: what was booked,
// its outcome (done, cancelled, no-show), and when its referral came.
type ActivityAct struct {
	ID, PatientID               int64
	ActID, Status               string
	RoomID, RadiologistID       int64
	PlaceID                     int64 // the monitoring place, 0 when none
	Start                       time.Time
	RoomMinutes, MonitorMinutes int
	ReferralAt                  time.Time
}

// Override is a decision that set a rule aside, with its reason.
type Override struct {
	Kind, Rule, Reason, By string
	At                     time.Time
}

// Activity is the raw material of the activity figures of [from, to).
type Activity struct {
	Acts           []ActivityAct
	Overrides      []Override
	WaitingFilled  int // waiting-list entries booked in the period
	WaitingEntries int // entries created in the period
	// Verdicts counts the screenings validated by a radiologist in the
	// period, by the verdict they validated (a referral's last signature).
	Verdicts map[string]int
}

// ActivityOf reads the period's appointments (closed months from their
// snapshots, see summary.go), overrides and waiting list (audited once, as
// the practice's activity figures).
func (s *Store) ActivityOf(ctx context.Context, from, to time.Time) (Activity, error) {
	var out Activity
	from, to = from.UTC(), to.UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pieces, err := s.summaryPieces(ctx, tx, summaryActivity, from, to)
		if err != nil {
			return err
		}
		out.Acts = make([]ActivityAct, 0, capacityFor(pieces))
		for _, p := range pieces {
			if p.blob != nil {
				out.Acts, err = decodeActivity(p.blob, out.Acts)
			} else {
				out.Acts, err = s.activityActsLive(ctx, tx, p.from, p.to, out.Acts)
			}
			if err != nil {
				return err
			}
		}
		rows, err := s.query(ctx, tx, `SELECT 'screening', rule_id, reason, actor_login, at FROM screening_decisions WHERE kind = 'override' AND at >= ? AND at < ?
			UNION ALL SELECT 'checklist', '', reason, actor_login, at FROM checklist_overrides WHERE at >= ? AND at < ? ORDER BY 5`, from, to, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o Override
			if err := rows.Scan(&o.Kind, &o.Rule, &o.Reason, &o.By, &o.At); err != nil {
				rows.Close()
				return err
			}
			out.Overrides = append(out.Overrides, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'booked' THEN 1 ELSE 0 END), 0) FROM waiting_list
			WHERE created_at >= ? AND created_at < ?`, from, to).Scan(&out.WaitingEntries, &out.WaitingFilled); err != nil {
			return err
		}
		rows, err = s.query(ctx, tx, `SELECT d.verdict_status, COUNT(*) FROM screening_decisions d
			WHERE d.kind = 'signed' AND d.at >= ? AND d.at < ?
			AND d.id = (SELECT MAX(e.id) FROM screening_decisions e WHERE e.referral_id = d.referral_id AND e.kind = 'signed')
			GROUP BY d.verdict_status`, from, to)
		if err != nil {
			return err
		}
		out.Verdicts = map[string]int{}
		for rows.Next() {
			var verdict string
			var n int
			if err := rows.Scan(&verdict, &n); err != nil {
				rows.Close()
				return err
			}
			out.Verdicts[verdict] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "activity", "", 0, from.Format(time.DateOnly)+" "+to.Format(time.DateOnly))
	})
	return out, err
}

// activityActsLive appends the appointments of [from, to) to out, by start.
func (s *Store) activityActsLive(ctx context.Context, tx *sql.Tx, from, to time.Time, out []ActivityAct) ([]ActivityAct, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT a.id, a.patient_id, a.act_id, a.status, a.room_id, a.radiologist_id, COALESCE(a.place_id, 0), a.starts_at, a.room_minutes,
			a.monitoring_minutes, r.created_at
		FROM appointments a JOIN referrals r ON r.id = a.referral_id WHERE a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id`, from, to)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var a ActivityAct
		if err := rows.Scan(&a.ID, &a.PatientID, &a.ActID, &a.Status, &a.RoomID, &a.RadiologistID, &a.PlaceID, &a.Start, &a.RoomMinutes,
			&a.MonitorMinutes, &a.ReferralAt); err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// OutcomeAct is a done act with its pain scores and act record, for the
// outcome figures.
type OutcomeAct struct {
	ID, PatientID int64
	ActID         string
	Start         time.Time
	Scores        map[int]int // day -> latest score
	// HasRecord: the act has a saved record; NoComplication: it says
	// "none"; Record is its JSON otherwise.
	HasRecord, NoComplication bool
	Record                    []byte
}

// OutcomeActs reads the done acts of [from, to) with their scores and
// records, by id (closed months from their snapshots, see summary.go;
// audited once, as the practice's outcome figures).
func (s *Store) OutcomeActs(ctx context.Context, from, to time.Time) ([]OutcomeAct, error) {
	var out []OutcomeAct
	from, to = from.UTC(), to.UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pieces, err := s.summaryPieces(ctx, tx, summaryOutcomes, from, to)
		if err != nil {
			return err
		}
		out = make([]OutcomeAct, 0, capacityFor(pieces))
		for _, p := range pieces {
			if p.blob != nil {
				out, err = decodeOutcomes(p.blob, out)
			} else {
				out, err = s.outcomeActsLive(ctx, tx, p.from, p.to, out)
			}
			if err != nil {
				return err
			}
		}
		if len(pieces) > 1 { // each piece is in id order, the whole must be
			slices.SortFunc(out, func(x, y OutcomeAct) int { return cmp.Compare(x.ID, y.ID) })
		}
		return s.audited(ctx, tx, "read", "outcomes", "", 0, from.Format(time.DateOnly)+" "+to.Format(time.DateOnly))
	})
	return out, err
}

// outcomeActsLive appends the done acts of [from, to) to out, by id, with
// their scores and records.
func (s *Store) outcomeActsLive(ctx context.Context, tx *sql.Tx, from, to time.Time, out []OutcomeAct) ([]OutcomeAct, error) {
	// audited by the caller
	// A record that says "no complication" is not sent whole: the
	// outcomes only read the others (HasRecord counts them all).
	rows, err := s.query(ctx, tx, `SELECT a.id, a.patient_id, a.act_id, a.starts_at,
			CASE WHEN r.record IS NULL THEN 0 WHEN r.record LIKE '%"complications":["none"]%' THEN 1 ELSE 2 END,
			CASE WHEN r.record IS NULL OR r.record LIKE '%"complications":["none"]%' THEN '' ELSE r.record END
		FROM appointments a LEFT JOIN act_records r ON r.appointment_id = a.id
		WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status = 'done' ORDER BY a.id`, from, to)
	if err != nil {
		return out, err
	}
	first := len(out)
	index := map[int64]int{}
	for rows.Next() {
		var o OutcomeAct
		var record string
		var kind int
		if err := rows.Scan(&o.ID, &o.PatientID, &o.ActID, &o.Start, &kind, &record); err != nil {
			rows.Close()
			return out, err
		}
		o.HasRecord, o.NoComplication = kind > 0, kind == 1
		if record != "" {
			o.Record = []byte(record)
		}
		o.Scores = map[int]int{}
		index[o.ID] = len(out)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	if len(out) == first {
		return out, nil
	}
	rows, err = s.query(ctx, tx, `SELECT f.appointment_id, f.day, f.value FROM followup_scores f JOIN appointments a ON a.id = f.appointment_id
		WHERE a.starts_at >= ? AND a.starts_at < ? AND a.status = 'done' ORDER BY f.id`, from, to)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var day, value int
		if err := rows.Scan(&id, &day, &value); err != nil {
			return out, err
		}
		if i, ok := index[id]; ok {
			out[i].Scores[day] = value
		}
	}
	return out, rows.Err()
}
