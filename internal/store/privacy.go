package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/privacy"
	"repere/internal/referral"
)

// evidence holds, per name of privacy's medical_record.evidence, how many
// rows of that kind the patient has and the date of care of the latest.
var evidence = map[string]struct{ count, latest string }{
	"acts_done": {`SELECT COUNT(*) FROM appointments WHERE patient_id = ? AND status = 'done'`,
		`SELECT starts_at FROM appointments WHERE patient_id = ? AND status = 'done' ORDER BY starts_at DESC LIMIT 1`},
	"act_records": {`SELECT COUNT(*) FROM act_records r JOIN appointments a ON a.id = r.appointment_id WHERE a.patient_id = ?`,
		`SELECT a.starts_at FROM act_records r JOIN appointments a ON a.id = r.appointment_id WHERE a.patient_id = ? ORDER BY a.starts_at DESC LIMIT 1`},
	"performed_steps": {`SELECT COUNT(*) FROM performed_steps p JOIN appointments a ON a.id = p.appointment_id WHERE a.patient_id = ?`,
		`SELECT a.starts_at FROM performed_steps p JOIN appointments a ON a.id = p.appointment_id WHERE a.patient_id = ? ORDER BY a.starts_at DESC LIMIT 1`},
	"consents": {`SELECT COUNT(*) FROM consents WHERE patient_id = ?`,
		`SELECT signed_at FROM consents WHERE patient_id = ? ORDER BY signed_at DESC LIMIT 1`},
	"reports": {`SELECT COUNT(*) FROM reports WHERE patient_id = ?`,
		`SELECT signed_at FROM reports WHERE patient_id = ? ORDER BY signed_at DESC LIMIT 1`},
}

// EvidenceKinds lists the evidence the store knows how to count (tests
// compare it with the rules).
func EvidenceKinds() map[string]bool {
	out := map[string]bool{}
	for k := range evidence {
		out[k] = true
	}
	return out
}

// ofReferrals and ofAppointments select a patient's referrals and appointments.
const (
	ofReferrals    = `referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`
	ofAppointments = `appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)`
)

// erasers are the statements that erase or anonymise each part of
// privacy's rules; every ? is the patient's id. The consents, reports, act
// records and performed acts have none: they are the medical record.
var erasers = map[string][]string{
	"identity": {`UPDATE patients SET birth_name = 'ANONYME-' || id, used_name = '', first_names = '', birth_date = '1900-01-01', sex = 'U', ins = '',
		birth_name_key = 'anonyme-' || id, used_name_key = '', first_names_key = '' WHERE id = ?`},
	"contact":                 {`UPDATE patients SET phone = '', email = '', address = '', phone_key = '' WHERE id = ?`},
	"referrals":               {`UPDATE referrals SET levels = '', side = '', indication = '', prior_imaging = '', prescription_date = '', cover = '', pregnancy_start = '', delivery_date = '', sent_identity = '' WHERE patient_id = ?`},
	"referral_events":         {`UPDATE referral_events SET reason = '' WHERE ` + ofReferrals},
	"appointments":            {`UPDATE appointments SET cancel_reason = '' WHERE patient_id = ?`},
	"appointment_events":      {`UPDATE appointment_events SET detail = '' WHERE ` + ofAppointments},
	"waiting_list":            {`DELETE FROM waiting_list WHERE ` + ofReferrals},
	"screenings":              {`DELETE FROM screenings WHERE ` + ofReferrals},
	"screening_links":         {`DELETE FROM screening_links WHERE ` + ofReferrals},
	"referral_documents":      {`DELETE FROM referral_documents WHERE ` + ofReferrals},
	"screening_decisions":     {`DELETE FROM screening_decisions WHERE ` + ofReferrals},
	"outbox":                  {`DELETE FROM outbox WHERE patient_id = ? OR ` + ofAppointments},
	"checklist_checks":        {`DELETE FROM checklist_checks WHERE ` + ofAppointments},
	"checklist_overrides":     {`DELETE FROM checklist_overrides WHERE ` + ofAppointments},
	"portal_codes":            {`DELETE FROM portal_codes WHERE patient_id = ?`},
	"report_drafts":           {`DELETE FROM report_drafts WHERE ` + ofAppointments},
	"followup_scores":         {`DELETE FROM followup_scores WHERE ` + ofAppointments},
	"monitoring_observations": {`DELETE FROM monitoring_observations WHERE ` + ofAppointments},
	"patient_events":          {`DELETE FROM patient_events WHERE patient_id = ?`},
	"external_identifiers":    {`DELETE FROM external_identifiers WHERE patient_id = ?`},
}

