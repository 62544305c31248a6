package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"repere/internal/booking"
	"repere/internal/referral"
)

// PerformedSteps keeps the scanner's performed procedure steps: each step as
// received, its status, times and dose mirrored on the appointment it
// performed. What the step does to the day of the act (the patient in the
// room, then in monitoring) is the application layer's decision.
type PerformedSteps struct{ s *Store }

// PerformedSteps returns the MPPS step store.
func (s *Store) PerformedSteps() PerformedSteps { return PerformedSteps{s} }

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()} }

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

// CreateStep records an IN PROGRESS step and returns the appointment it
// performed (0 when none matches: the step is kept for staff to link).
func (p PerformedSteps) CreateStep(ctx context.Context, st booking.PerformedStep) (int64, error) {
	s := p.s
	var appointmentID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM performed_steps WHERE sop_instance_uid = ?`, st.SOPInstanceUID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return booking.ErrDuplicateStep
		}
		apptID, patientID, err := p.appointmentOf(ctx, tx, st)
		if err != nil {
			return err
		}
		appointmentID = apptID
		now := s.now()
		_, err = s.exec(ctx, tx, `INSERT INTO performed_steps (sop_instance_uid, appointment_id, status, calling_ae, station_ae, dicom_patient_id,
				accession_number, study_instance_uid, scheduled_step_id, requested_procedure_id, started_at, ended_at, dlp, ctdivol,
				discontinuation_reason, created_at, updated_at, dicom_patient_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.SOPInstanceUID, nullID(apptID), st.Status, st.CallingAE, st.StationAE, st.PatientID, st.AccessionNumber, st.StudyInstanceUID,
			st.ScheduledStepID, st.RequestedProcedureID, nullTime(st.Start), nullTime(st.End), nullFloat(st.DLP), nullFloat(st.CTDIvol),
			st.DiscontinuationReason, now, now, st.PatientName)
		if isUniqueViolation(err) {
			return booking.ErrDuplicateStep
		}
		if err != nil {
			return err
		}
		if err := p.mirror(ctx, tx, apptID, st); err != nil {
			return err
		}
		return s.audited(ctx, tx, "mpps_create", "appointment", itoa64(apptID), patientID, st.SOPInstanceUID+" "+st.Status)
	})
	return appointmentID, err
}

// appointmentOf finds the booked or done appointment a step performed, by
// accession number, then study UID; 0 when none matches (the step is kept
// all the same, for the radiographer to link).
func (p PerformedSteps) appointmentOf(ctx context.Context, tx *sql.Tx, st booking.PerformedStep) (apptID, patientID int64, err error) {
	// audited by the caller
	s := p.s
	for _, key := range []struct{ column, value string }{{"accession_number", st.AccessionNumber}, {"study_instance_uid", st.StudyInstanceUID}} {
		if key.value == "" {
			continue
		}
		err = s.queryRow(ctx, tx, `SELECT id, patient_id FROM appointments WHERE `+key.column+` = ? ORDER BY id DESC LIMIT 1`, key.value).Scan(&apptID, &patientID)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return apptID, patientID, err
		}
	}
	return 0, 0, nil
}

