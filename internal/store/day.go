package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/checklist"
	"repere/internal/referral"
)

// ErrNotToday is returned when checking in a patient whose act is not booked.
var ErrNotToday = errors.New("store: this appointment cannot be checked in")

// CheckIn records the patient's arrival once their identity was checked on
// two identifiers by the named member of staff; note goes to the event.
func (s *Store) CheckIn(ctx context.Context, id int64, note string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockedAppointment(ctx, tx, id)
		if errors.Is(err, booking.ErrNotBooked) {
			return ErrNotToday
		}
		if err != nil {
			return err
		}
		if a.DayStatus != booking.Expected {
			return booking.ErrDayStep
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET day_status = ?, arrived_at = ?, identity_checked_by = ?, updated_at = ? WHERE id = ?`,
			string(booking.Arrived), s.now(), actor.Login, s.now(), id); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, id, "arrived", note); err != nil {
			return err
		}
		return s.audited(ctx, tx, "check_in", "appointment", strconv.FormatInt(id, 10), a.PatientID, "")
	})
}

// dayColumn is the time column a day status starts.
var dayColumn = map[booking.DayStatus]string{
	booking.Arrived: "arrived_at", booking.InRoom: "in_room_at", booking.Monitoring: "monitoring_from", booking.Discharged: "discharged_at",
}

// MoveDay moves a patient one step of the day forward (or back, to correct
// a mistake, which clears the step's time). Reaching monitoring means the act
// is over: a booked appointment becomes done, and its referral too. note
// (an override's reason) goes to the event.
func (s *Store) MoveDay(ctx context.Context, id int64, to booking.DayStatus, at time.Time, note string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		lock := ""
		if s.engine == Postgres {
			lock = " FOR UPDATE"
		}
		a, err := scanAppointment(s.queryRow(ctx, tx, `SELECT `+appointmentColumns+` FROM appointments a WHERE a.id = ?`+lock, id))
		if err != nil {
			return err
		}
		if a.Status != booking.Booked && a.Status != booking.Done {
			return booking.ErrNotBooked
		}
		if err := booking.NextDayStep(a.DayStatus, to); err != nil {
			return err
		}
		forward := indexOf(to) > indexOf(a.DayStatus)
		set, args := []string{"day_status = ?", "updated_at = ?"}, []any{string(to), s.now()}
		if forward {
			set, args = append(set, dayColumn[to]+" = ?"), append(args, at.UTC())
		} else if col := dayColumn[a.DayStatus]; col != "" {
			set = append(set, col+" = NULL")
		}
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if forward && to == booking.Monitoring && a.Status == booking.Booked {
			if _, err := s.exec(ctx, tx, `UPDATE appointments SET status = ? WHERE id = ?`, string(booking.Done), id); err != nil {
				return err
			}
			if err := s.moveReferral(ctx, tx, a.ReferralID, referral.Booked, referral.Done, ""); err != nil {
				return err
			}
		}
		if err := s.appointmentEvent(ctx, tx, id, "day:"+string(to), note); err != nil {
			return err
		}
		return s.audited(ctx, tx, "day_step", "appointment", strconv.FormatInt(id, 10), a.PatientID, string(a.DayStatus)+" -> "+string(to))
	})
}

func indexOf(d booking.DayStatus) int {
	for i, x := range booking.DayStatuses {
		if x == d {
			return i
		}
	}
	return -1
}

// AddCheck records a checklist item's state for an appointment.
func (s *Store) AddCheck(ctx context.Context, appointmentID int64, itemID, state, note string) error {
	if state != "ok" && state != "not_ok" && state != "na" {
		return errors.New("store: a check is ok, not_ok or na")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `INSERT INTO checklist_checks (appointment_id, item_id, state, note, at, actor_login) VALUES (?, ?, ?, ?, ?, ?)`,
			appointmentID, itemID, state, note, s.now(), actor.Login); err != nil {
			return err
		}
		return s.audited(ctx, tx, "check", "appointment", strconv.FormatInt(appointmentID, 10), patientID, itemID+"="+state)
	})
}

// OverrideChecklist records the radiologist's decision, with its reason, to
// start the act with a blocking item open.
func (s *Store) OverrideChecklist(ctx context.Context, appointmentID int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: an override needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `INSERT INTO checklist_overrides (appointment_id, reason, at, actor_login) VALUES (?, ?, ?, ?)`,
			appointmentID, reason, s.now(), actor.Login); err != nil {
			return err
		}
		return s.audited(ctx, tx, "checklist_override", "appointment", strconv.FormatInt(appointmentID, 10), patientID, reason)
	})
}

// Checklist returns an appointment's checks (oldest first) and the latest override, if any.
func (s *Store) Checklist(ctx context.Context, appointmentID int64) ([]checklist.Check, *checklist.Override, error) {
	var checks []checklist.Check
	var override *checklist.Override
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT item_id, state, note, actor_login, at FROM checklist_checks WHERE appointment_id = ? ORDER BY id`, appointmentID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c checklist.Check
			if err := rows.Scan(&c.ItemID, &c.State, &c.Note, &c.By, &c.At); err != nil {
				rows.Close()
				return err
			}
			checks = append(checks, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var o checklist.Override
		err = s.queryRow(ctx, tx, `SELECT reason, actor_login, at FROM checklist_overrides WHERE appointment_id = ? ORDER BY id DESC LIMIT 1`, appointmentID).
			Scan(&o.Reason, &o.By, &o.At)
		if err == nil {
			override = &o
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return s.audited(ctx, tx, "read", "checklist", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return checks, override, err
}
