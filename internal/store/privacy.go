package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"repere/internal/privacy"
)

// PatientRecordSize counts what decides whether a patient may be erased.
func (s *Store) PatientRecordSize(ctx context.Context, id int64) (privacy.Record, error) {
	var rec privacy.Record
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM appointments WHERE patient_id = ? AND status = 'done'`, id).Scan(&rec.ActsPerformed); err != nil {
			return err
		}
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM consents WHERE patient_id = ?`, id).Scan(&rec.ConsentsSigned); err != nil {
			return err
		}
		return s.audited(ctx, tx, "count", "patient", strconv.FormatInt(id, 10), id, "")
	})
	return rec, err
}

// AnonymisePatient erases a patient's identity and the answers and emails
// about them, when the retention rules allow it, and cancels what is still
// booked. The rows stay (referrals, appointments, the audit log), so the
// practice's figures and the audit trail remain whole, but name nobody.
func (s *Store) AnonymisePatient(ctx context.Context, id int64, rules privacy.Rules, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: an erasure needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var rec privacy.Record
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM appointments WHERE patient_id = ? AND status = 'done'`, id).Scan(&rec.ActsPerformed); err != nil {
			return err
		}
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM consents WHERE patient_id = ?`, id).Scan(&rec.ConsentsSigned); err != nil {
			return err
		}
		if _, err := rules.CanErase(rec); err != nil {
			return err
		}
		label := "ANONYME-" + strconv.FormatInt(id, 10)
		res, err := s.exec(ctx, tx, `UPDATE patients SET birth_name = ?, used_name = '', first_names = '', birth_date = '1900-01-01', sex = 'U', ins = '',
				phone = '', email = '', address = '', birth_name_key = ?, used_name_key = '', first_names_key = '', phone_key = '' WHERE id = ?`,
			label, strings.ToLower(label), id)
		if err := expectOne(res, err); err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE appointments SET status = 'cancelled', cancel_reason = 'erasure' WHERE patient_id = ? AND status = 'booked'`,
			`UPDATE resource_busy SET active = false WHERE appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)`,
			`UPDATE referrals SET indication = '', prior_imaging = '', levels = '', status = 'cancelled' WHERE patient_id = ?`,
			`DELETE FROM screenings WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`,
			`DELETE FROM screening_links WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`,
			`DELETE FROM waiting_list WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`,
			`UPDATE screening_decisions SET reason = '' WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`,
			`UPDATE referral_events SET reason = '' WHERE referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)`,
			`UPDATE appointment_events SET detail = '' WHERE appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)`,
			`UPDATE outbox SET to_addr = '', subject = '', body_text = '', body_html = '', attachments = NULL,
				status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END WHERE patient_id = ?`,
		} {
			if _, err := s.exec(ctx, tx, q, id); err != nil {
				return err
			}
		}
		return s.audited(ctx, tx, "anonymise", "patient", strconv.FormatInt(id, 10), id, reason)
	})
}
