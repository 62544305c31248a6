package store

import (
	"context"
	"database/sql"
	"time"

	"repere/internal/audit"
)

// DoseLevel is a dose level of the practice for an act type (practice
// data, append-only: the latest of an act, kind and quantity applies).
type DoseLevel struct {
	ActID     string
	Kind      string // local_reference, national_reference, alert
	Quantity  string // dlp, ctdivol
	Value     *float64
	Source    string
	CreatedBy string
	CreatedAt time.Time
}

// DoseLevels lists every dose level ever set, oldest first.
func (s *Store) DoseLevels(ctx context.Context) ([]DoseLevel, error) {
	rows, err := s.query(ctx, s.db, `SELECT act_id, kind, quantity, value, source, created_by, created_at FROM dose_levels ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DoseLevel
	for rows.Next() {
		var l DoseLevel
		var v sql.NullFloat64
		if err := rows.Scan(&l.ActID, &l.Kind, &l.Quantity, &v, &l.Source, &l.CreatedBy, &l.CreatedAt); err != nil {
			return nil, err
		}
		l.Value = floatPtr(v)
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddDoseLevel records a new dose level (nil value: none any more).
func (s *Store) AddDoseLevel(ctx context.Context, l DoseLevel) error {
	actor, _ := audit.ActorFrom(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO dose_levels (act_id, kind, quantity, value, source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			l.ActID, l.Kind, l.Quantity, nullFloat(l.Value), l.Source, actor.Login, s.now()); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "dose_level", "act", l.ActID, 0, l.Kind+" "+l.Quantity+" "+doseText(l.Value)+" "+l.Source)
	})
}

// DosedAct is a done act with a dose, for the dose review.
type DosedAct struct {
	AppointmentID, PatientID int64
	ActID                    string
	RoomID, RadiologistID    int64
	Start                    time.Time
	DLP, CTDIvol             *float64
	Source                   string
	BirthDate, Sex           string
	// Review is why the dose was above the alert level, once reviewed.
	Review, ReviewedBy string
	ReviewedAt         time.Time
}

// DosedActs lists the done acts started in [from, to) that have a dose,
// by start, with the review of those above an alert level (no patient
// identity: the review compares groups). The closed months wholly inside
// the period come from their snapshots (summary.go), the rest from the
// covering index appointments_dose_review. The read is audited once.
func (s *Store) DosedActs(ctx context.Context, from, to time.Time) ([]DosedAct, error) {
	var out []DosedAct
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		reviews, err := s.doseReviews(ctx, tx, from, to)
		if err != nil {
			return err
		}
		pieces, err := s.summaryPieces(ctx, tx, summaryDosed, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		out = make([]DosedAct, 0, capacityFor(pieces))
		for _, p := range pieces {
			if p.blob != nil {
				out, err = decodeDosed(p.blob, out)
			} else {
				out, err = s.dosedActsLive(ctx, tx, p.from, p.to, out)
			}
			if err != nil {
				return err
			}
		}
		for i, d := range out {
			if r, ok := reviews[d.AppointmentID]; ok {
				out[i].Review, out[i].ReviewedBy, out[i].ReviewedAt = r.Review, r.ReviewedBy, r.ReviewedAt
			}
		}
		return s.audited(ctx, tx, "read", "dose_review", "", 0, from.Format(time.DateOnly)+" "+to.Format(time.DateOnly)+" "+itoa64(int64(len(out)))+" acts")
	})
	return out, err
}

// dosedActsLive appends the dosed acts of [from, to) to out, by start
// (without their review).
func (s *Store) dosedActsLive(ctx context.Context, tx *sql.Tx, from, to time.Time, out []DosedAct) ([]DosedAct, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT id, act_id, room_id, radiologist_id, starts_at, dose_dlp, dose_ctdivol FROM appointments
		WHERE starts_at >= ? AND starts_at < ? AND status = 'done' AND (dose_dlp IS NOT NULL OR dose_ctdivol IS NOT NULL)
		ORDER BY starts_at, id`, from, to)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var d DosedAct
		var dlp, ctdi sql.NullFloat64
		if err := rows.Scan(&d.AppointmentID, &d.ActID, &d.RoomID, &d.RadiologistID, &d.Start, &dlp, &ctdi); err != nil {
			return out, err
		}
		d.DLP, d.CTDIvol = floatPtr(dlp), floatPtr(ctdi)
		out = append(out, d)
	}
	return out, rows.Err()
}

