package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/patient"
)

// WorklistRow is what the DICOM worklist needs of one booked appointment.
// Only the fields a console is sent, and its screening read, are filled:
// of the appointment its ids (appointment, referral, patient, room,
// radiologist), act and variant, status, start, room end, study instance
// UID, accession number and performed status; of the patient its id, birth
// name, first names, birth date and sex. A console queries hundreds of
// them at once, and every column read costs.
type WorklistRow struct {
	Appointment     booking.Appointment
	Patient         patient.Patient
	StationAETitle  string
	RoomName        string
	RadiologistName string
	PhysicianName   string
	Levels, Side    string
}

// WorklistRows returns the booked appointments starting in [from, to), of one
// station when station is not empty, for the scanner's worklist query.
func (s *Store) WorklistRows(ctx context.Context, from, to time.Time, station string) ([]WorklistRow, error) {
	where, args := []string{"a.status = ?"}, []any{string(booking.Booked)}
	if !from.IsZero() {
		where, args = append(where, "a.starts_at >= ?"), append(args, from.UTC())
	}
	if !to.IsZero() {
		where, args = append(where, "a.starts_at < ?"), append(args, to.UTC())
	}
	if station != "" {
		// By the station's room ids, so that both planners read the
		// room's booked acts from appointments_room_status_start rather
		// than every room's acts in start order (SQLite, without
		// statistics, chose the latter).
		where, args = append(where, "a.room_id IN (SELECT id FROM rooms WHERE station_ae_title = ?)"), append(args, station)
	}
	var out []WorklistRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT a.id, a.referral_id, a.patient_id, a.act_id, a.variant_id, a.status, a.room_id, a.radiologist_id,
				a.starts_at, a.room_ends_at, a.study_instance_uid, a.accession_number, a.performed_status,
				p.birth_name, p.first_names, p.birth_date, p.sex,
				r.station_ae_title, r.name, u.display_name, COALESCE(d.name, ''), rf.levels, rf.side
			FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN rooms r ON r.id = a.room_id
			JOIN users u ON u.id = a.radiologist_id JOIN referrals rf ON rf.id = a.referral_id
			LEFT JOIN referring_physicians d ON d.id = rf.physician_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY a.starts_at, a.id LIMIT 5000`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := make([]string, 0, 16)
		for rows.Next() {
			var w WorklistRow
			a, p := &w.Appointment, &w.Patient
			var status string
			if err := rows.Scan(&a.ID, &a.ReferralID, &a.PatientID, &a.ActID, &a.VariantID, &status, &a.RoomID, &a.RadiologistID,
				&a.Start, &a.RoomEnd, &a.StudyInstanceUID, &a.AccessionNumber, &a.PerformedStatus,
				&p.BirthName, &p.FirstNames, &p.BirthDate, &p.Sex,
				&w.StationAETitle, &w.RoomName, &w.RadiologistName, &w.PhysicianName, &w.Levels, &w.Side); err != nil {
				return err
			}
			a.Status, p.ID = booking.Status(status), a.PatientID
			out = append(out, w)
			ids = append(ids, strconv.FormatInt(a.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "worklist", station, 0, "appointments="+strings.Join(ids, ","))
	})
	return out, err
}