// Erasable reports whether the store knows how to erase a part (tests
// compare it with the rules).
func Erasable(part string) bool { _, ok := erasers[part]; return ok }

// PatientRetention reads what decides an erasure of the patient's data.
func (s *Store) PatientRetention(ctx context.Context, id int64) (privacy.Record, error) {
	var rec privacy.Record
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rec, err = s.retentionRecord(ctx, tx, id); err != nil {
			return err
		}
		return s.audited(ctx, tx, "count", "patient", strconv.FormatInt(id, 10), id, "retention")
	})
	return rec, err
}

func (s *Store) retentionRecord(ctx context.Context, tx *sql.Tx, id int64) (privacy.Record, error) {
	// audited by the caller
	rec := privacy.Record{Evidence: map[string]int{}, Rows: map[string]int{}}
	err := s.queryRow(ctx, tx, `SELECT birth_date FROM patients WHERE id = ?`, id).Scan(&rec.BirthDate)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, ErrNotFound
	}
	if err != nil {
		return rec, err
	}
	for name, q := range evidence {
		var n int
		if err := s.queryRow(ctx, tx, q.count, id).Scan(&n); err != nil {
			return rec, fmt.Errorf("evidence %s: %w", name, err)
		}
		rec.Evidence[name] = n
		if n == 0 {
			continue
		}
		var at time.Time
		if err := s.queryRow(ctx, tx, q.latest, id).Scan(&at); err != nil {
			return rec, fmt.Errorf("evidence %s: %w", name, err)
		}
		if at.After(rec.LastCare) {
			rec.LastCare = at
		}
	}
	scopes, err := s.patientScopes(ctx, tx)
	if err != nil {
		return rec, err
	}
	for _, sc := range scopes {
		var n int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM `+sc.table+` WHERE `+sc.where, sc.args(id)...).Scan(&n); err != nil {
			return rec, fmt.Errorf("count %s: %w", sc.table, err)
		}
		rec.Rows[sc.table] = n
	}
	return rec, nil
}

// ErasePatient carries out an erasure request: in one transaction it reads
// the patient's record, decides part by part with the rules (the medical
// record and its identity kept for their legal duration, the rest erased),
// cancels what is still booked, erases, and records the request. On SQLite,
// secure_delete has zeroed the erased bytes in the pages written; a
// checkpoint then moves them into the database file and empties the WAL,
// where the old pages would otherwise stay readable.
func (s *Store) ErasePatient(ctx context.Context, id int64, rules privacy.Rules, loc *time.Location, reason string) (privacy.Plan, error) {
	var plan privacy.Plan
	if strings.TrimSpace(reason) == "" {
		return plan, errors.New("store: an erasure needs a reason")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rec, err := s.retentionRecord(ctx, tx, id)
		if err != nil {
			return err
		}
		plan = rules.Plan(rec, loc)
		if err := s.withdrawBookings(ctx, tx, id); err != nil {
			return err
		}
		for _, d := range plan.Decisions {
			if d.Action != privacy.Erase && d.Action != privacy.Anonymise {
				continue
			}
			stmts, ok := erasers[d.Part.ID]
			if !ok {
				return fmt.Errorf("store: the rules erase %s but the store has no statement for it", d.Part.ID)
			}
			for _, q := range stmts {
				if _, err := s.exec(ctx, tx, q, repeat(id, strings.Count(q, "?"))...); err != nil {
					return fmt.Errorf("erase %s: %w", d.Part.ID, err)
				}
			}
		}
		if err := s.recordErasure(ctx, tx, id, plan, reason); err != nil {
			return err
		}
		return s.audited(ctx, tx, "erase", "patient", strconv.FormatInt(id, 10), id, reason+" — "+plan.Summary())
	})
	if err != nil {
		return plan, err
	}
	return plan, s.checkpoint(ctx)
}

// withdrawBookings cancels the patient's booked appointments (their holds
// freed) and open referrals: the patient is leaving the practice.
func (s *Store) withdrawBookings(ctx context.Context, tx *sql.Tx, patientID int64) error {
	// audited by the caller
	const why = "erasure request"
	booked, err := s.ids(ctx, tx, `SELECT id FROM appointments WHERE patient_id = ? AND status = 'booked'`, patientID)
	if err != nil {
		return err
	}
	for _, id := range booked {
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET status = 'cancelled', cancel_reason = ?, updated_at = ? WHERE id = ?`, why, s.now(), id); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE resource_busy SET active = ? WHERE appointment_id = ?`, false, id); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, id, "cancelled", why); err != nil {
			return err
		}
	}
	rows, err := s.query(ctx, tx, `SELECT id, status FROM referrals WHERE patient_id = ? AND status IN ('received', 'screening', 'booked')`, patientID)
	if err != nil {
		return err
	}
	open := map[int64]referral.Status{}
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			rows.Close()
			return err
		}
		open[id] = referral.Status(status)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, from := range open {
		if err := s.moveReferral(ctx, tx, id, from, referral.Cancelled, why); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) recordErasure(ctx context.Context, tx *sql.Tx, patientID int64, plan privacy.Plan, reason string) error {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	until, rule := "", ""
	if plan.MedicalRecord {
		until, rule = plan.KeptUntil.Format(time.DateOnly), plan.Rule.ID
	}
	_, err := s.exec(ctx, tx, `INSERT INTO erasures (patient_id, at, actor_login, reason, kept_until, rule, kept, erased) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		patientID, s.now(), actor.Login, reason, until, rule, strings.Join(plan.Parts(privacy.Keep), ","),
		strings.Join(plan.Parts(privacy.Erase, privacy.Anonymise), ","))
	return err
}

