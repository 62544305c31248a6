package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/followup"
	"repere/internal/report"
)

// patientOfAppointment reads an appointment's patient inside a transaction.
func (s *Store) patientOfAppointment(ctx context.Context, tx *sql.Tx, id int64) (int64, error) {
	// audited by the caller
	var patientID int64
	err := s.queryRow(ctx, tx, `SELECT patient_id FROM appointments WHERE id = ?`, id).Scan(&patientID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return patientID, err
}

// ActRecord is an appointment's act record as JSON, versioned.
type ActRecord struct {
	Record    []byte
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
}

// ActRecordOf returns an appointment's act record, or ErrNotFound before the first save.
func (s *Store) ActRecordOf(ctx context.Context, appointmentID int64) (ActRecord, error) {
	var r ActRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		var rec string
		err = s.queryRow(ctx, tx, `SELECT record, version, updated_at, updated_by FROM act_records WHERE appointment_id = ?`, appointmentID).
			Scan(&rec, &r.Version, &r.UpdatedAt, &r.UpdatedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		r.Record = []byte(rec)
		return s.audited(ctx, tx, "read", "act_record", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return r, err
}

// SaveActRecord stores the record if it is still at expectVersion (0 first).
func (s *Store) SaveActRecord(ctx context.Context, appointmentID int64, record []byte, expectVersion int) (int, error) {
	version := expectVersion + 1
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if expectVersion == 0 {
			_, err = s.exec(ctx, tx, `INSERT INTO act_records (appointment_id, record, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)`,
				appointmentID, string(record), s.now(), actor.Login)
			if isUniqueViolation(err) {
				return ErrStale
			}
		} else {
			var res sql.Result
			res, err = s.exec(ctx, tx, `UPDATE act_records SET record = ?, version = ?, updated_at = ?, updated_by = ? WHERE appointment_id = ? AND version = ?`,
				string(record), version, s.now(), actor.Login, appointmentID, expectVersion)
			if err == nil {
				if n, _ := res.RowsAffected(); n != 1 {
					return ErrStale
				}
			}
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "update", "act_record", strconv.FormatInt(appointmentID, 10), patientID, "version="+strconv.Itoa(version))
	})
	return version, err
}

// ReportDraft is the report being written.
type ReportDraft struct {
	Title, Body string
	UpdatedAt   time.Time
	UpdatedBy   string
}

// DraftOf returns the draft of an appointment's report, or ErrNotFound.
func (s *Store) DraftOf(ctx context.Context, appointmentID int64) (ReportDraft, error) {
	var d ReportDraft
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		err = s.queryRow(ctx, tx, `SELECT title, body, updated_at, updated_by FROM report_drafts WHERE appointment_id = ?`, appointmentID).
			Scan(&d.Title, &d.Body, &d.UpdatedAt, &d.UpdatedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "report_draft", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return d, err
}

// SaveDraft stores the report being written.
func (s *Store) SaveDraft(ctx context.Context, appointmentID int64, title, body string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `DELETE FROM report_drafts WHERE appointment_id = ?`, appointmentID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO report_drafts (appointment_id, title, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)`,
			appointmentID, title, body, s.now(), actor.Login); err != nil {
			return err
		}
		return s.audited(ctx, tx, "update", "report_draft", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
}

// SaveSignedReport freezes a version: its number follows the last one, and
// its PDF's SHA-256 is checked and stored. The draft is removed.
func (s *Store) SaveSignedReport(ctx context.Context, r report.Signed) (report.Signed, error) {
	sum := sha256.Sum256(r.PDF)
	if hex.EncodeToString(sum[:]) != r.SHA256 {
		return r, ErrHashMismatch
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, r.AppointmentID)
		if err != nil {
			return err
		}
		var last int
		if err := s.queryRow(ctx, tx, `SELECT COALESCE(MAX(number), 0) FROM reports WHERE appointment_id = ?`, r.AppointmentID).Scan(&last); err != nil {
			return err
		}
		if r.Number != last+1 || (last > 0 && (r.Amends != last || r.Reason == "")) {
			return ErrStale
		}
		r.PatientID = patientID
		r.ID, err = s.insert(ctx, tx, `INSERT INTO reports (appointment_id, patient_id, number, title, body, amends, reason, signed_by, signed_at, sha256, pdf)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.AppointmentID, patientID, r.Number, r.Title, r.Body, r.Amends, r.Reason, r.SignedBy,
			r.SignedAt.UTC(), r.SHA256, r.PDF)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM report_drafts WHERE appointment_id = ?`, r.AppointmentID); err != nil {
			return err
		}
		return s.audited(ctx, tx, "sign", "report", strconv.FormatInt(r.ID, 10), patientID, "version "+strconv.Itoa(r.Number)+" sha256="+r.SHA256)
	})
	return r, err
}

// ReportsOf lists an appointment's signed versions, oldest first, without PDFs.
func (s *Store) ReportsOf(ctx context.Context, appointmentID int64) ([]report.Signed, error) {
	var out []report.Signed
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		if out, err = s.reportRows(ctx, tx, "appointment_id", appointmentID); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "report", "appointment="+strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return out, err
}

// AppointmentsWithReport tells which of the appointments have at least
// one signed report, in one query (the radiologist's list of reports to
// sign reads a month of done acts).
func (s *Store) AppointmentsWithReport(ctx context.Context, appointmentIDs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(appointmentIDs))
	if len(appointmentIDs) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(appointmentIDs)), ",")
	args := make([]any, len(appointmentIDs))
	ids := make([]string, len(appointmentIDs))
	for i, id := range appointmentIDs {
		args[i], ids[i] = id, strconv.FormatInt(id, 10)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT DISTINCT appointment_id FROM reports WHERE appointment_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "report", "", 0, "appointments="+strings.Join(ids, ","))
	})
	return out, err
}

// reportRows reads the signed versions whose column equals id, without PDFs.
func (s *Store) reportRows(ctx context.Context, tx *sql.Tx, column string, id int64) ([]report.Signed, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT id, appointment_id, patient_id, number, amends, title, body, reason, signed_by, signed_at, sha256
		FROM reports WHERE `+column+` = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Signed
	for rows.Next() {
		var r report.Signed
		if err := rows.Scan(&r.ID, &r.AppointmentID, &r.PatientID, &r.Number, &r.Amends, &r.Title, &r.Body, &r.Reason, &r.SignedBy, &r.SignedAt, &r.SHA256); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportPDF returns one signed version with its PDF.
func (s *Store) ReportPDF(ctx context.Context, id int64) (report.Signed, error) {
	var r report.Signed
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.queryRow(ctx, tx, `SELECT id, appointment_id, patient_id, number, amends, title, body, reason, signed_by, signed_at, sha256, pdf
			FROM reports WHERE id = ?`, id).Scan(&r.ID, &r.AppointmentID, &r.PatientID, &r.Number, &r.Amends, &r.Title, &r.Body, &r.Reason,
			&r.SignedBy, &r.SignedAt, &r.SHA256, &r.PDF)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "report", strconv.FormatInt(id, 10), r.PatientID, "")
	})
	return r, err
}

// AddPainScore records a pain score (0-10) for a day after the act (0: before).
func (s *Store) AddPainScore(ctx context.Context, appointmentID int64, day, value int) error {
	if day < 0 || day > 365 || value < 0 || value > 10 {
		return errors.New("store: a pain score is 0 to 10, on a day 0 to 365")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `INSERT INTO followup_scores (appointment_id, day, value, at, actor_login) VALUES (?, ?, ?, ?, ?)`,
			appointmentID, day, value, s.now(), actor.Login); err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "pain_score", strconv.FormatInt(appointmentID, 10), patientID, "day "+strconv.Itoa(day))
	})
}

// PainScores lists an appointment's pain scores, oldest first.
func (s *Store) PainScores(ctx context.Context, appointmentID int64) ([]followup.Score, error) {
	var out []followup.Score
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT day, value, at, actor_login FROM followup_scores WHERE appointment_id = ? ORDER BY day, id`, appointmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p followup.Score
			if err := rows.Scan(&p.Day, &p.Value, &p.At, &p.By); err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "pain_score", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return out, err
}

// ReportsOfPatient lists a patient's signed report versions, oldest first, without PDFs.
func (s *Store) ReportsOfPatient(ctx context.Context, patientID int64) ([]report.Signed, error) {
	var out []report.Signed
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = s.reportRows(ctx, tx, "patient_id", patientID); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "report", "patient="+strconv.FormatInt(patientID, 10), patientID, "")
	})
	return out, err
}
