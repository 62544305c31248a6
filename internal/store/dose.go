package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"repere/internal/audit"
)

// DoseReport is a radiation dose report as kept: its identifiers, the
// act it was attached to (0: none matched), and the report itself as JSON
// written and read by the application layer.
type DoseReport struct {
	SOPInstanceUID   string
	SOPClassUID      string
	AppointmentID    int64
	StudyInstanceUID string
	AccessionNumber  string
	CallingAE        string
	StationName      string
	TotalDLP         *float64
	MaxCTDIvol       *float64
	Report           []byte
	ReceivedAt       time.Time
	// AttachedBy and AttachReason: who attached by hand a report that
	// matched no act, and why (empty for a report attached on receipt).
	AttachedBy, AttachReason string
}

// Sources of an act's dose (appointments.dose_source).
const (
	DoseFromMPPS   = "mpps"
	DoseFromReport = "report"
	DoseTyped      = "typed"
)

// SaveDoseReport keeps a report and attaches it to the act of its
// accession number or study (the worklist's, or the one a performed step
// of the act gave). A report already received (same SOP Instance UID) is
// not stored again: duplicate is true and the act it was attached to is
// returned.
func (s *Store) SaveDoseReport(ctx context.Context, r DoseReport) (appointmentID int64, duplicate bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var existing sql.NullInt64
		err := s.queryRow(ctx, tx, `SELECT appointment_id FROM dose_reports WHERE sop_instance_uid = ?`, r.SOPInstanceUID).Scan(&existing)
		if err == nil {
			appointmentID, duplicate = existing.Int64, true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		apptID, patientID, err := s.actOfStudy(ctx, tx, r.AccessionNumber, r.StudyInstanceUID)
		if err != nil {
			return err
		}
		appointmentID = apptID
		// The same report sent twice at once: ON CONFLICT keeps the
		// transaction usable on PostgreSQL (a unique violation would abort
		// it), and the act the first copy went to is given back.
		res, err := s.exec(ctx, tx, `INSERT INTO dose_reports (sop_instance_uid, sop_class_uid, appointment_id, study_instance_uid, accession_number,
				calling_ae, station_name, total_dlp, max_ctdivol, report, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (sop_instance_uid) DO NOTHING`,
			r.SOPInstanceUID, r.SOPClassUID, nullID(apptID), r.StudyInstanceUID, r.AccessionNumber, r.CallingAE, r.StationName,
			nullFloat(r.TotalDLP), nullFloat(r.MaxCTDIvol), string(r.Report), s.now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			duplicate = true
			if err := s.queryRow(ctx, tx, `SELECT appointment_id FROM dose_reports WHERE sop_instance_uid = ?`, r.SOPInstanceUID).Scan(&existing); err != nil {
				return err
			}
			appointmentID = existing.Int64
			return nil
		}
		return s.audited(ctx, tx, "dose_report", "appointment", itoa64(apptID), patientID, r.SOPInstanceUID)
	})
	return appointmentID, duplicate, err
}

// actOfStudy finds the booked or done act of an accession number, then of
// a study UID (the worklist's, then a performed step's); 0 when none.
func (s *Store) actOfStudy(ctx context.Context, tx *sql.Tx, accession, studyUID string) (apptID, patientID int64, err error) {
	// audited by the caller
	queries := []struct{ query, value string }{
		{`SELECT id, patient_id FROM appointments WHERE accession_number = ? ORDER BY id DESC LIMIT 1`, accession},
		{`SELECT id, patient_id FROM appointments WHERE study_instance_uid = ? ORDER BY id DESC LIMIT 1`, studyUID},
		{`SELECT a.id, a.patient_id FROM performed_steps p JOIN appointments a ON a.id = p.appointment_id
			WHERE p.study_instance_uid = ? ORDER BY a.id DESC LIMIT 1`, studyUID},
	}
	for _, q := range queries {
		if q.value == "" {
			continue
		}
		err = s.queryRow(ctx, tx, q.query, q.value).Scan(&apptID, &patientID)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return apptID, patientID, err
		}
	}
	return 0, 0, nil
}

// ActDose is an act's dose as kept on it, with where it comes from and the
// reports attached to it, oldest first.
type ActDose struct {
	DLP, CTDIvol *float64
	Source       string // '' none, or one of the DoseFrom*/DoseTyped
	Reports      []DoseReport
}

// ActDoseOf reads an act's dose and its reports.
func (s *Store) ActDoseOf(ctx context.Context, appointmentID int64) (ActDose, error) {
	var d ActDose
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var dlp, ctdi sql.NullFloat64
		err := s.queryRow(ctx, tx, `SELECT patient_id, dose_dlp, dose_ctdivol, dose_source FROM appointments WHERE id = ?`, appointmentID).
			Scan(&patientID, &dlp, &ctdi, &d.Source)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		d.DLP, d.CTDIvol = floatPtr(dlp), floatPtr(ctdi)
		if d.Reports, err = s.doseReports(ctx, tx, appointmentID); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "act_dose", itoa64(appointmentID), patientID, "")
	})
	return d, err
}

