package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
)

// HoldAppointmentFile keeps, until the end of the write unit it runs in,
// the rows a document of an appointment is made from from changing: the
// appointment, its referral, its patient and the referral's physician. A
// document checked against them in the unit is then committed before any
// change of them, never after one it did not see. On PostgreSQL each
// statement of a unit sees what was committed before it (READ COMMITTED):
// without the hold, a patient renamed between the unit's check and its
// commit slips through. The rows are held FOR SHARE (a change waits for
// the unit's end; readers do not). On SQLite the unit's BEGIN IMMEDIATE
// already keeps every other writer out: nothing to do.
func (s *Store) HoldAppointmentFile(ctx context.Context, appointmentID int64) error {
	if s.engine == SQLite {
		return nil
	}
	if u := s.unitOf(ctx); u == nil || u.readOnly {
		return errors.New("store: HoldAppointmentFile outside a write unit")
	}
	var patientID int64
	err := s.queryRow(ctx, s.db, `SELECT p.id FROM appointments a JOIN referrals r ON r.id = a.referral_id JOIN patients p ON p.id = a.patient_id
		WHERE a.id = ? FOR SHARE OF a, r, p`, appointmentID).Scan(&patientID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // gone: the caller's check says so
	}
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, s.db, `SELECT d.id FROM referring_physicians d JOIN referrals r ON r.physician_id = d.id
		JOIN appointments a ON a.referral_id = r.id WHERE a.id = ? FOR SHARE OF d`, appointmentID)
	if err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Kept with the unit's other entries, written in its one audit INSERT.
	return s.audited(ctx, s.db, "hold", "appointment", strconv.FormatInt(appointmentID, 10), patientID, "rows held until the commit")
}

// HoldPatient is HoldAppointmentFile for a document made from a patient's
// record alone (a printed letter): the patient's row, and the referral's
// when referralID is not 0.
func (s *Store) HoldPatient(ctx context.Context, patientID, referralID int64) error {
	if s.engine == SQLite {
		return nil
	}
	if u := s.unitOf(ctx); u == nil || u.readOnly {
		return errors.New("store: HoldPatient outside a write unit")
	}
	rows, err := s.query(ctx, s.db, `SELECT id FROM patients WHERE id = ? FOR SHARE`, patientID)
	if err == nil {
		err = rows.Close()
	}
	if err == nil && referralID != 0 {
		if rows, err = s.query(ctx, s.db, `SELECT id FROM referrals WHERE id = ? FOR SHARE`, referralID); err == nil {
			err = rows.Close()
		}
	}
	if err != nil {
		return err
	}
	return s.audited(ctx, s.db, "hold", "patient", strconv.FormatInt(patientID, 10), patientID, "rows held until the commit")
}

// LockPatient serialises the write units that add to a patient's record
// (two identical referral forms sent at once must see each other): on
// PostgreSQL the patient's row is taken FOR UPDATE until the commit; on
// SQLite write units already run one at a time.
func (s *Store) LockPatient(ctx context.Context, patientID int64) error {
	if s.engine == SQLite {
		return nil
	}
	if u := s.unitOf(ctx); u == nil || u.readOnly {
		return errors.New("store: LockPatient outside a write unit")
	}
	rows, err := s.query(ctx, s.db, `SELECT id FROM patients WHERE id = ? FOR UPDATE`, patientID)
	if err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return s.audited(ctx, s.db, "hold", "patient", strconv.FormatInt(patientID, 10), patientID, "row locked until the commit")
}