// UpdateStep applies an N-SET under the row's lock (SQLite's write
// transaction, PostgreSQL's FOR UPDATE) and returns the appointment the
// step performed (0: none) and the step as saved.
func (p PerformedSteps) UpdateStep(ctx context.Context, uid string, apply func(cur *booking.PerformedStep) error) (int64, booking.PerformedStep, error) {
	s := p.s
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE"
	}
	var st booking.PerformedStep
	var appt sql.NullInt64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var start, end sql.NullTime
		var dlp, ctdi sql.NullFloat64
		err := s.queryRow(ctx, tx, `SELECT sop_instance_uid, appointment_id, status, calling_ae, station_ae, dicom_patient_id, accession_number,
				study_instance_uid, scheduled_step_id, requested_procedure_id, started_at, ended_at, dlp, ctdivol, discontinuation_reason
			FROM performed_steps WHERE sop_instance_uid = ?`+lock, uid).
			Scan(&st.SOPInstanceUID, &appt, &st.Status, &st.CallingAE, &st.StationAE, &st.PatientID, &st.AccessionNumber, &st.StudyInstanceUID,
				&st.ScheduledStepID, &st.RequestedProcedureID, &start, &end, &dlp, &ctdi, &st.DiscontinuationReason)
		if errors.Is(err, sql.ErrNoRows) {
			return booking.ErrNoSuchStep
		}
		if err != nil {
			return err
		}
		st.Start, st.End = start.Time, end.Time
		if dlp.Valid {
			st.DLP = &dlp.Float64
		}
		if ctdi.Valid {
			st.CTDIvol = &ctdi.Float64
		}
		if err := apply(&st); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE performed_steps SET status = ?, ended_at = ?, dlp = ?, ctdivol = ?, discontinuation_reason = ?, updated_at = ?
			WHERE sop_instance_uid = ?`, st.Status, nullTime(st.End), nullFloat(st.DLP), nullFloat(st.CTDIvol), st.DiscontinuationReason, s.now(), uid); err != nil {
			return err
		}
		if err := p.mirror(ctx, tx, appt.Int64, st); err != nil {
			return err
		}
		var patientID int64
		if appt.Valid {
			if err := s.queryRow(ctx, tx, `SELECT patient_id FROM appointments WHERE id = ?`, appt.Int64).Scan(&patientID); err != nil {
				return err
			}
		}
		return s.audited(ctx, tx, "mpps_set", "appointment", itoa64(appt.Int64), patientID, uid+" "+st.Status)
	})
	return appt.Int64, st, err
}

// mirror copies a step's status, times and dose onto its appointment.
func (p PerformedSteps) mirror(ctx context.Context, tx *sql.Tx, apptID int64, st booking.PerformedStep) error {
	// audited by the caller
	if apptID == 0 {
		return nil
	}
	s := p.s
	_, err := s.exec(ctx, tx, `UPDATE appointments SET performed_status = ?, performed_start = ?, performed_end = ?, updated_at = ?
		WHERE id = ?`, st.Status, nullTime(st.Start), nullTime(st.End), s.now(), apptID)
	if err != nil || (st.DLP == nil && st.CTDIvol == nil) {
		return err
	}
	// The MPPS dose stands until a dose report or the team gives one.
	_, err = s.exec(ctx, tx, `UPDATE appointments SET dose_dlp = ?, dose_ctdivol = ?, dose_source = ? WHERE id = ? AND dose_source IN ('', 'mpps')`,
		nullFloat(st.DLP), nullFloat(st.CTDIvol), DoseFromMPPS, apptID)
	return err
}

// MarkPerformed makes a booked appointment, and its referral, done: the
// scanner completed the act, which leaves the worklist.
func (s *Store) MarkPerformed(ctx context.Context, appointmentID int64, stepUID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var referralID, patientID int64
		err := s.queryRow(ctx, tx, `SELECT status, referral_id, patient_id FROM appointments WHERE id = ?`, appointmentID).Scan(&status, &referralID, &patientID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || status != string(booking.Booked) {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?`, string(booking.Done), s.now(), appointmentID); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, appointmentID, "performed", stepUID); err != nil {
			return err
		}
		if err := s.moveReferral(ctx, tx, referralID, referral.Booked, referral.Done, ""); err != nil {
			return err
		}
		return s.audited(ctx, tx, "performed", "appointment", itoa64(appointmentID), patientID, stepUID)
	})
}