func (s *Store) doseReports(ctx context.Context, tx *sql.Tx, appointmentID int64) ([]DoseReport, error) {
	// audited by the caller
	return s.scanDoseReports(s.query(ctx, tx, `SELECT `+doseReportColumns+` FROM dose_reports WHERE appointment_id = ? ORDER BY received_at, id`, appointmentID))
}

const doseReportColumns = `COALESCE(appointment_id, 0), sop_instance_uid, sop_class_uid, study_instance_uid, accession_number, calling_ae, station_name,
	total_dlp, max_ctdivol, report, received_at, attached_by, attach_reason`

func (s *Store) scanDoseReports(rows *sql.Rows, err error) ([]DoseReport, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DoseReport
	for rows.Next() {
		var r DoseReport
		var dlp, ctdi sql.NullFloat64
		var report string
		if err := rows.Scan(&r.AppointmentID, &r.SOPInstanceUID, &r.SOPClassUID, &r.StudyInstanceUID, &r.AccessionNumber, &r.CallingAE, &r.StationName,
			&dlp, &ctdi, &report, &r.ReceivedAt, &r.AttachedBy, &r.AttachReason); err != nil {
			return nil, err
		}
		r.TotalDLP, r.MaxCTDIvol, r.Report = floatPtr(dlp), floatPtr(ctdi), []byte(report)
		out = append(out, r)
	}
	return out, rows.Err()
}

// UnattachedDoseReports lists the dose reports that matched no act, the
// latest first (at most limit). They carry no identity the practice knows,
// only the scanner's; the read is audited as such.
func (s *Store) UnattachedDoseReports(ctx context.Context, limit int) ([]DoseReport, error) {
	var out []DoseReport
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.scanDoseReports(s.query(ctx, tx, `SELECT `+doseReportColumns+` FROM dose_reports WHERE appointment_id IS NULL
			ORDER BY received_at DESC, id DESC LIMIT ?`, limit))
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "dose_report_unattached", "", 0, itoa64(int64(len(out)))+" reports")
	})
	return out, err
}

// ErrAlreadyAttached: the dose report was attached to an act meanwhile.
var ErrAlreadyAttached = errors.New("store: the dose report is already attached to an act")

// AttachDoseReport attaches a report that matched no act to an act, with
// who did it and why. A report attached meanwhile gives ErrAlreadyAttached;
// an unknown report or act, ErrNotFound.
func (s *Store) AttachDoseReport(ctx context.Context, sopInstanceUID string, appointmentID int64, reason string) error {
	actor, _ := audit.ActorFrom(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE dose_reports SET appointment_id = ?, attached_by = ?, attach_reason = ?
			WHERE sop_instance_uid = ? AND appointment_id IS NULL`, appointmentID, actor.Login, reason, sopInstanceUID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var attached sql.NullInt64
			err := s.queryRow(ctx, tx, `SELECT appointment_id FROM dose_reports WHERE sop_instance_uid = ?`, sopInstanceUID).Scan(&attached)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return ErrAlreadyAttached
		}
		return s.audited(ctx, tx, "dose_report_attach", "appointment", itoa64(appointmentID), patientID, sopInstanceUID+" "+reason)
	})
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

// SetActDose records an act's dose and where it comes from, with why when
// the team changed it. What arrives from the scanner does not replace what
// ranks above it: a dose typed by the team is replaced only by the team, a
// report's by a later report's or the team's (the MPPS replaces neither:
// see PerformedSteps.mirror). byTeam is a save of the act record, which
// sets the dose whatever its source was.
func (s *Store) SetActDose(ctx context.Context, appointmentID int64, dlp, ctdiVol *float64, source, why string, byTeam bool) error {
	allowed := map[string]string{
		DoseTyped:      `1 = 1`,
		DoseFromReport: `dose_source <> 'typed'`,
		DoseFromMPPS:   `dose_source IN ('', 'mpps')`,
	}[source]
	if byTeam {
		allowed = `1 = 1`
	}
	if allowed == "" {
		return errors.New("store: unknown dose source " + source)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE appointments SET dose_dlp = ?, dose_ctdivol = ?, dose_source = ?, updated_at = ? WHERE id = ? AND `+allowed,
			nullFloat(dlp), nullFloat(ctdiVol), source, s.now(), appointmentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audited(ctx, tx, "dose_set", "appointment", itoa64(appointmentID), patientID, source+" "+doseText(dlp)+" "+doseText(ctdiVol)+" "+why)
	})
}

func doseText(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