// doseReviews reads the reviews of the high doses of the acts started in
// [from, to) (a few per month).
func (s *Store) doseReviews(ctx context.Context, tx *sql.Tx, from, to time.Time) (map[int64]DosedAct, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT r.appointment_id, r.reason, r.reviewed_by, r.reviewed_at FROM dose_alert_reviews r
		JOIN appointments a ON a.id = r.appointment_id WHERE a.starts_at >= ? AND a.starts_at < ?`, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]DosedAct{}
	for rows.Next() {
		var d DosedAct
		if err := rows.Scan(&d.AppointmentID, &d.Review, &d.ReviewedBy, &d.ReviewedAt); err != nil {
			return nil, err
		}
		out[d.AppointmentID] = d
	}
	return out, rows.Err()
}

// ReviewDoseAlert records why an act's dose was above its alert level.
func (s *Store) ReviewDoseAlert(ctx context.Context, appointmentID int64, reason string) error {
	actor, _ := audit.ActorFrom(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM dose_alert_reviews WHERE appointment_id = ?`, appointmentID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO dose_alert_reviews (appointment_id, reason, reviewed_by, reviewed_at) VALUES (?, ?, ?, ?)`,
			appointmentID, reason, actor.Login, s.now()); err != nil {
			return err
		}
		return s.audited(ctx, tx, "dose_alert_review", "appointment", itoa64(appointmentID), patientID, reason)
	})
}

// DoseExportRow is a dosed act with what the annual export adds: the
// scanner's station, the latest dose report (JSON, for its protocols) and
// the screening answers (JSON, for the weight), read by the application.
type DoseExportRow struct {
	DosedAct
	Station string
	Report  []byte
	Answers []byte
}

// DoseExportRows lists the dosed acts of [from, to) for the annual export
// (audited once, as an export).
func (s *Store) DoseExportRows(ctx context.Context, from, to time.Time) ([]DoseExportRow, error) {
	var out []DoseExportRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT a.id, a.patient_id, a.act_id, a.room_id, a.radiologist_id, a.starts_at, a.dose_dlp, a.dose_ctdivol,
				a.dose_source, p.birth_date, p.sex,
				COALESCE((SELECT d.station_name FROM dose_reports d WHERE d.appointment_id = a.id ORDER BY d.id DESC LIMIT 1), ''),
				COALESCE((SELECT d.report FROM dose_reports d WHERE d.appointment_id = a.id ORDER BY d.id DESC LIMIT 1), ''),
				COALESCE(sc.answers, '')
			FROM appointments a JOIN patients p ON p.id = a.patient_id LEFT JOIN screenings sc ON sc.referral_id = a.referral_id
			WHERE a.status = 'done' AND a.starts_at >= ? AND a.starts_at < ? AND (a.dose_dlp IS NOT NULL OR a.dose_ctdivol IS NOT NULL)
			ORDER BY a.starts_at, a.id`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d DoseExportRow
			var dlp, ctdi sql.NullFloat64
			var report, answers string
			if err := rows.Scan(&d.AppointmentID, &d.PatientID, &d.ActID, &d.RoomID, &d.RadiologistID, &d.Start, &dlp, &ctdi,
				&d.Source, &d.BirthDate, &d.Sex, &d.Station, &report, &answers); err != nil {
				return err
			}
			d.DLP, d.CTDIvol, d.Report, d.Answers = floatPtr(dlp), floatPtr(ctdi), []byte(report), []byte(answers)
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "export", "dose_review", "", 0, from.Format(time.DateOnly)+" "+to.Format(time.DateOnly)+" "+itoa64(int64(len(out)))+" acts")
	})
	return out, err
}