// SetScannerFlag records on an appointment what the scanner did that the
// day's steps did not allow (e.g. started with the checklist open), for the
// board to show; "" clears it.
func (s *Store) SetScannerFlag(ctx context.Context, appointmentID int64, flag string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET scanner_flag = ?, updated_at = ? WHERE id = ?`, flag, s.now(), appointmentID); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, appointmentID, "scanner_flag", flag); err != nil {
			return err
		}
		return s.audited(ctx, tx, "scanner_flag", "appointment", itoa64(appointmentID), patientID, flag)
	})
}

func itoa64(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// PerformedFor returns the latest performed step the scanner sent for an
// appointment, or ErrNotFound.
func (s *Store) PerformedFor(ctx context.Context, appointmentID int64) (booking.PerformedStep, error) {
	var st booking.PerformedStep
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		var start, end sql.NullTime
		var dlp, ctdi sql.NullFloat64
		err = s.queryRow(ctx, tx, `SELECT sop_instance_uid, status, study_instance_uid, started_at, ended_at, dlp, ctdivol FROM performed_steps
			WHERE appointment_id = ? ORDER BY created_at DESC LIMIT 1`, appointmentID).Scan(&st.SOPInstanceUID, &st.Status, &st.StudyInstanceUID, &start, &end, &dlp, &ctdi)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		st.Start, st.End = start.Time, end.Time
		if dlp.Valid {
			st.DLP = &dlp.Float64
		}
		if ctdi.Valid {
			st.CTDIvol = &ctdi.Float64
		}
		return s.audited(ctx, tx, "read", "performed_step", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return st, err
}

// UnscheduledSteps lists the performed steps of [from, to) that match no
// appointment, for the team to reconcile, oldest first.
func (s *Store) UnscheduledSteps(ctx context.Context, from, to time.Time) ([]booking.PerformedStep, error) {
	var out []booking.PerformedStep
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT sop_instance_uid, status, calling_ae, station_ae, dicom_patient_id, dicom_patient_name, accession_number,
				study_instance_uid, started_at FROM performed_steps WHERE appointment_id IS NULL AND started_at >= ? AND started_at < ? ORDER BY started_at, sop_instance_uid`,
			from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st booking.PerformedStep
			var start sql.NullTime
			if err := rows.Scan(&st.SOPInstanceUID, &st.Status, &st.CallingAE, &st.StationAE, &st.PatientID, &st.PatientName, &st.AccessionNumber,
				&st.StudyInstanceUID, &start); err != nil {
				return err
			}
			st.Start = start.Time
			out = append(out, st)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "performed_step", "unscheduled", 0, strconv.Itoa(len(out))+" steps")
	})
	return out, err
}

// LinkStep attaches an unscheduled performed step to the appointment it
// performed and mirrors it there; ErrNotFound when the step is unknown or
// already linked.
func (s *Store) LinkStep(ctx context.Context, uid string, appointmentID int64) (booking.PerformedStep, error) {
	var st booking.PerformedStep
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		var start, end sql.NullTime
		var dlp, ctdi sql.NullFloat64
		err = s.queryRow(ctx, tx, `SELECT sop_instance_uid, status, started_at, ended_at, dlp, ctdivol FROM performed_steps
			WHERE sop_instance_uid = ? AND appointment_id IS NULL`, uid).Scan(&st.SOPInstanceUID, &st.Status, &start, &end, &dlp, &ctdi)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		st.Start, st.End, st.AppointmentID = start.Time, end.Time, appointmentID
		if dlp.Valid {
			st.DLP = &dlp.Float64
		}
		if ctdi.Valid {
			st.CTDIvol = &ctdi.Float64
		}
		if _, err := s.exec(ctx, tx, `UPDATE performed_steps SET appointment_id = ?, updated_at = ? WHERE sop_instance_uid = ?`, appointmentID, s.now(), uid); err != nil {
			return err
		}
		if err := (PerformedSteps{s}).mirror(ctx, tx, appointmentID, st); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, appointmentID, "step_linked", uid); err != nil {
			return err
		}
		return s.audited(ctx, tx, "link", "performed_step", itoa64(appointmentID), patientID, uid)
	})
	return st, err
}
