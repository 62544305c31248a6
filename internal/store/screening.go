package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/referral"
	"repere/internal/screening"
)

// ErrStale is returned when a screening was changed by someone else since
// it was read: the caller shows the new answers rather than overwrite them.
var ErrStale = errors.New("store: the screening was changed in the meantime")

// Screening is a referral's questionnaire: the answers as JSON (package
// screening's Answers), with a version that grows at each save.
type Screening struct {
	ReferralID int64
	Answers    []byte
	Version    int
	UpdatedAt  time.Time
	UpdatedBy  string
}

// Screening returns a referral's questionnaire, or ErrNotFound before the
// first answer.
func (s *Store) Screening(ctx context.Context, referralID int64) (Screening, error) {
	var out Screening
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var answers string
		var patientID int64
		err := s.queryRow(ctx, tx, `SELECT s.referral_id, s.answers, s.version, s.updated_at, s.updated_by, r.patient_id
			FROM screenings s JOIN referrals r ON r.id = s.referral_id WHERE s.referral_id = ?`, referralID).
			Scan(&out.ReferralID, &answers, &out.Version, &out.UpdatedAt, &out.UpdatedBy, &patientID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		out.Answers = []byte(answers)
		return s.audited(ctx, tx, "read", "screening", strconv.FormatInt(referralID, 10), patientID, "")
	})
	return out, err
}

// Screenings returns the questionnaires of several referrals (for the
// board), keyed by referral id; referrals without one are absent.
func (s *Store) Screenings(ctx context.Context, referralIDs []int64) (map[int64]Screening, error) {
	out := make(map[int64]Screening, len(referralIDs))
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
		rows, err := s.query(ctx, tx, `SELECT referral_id, answers, version, updated_at, updated_by FROM screenings WHERE referral_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc Screening
			var answers string
			if err := rows.Scan(&sc.ReferralID, &answers, &sc.Version, &sc.UpdatedAt, &sc.UpdatedBy); err != nil {
				return err
			}
			sc.Answers = []byte(answers)
			out[sc.ReferralID] = sc
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "screening", "", 0, "referrals="+strings.Join(ids, ","))
	})
	return out, err
}

// SaveScreening stores new answers if the screening is still at
// expectVersion (0 before the first save), and returns the new version. A
// referral just received moves to screening.
func (s *Store) SaveScreening(ctx context.Context, referralID int64, answers []byte, expectVersion int) (int, error) {
	version := expectVersion + 1
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var status string
		err := s.queryRow(ctx, tx, `SELECT patient_id, status FROM referrals WHERE id = ?`, referralID).Scan(&patientID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if expectVersion == 0 {
			_, err = s.exec(ctx, tx, `INSERT INTO screenings (referral_id, answers, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)`,
				referralID, string(answers), s.now(), actor.Login)
			if err != nil && isUniqueViolation(err) {
				return ErrStale
			}
		} else {
			var res sql.Result
			res, err = s.exec(ctx, tx, `UPDATE screenings SET answers = ?, version = ?, updated_at = ?, updated_by = ? WHERE referral_id = ? AND version = ?`,
				string(answers), version, s.now(), actor.Login, referralID, expectVersion)
			if err == nil {
				if n, _ := res.RowsAffected(); n != 1 {
					return ErrStale
				}
			}
		}
		if err != nil {
			return err
		}
		if status == string(referral.Received) {
			if err := s.moveReferral(ctx, tx, referralID, referral.Received, referral.Screening, ""); err != nil {
				return err
			}
		}
		return s.audited(ctx, tx, "update", "screening", strconv.FormatInt(referralID, 10), patientID, "version="+strconv.Itoa(version))
	})
	return version, err
}

// ScreeningLink is a patient's link to fill the questionnaire, with what
// checks it: its expiry, the patient's birth date, the failed attempts.
type ScreeningLink struct {
	ID, ReferralID, PatientID int64
	BirthDate                 string
	ActID                     string
	ExpiresAt                 time.Time
	Failures                  int
	SubmittedAt               time.Time // zero until the patient sends the answers
}

// CreateScreeningLink records a link by the SHA-256 of its token.
func (s *Store) CreateScreeningLink(ctx context.Context, referralID int64, tokenHash string, expires time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		if err := s.queryRow(ctx, tx, `SELECT patient_id FROM referrals WHERE id = ?`, referralID).Scan(&patientID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		var err error
		id, err = s.insert(ctx, tx, `INSERT INTO screening_links (referral_id, token_hash, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
			referralID, tokenHash, expires.UTC(), s.now(), actor.Login)
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "screening_link", strconv.FormatInt(id, 10), patientID, "expires="+expires.UTC().Format(time.RFC3339))
	})
	return id, err
}

// ScreeningLinkByHash finds a link by the SHA-256 of its token, whatever its
// state; the caller checks expiry, failures and the birth date.
func (s *Store) ScreeningLinkByHash(ctx context.Context, tokenHash string) (ScreeningLink, error) {
	var l ScreeningLink
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var submitted sql.NullTime
		err := s.queryRow(ctx, tx, `SELECT k.id, k.referral_id, r.patient_id, p.birth_date, r.act_id, k.expires_at, k.failures, k.submitted_at
			FROM screening_links k JOIN referrals r ON r.id = k.referral_id JOIN patients p ON p.id = r.patient_id WHERE k.token_hash = ?`, tokenHash).
			Scan(&l.ID, &l.ReferralID, &l.PatientID, &l.BirthDate, &l.ActID, &l.ExpiresAt, &l.Failures, &submitted)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		l.SubmittedAt = submitted.Time
		return s.audited(ctx, tx, "read", "screening_link", strconv.FormatInt(l.ID, 10), l.PatientID, "")
	})
	return l, err
}

