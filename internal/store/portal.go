package store

import (
	"context"
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

// UsePortalCode checks a code for one of the patients of an email address:
// the latest unused, unexpired code of a patient whose birth date matches.
// A wrong code counts an attempt (committed); five attempts spend the code.
func (s *Store) UsePortalCode(ctx context.Context, email, birthDate, codeHash string, now time.Time) (int64, error) {
	var patientID int64
	ok := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var hash string
		var attempts int
		err := s.queryRow(ctx, tx, `SELECT c.id, c.patient_id, c.code_hash, c.attempts FROM portal_codes c JOIN patients p ON p.id = c.patient_id
			WHERE LOWER(p.email) = ? AND p.birth_date = ? AND c.used_at IS NULL AND c.expires_at > ? ORDER BY c.id DESC LIMIT 1`,
			strings.ToLower(strings.TrimSpace(email)), birthDate, now.UTC()).Scan(&id, &patientID, &hash, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		if attempts >= 5 || hash != codeHash {
			if _, err := s.exec(ctx, tx, `UPDATE portal_codes SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
				return err
			}
			return s.audited(ctx, tx, "portal_code_failed", "patient", strconv.FormatInt(patientID, 10), patientID, "")
		}
		if _, err := s.exec(ctx, tx, `UPDATE portal_codes SET used_at = ? WHERE id = ?`, now.UTC(), id); err != nil {
			return err
		}
		ok = true
		return s.audited(ctx, tx, "portal_sign_in", "patient", strconv.FormatInt(patientID, 10), patientID, "")
	})
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrCodeInvalid
	}
	return patientID, nil
}
