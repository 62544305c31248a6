package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/review"
	"repere/internal/screening"
)

// AddPracticeDecision records the practice's decision on a row of the
// clinical data (append-only: a later decision on the same row supersedes
// it, the history stays). The signed-in user is the author; their display
// name is kept with it, as printed on the review the medical director signs.
func (s *Store) AddPracticeDecision(ctx context.Context, d review.Decision) (int64, error) {
	if d.Key == "" || d.Fingerprint == "" || strings.TrimSpace(d.Reason) == "" {
		return 0, errors.New("store: a practice decision names its row, the value decided and a reason")
	}
	actor, ok := audit.ActorFrom(ctx)
	if !ok {
		return 0, ErrNoActor
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		name := ""
		if err := s.queryRow(ctx, tx, `SELECT display_name FROM users WHERE login = ?`, actor.Login).Scan(&name); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var err error
		id, err = s.insert(ctx, tx, `INSERT INTO practice_decisions (row_key, fingerprint, choice, reason, decided_by, decided_by_name, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.Key, d.Fingerprint, d.Choice, strings.TrimSpace(d.Reason), actor.Login, name, s.now())
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "decide", "practice_decision", strconv.FormatInt(id, 10), 0, d.Choice+" "+d.Key)
	})
	return id, err
}

// PracticeDecisions lists every decision of the practice on its clinical
// data, oldest first. They are practice data, not patient data: read on
// every screening evaluation, not audited.
func (s *Store) PracticeDecisions(ctx context.Context) ([]review.Decision, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, row_key, fingerprint, choice, reason, decided_by, decided_by_name, decided_at
		FROM practice_decisions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Decision
	for rows.Next() {
		var d review.Decision
		if err := rows.Scan(&d.ID, &d.Key, &d.Fingerprint, &d.Choice, &d.Reason, &d.By, &d.ByName, &d.At); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ScreeningSubject is what the screening reads of a referral beyond its
// answers: the patient's sex and birth date, and the referral's levels.
type ScreeningSubject struct {
	Patient screening.Patient
	Levels  string
}

// ScreeningSubjects returns the subjects of referrals, keyed by referral id.
func (s *Store) ScreeningSubjects(ctx context.Context, referralIDs []int64) (map[int64]ScreeningSubject, error) {
	out := make(map[int64]ScreeningSubject, len(referralIDs))
	if len(referralIDs) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(referralIDs)), ",")
	args := make([]any, len(referralIDs))
	ids := make([]string, len(referralIDs))
	for i, id := range referralIDs {
		args[i], ids[i] = id, strconv.FormatInt(id, 10)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT r.id, r.levels, p.sex, p.birth_date FROM referrals r JOIN patients p ON p.id = r.patient_id
			WHERE r.id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var sub ScreeningSubject
			if err := rows.Scan(&id, &sub.Levels, &sub.Patient.Sex, &sub.Patient.BirthDate); err != nil {
				return err
			}
			out[id] = sub
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "screening_subject", "", 0, "referrals="+strings.Join(ids, ","))
	})
	return out, err
}
