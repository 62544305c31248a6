package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/referral"
)

// bookOnSQLite runs Book's checks and writes one statement at a time: the
// transaction holds SQLite's write lock from its start, and a statement
// costs no round trip.
func (s *Store) bookOnSQLite(ctx context.Context, tx *sql.Tx, r booking.Request, state string) (int64, error) {
	var patientID int64
	var actID, status string
	err := s.queryRow(ctx, tx, `SELECT patient_id, act_id, status FROM referrals WHERE id = ?`, r.ReferralID).Scan(&patientID, &actID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if err := bookable(r.ReferralID, status); err != nil {
		return 0, err
	}
	var active int
	if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM appointments WHERE referral_id = ? AND status = ?`, r.ReferralID, string(booking.Booked)).Scan(&active); err != nil {
		return 0, err
	}
	if active > 0 {
		return 0, booking.ErrAlreadyBooked
	}
	if err := s.checkFree(ctx, tx, holds(r), 0); err != nil {
		return 0, err
	}
	actor, _ := audit.ActorFrom(ctx)
	now := s.now()
	id, err := s.insert(ctx, tx, `INSERT INTO appointments (referral_id, patient_id, act_id, variant_id, status, room_id, radiologist_id, place_id,
			anaesthesia_id, starts_at, room_ends_at, place_ends_at, room_minutes, monitoring_minutes, turnover_minutes, study_instance_uid,
			created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ReferralID, patientID, actID, r.VariantID, string(booking.Booked), r.RoomID, r.RadiologistID, nullID(r.PlaceID),
		nullID(r.AnaesthesiaID), r.Start, r.RoomEnd().UTC(), r.PlaceEnd().UTC(), r.RoomMinutes, r.MonitoringMinutes, r.TurnoverMinutes,
		r.StudyInstanceUID, now, actor.Login, now)
	if err != nil {
		return 0, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE appointments SET accession_number = ? WHERE id = ?`, accessionNumber(id), id); err != nil {
		return 0, err
	}
	if err := s.takeResources(ctx, tx, id, holds(r)); err != nil {
		return 0, err
	}
	if err := s.insertAppointmentEvent(ctx, tx, id, "booked", r.Start.Format(time.RFC3339), state); err != nil {
		return 0, err
	}
	if status != string(referral.Booked) {
		if err := s.moveReferral(ctx, tx, r.ReferralID, referral.Status(status), referral.Booked, ""); err != nil {
			return 0, err
		}
	}
	return id, s.audited(ctx, tx, "create", "appointment", strconv.FormatInt(id, 10), patientID, "act="+actID)
}
