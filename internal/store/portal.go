package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/patient"
)

// ErrCodeInvalid is returned for a wrong, expired, used or exhausted portal code.
var ErrCodeInvalid = errors.New("store: the code is not valid")

// PatientsByEmail returns the patients with this email address (a family
// may share one), for sending portal codes.
func (s *Store) PatientsByEmail(ctx context.Context, email string) ([]patient.Patient, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var out []patient.Patient
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+patientColumns+` FROM patients WHERE LOWER(email) = ? ORDER BY id LIMIT 10`, email)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			p, err := scanPatient(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
			ids = append(ids, strconv.FormatInt(p.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "patient", "", 0, "portal code request ids="+strings.Join(ids, ","))
	})
	return out, err
}

// CreatePortalCode stores a code's hash for a patient.
func (s *Store) CreatePortalCode(ctx context.Context, patientID int64, codeHash string, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO portal_codes (patient_id, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			patientID, codeHash, expires.UTC(), s.now()); err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "portal_code", "", patientID, "")
	})
}

// MaxCodeAttempts is how many answers one portal code takes, right or wrong.
const MaxCodeAttempts = 5

// UsePortalCode checks a code for one of the patients of an email address:
// an unused, unexpired code of a patient whose birth date matches.
// The attempt is counted under limits before anything is compared (a spent
// limit gives a *LockedError and checks nothing); a wrong code or a wrong
// birth date stays counted (committed), a right one is given back. Each code
// also takes MaxCodeAttempts answers at most.
func (s *Store) UsePortalCode(ctx context.Context, email, birthDate, codeHash string, now time.Time, limits ...Limit) (int64, error) {
	return s.useCode(ctx, limits, func(tx *sql.Tx) (int64, error) {
		// Every live code of the address and birth date takes the attempt
		// (each takes MaxCodeAttempts at most), and the code typed may be
		// any of them: a code printed on a letter after the email was sent
		// does not void the email's, and twins sharing an address each
		// have their own.
		rows, err := s.query(ctx, tx, `UPDATE portal_codes SET attempts = attempts + 1
			WHERE attempts < ? AND used_at IS NULL AND expires_at > ? AND patient_id IN (SELECT id FROM patients WHERE LOWER(email) = ? AND birth_date = ?)
			RETURNING id, patient_id, code_hash`,
			MaxCodeAttempts, now.UTC(), strings.ToLower(strings.TrimSpace(email)), birthDate)
		if err != nil {
			return 0, err
		}
		type live struct {
			id, patientID int64
			hash          string
		}
		var codes []live
		for rows.Next() {
			var c live
			if err := rows.Scan(&c.id, &c.patientID, &c.hash); err != nil {
				rows.Close()
				return 0, err
			}
			codes = append(codes, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(codes) == 0 { // no code, or a wrong birth date: counted under limits
			return 0, s.audited(ctx, tx, "portal_code_failed", "patient", "", 0, "no code for this address and birth date")
		}
		right := -1
		for i, c := range codes { // each compared, in constant time
			if subtle.ConstantTimeCompare([]byte(c.hash), []byte(codeHash)) == 1 {
				right = i
			}
		}
		if right < 0 {
			patientID := codes[0].patientID
			return 0, s.audited(ctx, tx, "portal_code_failed", "patient", strconv.FormatInt(patientID, 10), patientID, "")
		}
		return codes[right].patientID, s.codeUsed(ctx, tx, codes[right].id, codes[right].patientID, now, limits, "")
	})
}

// UseLetterCode checks a code given on paper or by SMS (no email address to
// go with it): the unused, unexpired code with this hash whose patient has
// this birth date. Counted under limits before anything is compared, as
// UsePortalCode; a right code is used once.
func (s *Store) UseLetterCode(ctx context.Context, birthDate, codeHash string, now time.Time, limits ...Limit) (int64, error) {
	return s.useCode(ctx, limits, func(tx *sql.Tx) (int64, error) {
		var id, patientID int64
		err := s.queryRow(ctx, tx, `SELECT c.id, c.patient_id FROM portal_codes c JOIN patients p ON p.id = c.patient_id
			WHERE c.code_hash = ? AND p.birth_date = ? AND c.used_at IS NULL AND c.expires_at > ? ORDER BY c.id DESC LIMIT 1`,
			codeHash, birthDate, now.UTC()).Scan(&id, &patientID)
		if errors.Is(err, sql.ErrNoRows) { // a wrong code or birth date: stays counted
			return 0, s.audited(ctx, tx, "portal_code_failed", "patient", "", 0, "letter code")
		}
		if err != nil {
			return 0, err
		}
		if _, err := s.exec(ctx, tx, `UPDATE portal_codes SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
			return 0, err
		}
		return patientID, s.codeUsed(ctx, tx, id, patientID, now, limits, "letter code")
	})
}

// useCode is the frame both ways of signing in with a code share: the
// attempt is counted under limits before check runs (a spent limit gives a
// *LockedError and checks nothing), and what check did is committed even
// when the code was wrong (the attempt stays counted). check returns the
// patient signed in, or 0 for a wrong code (ErrCodeInvalid).
func (s *Store) useCode(ctx context.Context, limits []Limit, check func(tx *sql.Tx) (int64, error)) (int64, error) {
	var patientID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.takeAttempt(ctx, tx, limits); err != nil {
			return err
		}
		var err error
		patientID, err = check(tx)
		return err
	})
	if err != nil {
		return 0, err
	}
	if patientID == 0 {
		return 0, ErrCodeInvalid
	}
	return patientID, nil
}

// codeUsed marks a right code used, gives its attempt back under limits and
// audits the sign-in.
func (s *Store) codeUsed(ctx context.Context, tx *sql.Tx, codeID, patientID int64, now time.Time, limits []Limit, note string) error {
	if _, err := s.exec(ctx, tx, `UPDATE portal_codes SET used_at = ? WHERE id = ?`, now.UTC(), codeID); err != nil {
		return err
	}
	if err := s.giveBack(ctx, tx, limits); err != nil {
		return err
	}
	return s.audited(ctx, tx, "portal_sign_in", "patient", strconv.FormatInt(patientID, 10), patientID, note)
}