// ErrLinkLocked is returned when a link took its last wrong birth date.
var ErrLinkLocked = errors.New("store: the link is locked after too many wrong birth dates")

// CheckLinkBirthDate checks a birth date typed on a link. The attempt is
// counted first, on the link (at most maxFailures) and under limits, in the
// same transaction that compares: parallel checks wait for each other, so no
// more than maxFailures wrong dates are ever compared. A spent limit gives a
// *LockedError, a spent link ErrLinkLocked, and nothing is compared; a wrong
// date stays counted, a right one is given back.
func (s *Store) CheckLinkBirthDate(ctx context.Context, l ScreeningLink, birthDate string, maxFailures int, limits ...Limit) (bool, error) {
	right := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.takeAttempt(ctx, tx, limits); err != nil {
			return err
		}
		var failures int
		err := s.queryRow(ctx, tx, `UPDATE screening_links SET failures = failures + 1 WHERE id = ? AND failures < ? RETURNING failures`,
			l.ID, maxFailures).Scan(&failures)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrLinkLocked
		}
		if err != nil {
			return err
		}
		if birthDate != l.BirthDate {
			return s.audited(ctx, tx, "second_factor_failed", "screening_link", strconv.FormatInt(l.ID, 10), l.PatientID, "failures="+strconv.Itoa(failures))
		}
		right = true
		if _, err := s.exec(ctx, tx, `UPDATE screening_links SET failures = failures - 1 WHERE id = ?`, l.ID); err != nil {
			return err
		}
		if err := s.giveBack(ctx, tx, limits); err != nil {
			return err
		}
		return s.audited(ctx, tx, "second_factor_ok", "screening_link", strconv.FormatInt(l.ID, 10), l.PatientID, "")
	})
	return right, err
}

// ScreeningLinkSubmitted records that the patient sent the answers.
func (s *Store) ScreeningLinkSubmitted(ctx context.Context, l ScreeningLink) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `UPDATE screening_links SET submitted_at = ? WHERE id = ?`, s.now(), l.ID); err != nil {
			return err
		}
		return s.audited(ctx, tx, "submitted", "screening_link", strconv.FormatInt(l.ID, 10), l.PatientID, "")
	})
}

// AddScreeningDecision records a signature or an override; an override needs a reason.
func (s *Store) AddScreeningDecision(ctx context.Context, d screening.Decision) (int64, error) {
	switch {
	case d.Kind != screening.DecisionSigned && d.Kind != screening.DecisionOverride:
		return 0, errors.New("store: unknown screening decision")
	case d.Kind == screening.DecisionOverride && (d.RuleID == "" || strings.TrimSpace(d.Reason) == ""):
		return 0, errors.New("store: an override names its finding and gives a reason")
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		if err := s.queryRow(ctx, tx, `SELECT patient_id FROM referrals WHERE id = ?`, d.ReferralID).Scan(&patientID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		var err error
		id, err = s.insert(ctx, tx, `INSERT INTO screening_decisions (referral_id, kind, rule_id, reason, answers_version, verdict_status, at, actor_login,
				premedication, contrast_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ReferralID, d.Kind, d.RuleID, d.Reason, d.AnswersVersion, d.VerdictStatus, s.now(), actor.Login, d.Premedication, d.ContrastAgent)
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, d.Kind, "screening", strconv.FormatInt(d.ReferralID, 10), patientID, strings.TrimSpace(d.RuleID+" "+d.VerdictStatus))
	})
	return id, err
}

// ScreeningDecisions lists a referral's signatures and overrides, oldest first.
func (s *Store) ScreeningDecisions(ctx context.Context, referralID int64) ([]screening.Decision, error) {
	var out []screening.Decision
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT id, referral_id, kind, rule_id, reason, answers_version, verdict_status, at, actor_login,
				premedication, contrast_agent FROM screening_decisions WHERE referral_id = ? ORDER BY id`, referralID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d screening.Decision
			if err := rows.Scan(&d.ID, &d.ReferralID, &d.Kind, &d.RuleID, &d.Reason, &d.AnswersVersion, &d.VerdictStatus, &d.At, &d.Actor,
				&d.Premedication, &d.ContrastAgent); err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "screening_decisions", strconv.FormatInt(referralID, 10), 0, "")
	})
	return out, err
}

// ScreeningDecisionsFor lists the decisions of several referrals (for the
// board and the worklist), keyed by referral id, oldest first.
func (s *Store) ScreeningDecisionsFor(ctx context.Context, referralIDs []int64) (map[int64][]screening.Decision, error) {
	out := make(map[int64][]screening.Decision, len(referralIDs))
	if len(referralIDs) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(referralIDs)), ",")
	args := make([]any, len(referralIDs))
	for i, id := range referralIDs {
		args[i] = id
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT id, referral_id, kind, rule_id, reason, answers_version, verdict_status, at, actor_login,
				premedication, contrast_agent FROM screening_decisions WHERE referral_id IN (`+marks+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d screening.Decision
			if err := rows.Scan(&d.ID, &d.ReferralID, &d.Kind, &d.RuleID, &d.Reason, &d.AnswersVersion, &d.VerdictStatus, &d.At, &d.Actor,
				&d.Premedication, &d.ContrastAgent); err != nil {
				return err
			}
			out[d.ReferralID] = append(out[d.ReferralID], d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "screening_decisions", "", 0, strconv.Itoa(len(referralIDs))+" referrals")
	})
	return out, err
}