// ErasuresOf lists the erasure requests carried out for a patient, oldest first.
func (s *Store) ErasuresOf(ctx context.Context, patientID int64) ([]privacy.Erasure, error) {
	var out []privacy.Erasure
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT at, actor_login, reason, kept_until, rule, kept, erased FROM erasures WHERE patient_id = ? ORDER BY id`, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e privacy.Erasure
			var kept, erased string
			if err := rows.Scan(&e.At, &e.Actor, &e.Reason, &e.KeptUntil, &e.Rule, &kept, &erased); err != nil {
				return err
			}
			e.Kept, e.Erased = splitList(kept), splitList(erased)
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "erasure", "", patientID, "")
	})
	return out, err
}

// checkpoint copies the WAL into the SQLite file and truncates it, so the
// pages written before an erasure are no longer readable in the WAL. A
// reader still open keeps it from finishing: that is reported, not fatal,
// the next checkpoint finishes the work.
func (s *Store) checkpoint(ctx context.Context) error {
	if s.engine != SQLite {
		return nil
	}
	var busy, logFrames, checkpointed int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("checkpoint after erasure: %w", err)
	}
	if busy != 0 {
		return ErrCheckpointBusy
	}
	return nil
}

// ErrCheckpointBusy says the erasure is done but a reader kept the WAL from
// being emptied at once.
var ErrCheckpointBusy = errors.New("store: erasure done, but the WAL could not be emptied yet (a reader was open); it will be at the next checkpoint")

func (s *Store) ids(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, tx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
