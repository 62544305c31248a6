package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/patient"
)

const appointmentColumns = `a.id, a.referral_id, a.patient_id, a.act_id, a.variant_id, a.status, a.room_id, a.radiologist_id, COALESCE(a.place_id, 0),
	a.starts_at, a.room_ends_at, a.place_ends_at, a.room_minutes, a.monitoring_minutes, a.study_instance_uid, a.accession_number, a.cancel_reason,
	COALESCE(a.anaesthesia_id, 0), a.turnover_minutes, a.performed_status,
	a.day_status, a.arrived_at, a.in_room_at, a.monitoring_from, a.discharged_at, a.identity_checked_by, a.scanner_flag`

func scanAppointment(row interface{ Scan(...any) error }, extra ...any) (booking.Appointment, error) {
	var a booking.Appointment
	var status, day string
	var arrived, inRoom, monitoring, discharged sql.NullTime
	dest := append([]any{&a.ID, &a.ReferralID, &a.PatientID, &a.ActID, &a.VariantID, &status, &a.RoomID, &a.RadiologistID, &a.PlaceID,
		&a.Start, &a.RoomEnd, &a.PlaceEnd, &a.RoomMinutes, &a.MonitoringMinutes, &a.StudyInstanceUID, &a.AccessionNumber, &a.CancelReason,
		&a.AnaesthesiaID, &a.TurnoverMinutes, &a.PerformedStatus,
		&day, &arrived, &inRoom, &monitoring, &discharged, &a.IdentityCheckedBy, &a.ScannerFlag}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.Status, a.DayStatus = booking.Status(status), booking.DayStatus(day)
	a.ArrivedAt, a.InRoomAt, a.MonitoringFrom, a.DischargedAt = arrived.Time, inRoom.Time, monitoring.Time, discharged.Time
	return a, err
}

// AppointmentFilter selects appointments for boards and lists.
type AppointmentFilter struct {
	ID            int64
	From, To      time.Time // start in [From, To)
	RoomID        int64
	RadiologistID int64
	ReferralID    int64
	PatientID     int64
	Statuses      []booking.Status // empty: all
	Limit         int
}

// ListAppointments returns appointments with the names a board shows, by start time.
func (s *Store) ListAppointments(ctx context.Context, f AppointmentFilter) ([]booking.Appointment, error) {
	where, args := []string{"1=1"}, []any{}
	if !f.From.IsZero() {
		where, args = append(where, "a.starts_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.starts_at < ?"), append(args, f.To.UTC())
	}
	if f.ID != 0 {
		where, args = append(where, "a.id = ?"), append(args, f.ID)
	}
	if f.RoomID != 0 {
		where, args = append(where, "a.room_id = ?"), append(args, f.RoomID)
	}
	if f.RadiologistID != 0 {
		where, args = append(where, "a.radiologist_id = ?"), append(args, f.RadiologistID)
	}
	if f.ReferralID != 0 {
		where, args = append(where, "a.referral_id = ?"), append(args, f.ReferralID)
	}
	if f.PatientID != 0 {
		where, args = append(where, "a.patient_id = ?"), append(args, f.PatientID)
	}
	if len(f.Statuses) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",")
		where = append(where, "a.status IN ("+marks+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 2000 {
		limit = 500
	}
	var out []booking.Appointment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+appointmentColumns+`, p.birth_name, p.used_name, p.first_names, p.sex,
				r.name, COALESCE(pl.name, ''), u.display_name
			FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN rooms r ON r.id = a.room_id
			LEFT JOIN rooms pl ON pl.id = a.place_id JOIN users u ON u.id = a.radiologist_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY a.starts_at, a.id LIMIT `+strconv.Itoa(limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := make([]string, 0, 16)
		for rows.Next() {
			var p patient.Patient
			var room, place, radiologist string
			a, err := scanAppointment(rows, &p.BirthName, &p.UsedName, &p.FirstNames, &p.Sex, &room, &place, &radiologist)
			if err != nil {
				return err
			}
			a.PatientName, a.RoomName, a.PlaceName, a.RadiologistName = p.DisplayName(), room, place, radiologist
			out = append(out, a)
			ids = append(ids, strconv.FormatInt(a.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "appointment", "", 0, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// Interval is a busy span of one resource.
type Interval struct {
	AppointmentID int64
	Kind          string
	ResourceID    int64
	From, To      time.Time
}

// BusyIntervals returns the spans held by active appointments that overlap
// [from, to), for the slot search. It reads no patient data.
func (s *Store) BusyIntervals(ctx context.Context, from, to time.Time) ([]Interval, error) {
	// No hold is longer than booking.MaxHold: the lower bound on starts_at
	// keeps the index range to the window.
	rows, err := s.query(ctx, s.db, `SELECT appointment_id, resource_kind, resource_id, starts_at, ends_at FROM resource_busy
		WHERE active AND starts_at < ? AND starts_at > ? AND ends_at > ?`, to.UTC(), from.Add(-booking.MaxHold).UTC(), from.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Interval
	for rows.Next() {
		var iv Interval
		if err := rows.Scan(&iv.AppointmentID, &iv.Kind, &iv.ResourceID, &iv.From, &iv.To); err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, rows.Err()
}
