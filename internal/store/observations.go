package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/followup"
)

// ErrNotMonitored: the patient is not (or no longer) in monitoring.
var ErrNotMonitored = errors.New("store: the patient is not in monitoring")

// AddObservation records one set of monitoring values for an appointment
// in monitoring (the application checked them against the act's watch);
// ErrNotMonitored otherwise.
func (s *Store) AddObservation(ctx context.Context, appointmentID int64, o followup.Observation) error {
	null := func(v int) sql.NullInt64 { return sql.NullInt64{Int64: int64(v), Valid: v != 0} }
	var pain sql.NullInt64
	if o.Pain != nil {
		pain = sql.NullInt64{Int64: int64(*o.Pain), Valid: true}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// The appointment is read locked (PostgreSQL; SQLite's write
		// transaction is alone): a discharge committed meanwhile is seen,
		// and the observation refused, in the transaction that writes it.
		lock := ""
		if s.engine == Postgres {
			lock = " FOR SHARE"
		}
		var patientID int64
		var day string
		err := s.queryRow(ctx, tx, `SELECT patient_id, day_status FROM appointments WHERE id = ?`+lock, appointmentID).Scan(&patientID, &day)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if day != string(booking.Monitoring) {
			return ErrNotMonitored
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `INSERT INTO monitoring_observations (appointment_id, at, actor_login, systolic, diastolic, heart_rate, pain, neuro, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, appointmentID, s.now(), actor.Login, null(o.Systolic), null(o.Diastolic), null(o.HeartRate), pain, o.Neuro, o.Note); err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "observation", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
}

// Observations lists an appointment's monitoring observations, oldest first.
func (s *Store) Observations(ctx context.Context, appointmentID int64) ([]followup.Observation, error) {
	var out []followup.Observation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, appointmentID)
		if err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT at, actor_login, systolic, diastolic, heart_rate, pain, neuro, note
			FROM monitoring_observations WHERE appointment_id = ? ORDER BY at, id`, appointmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o followup.Observation
			var sys, dia, hr, pain sql.NullInt64
			if err := rows.Scan(&o.At, &o.By, &sys, &dia, &hr, &pain, &o.Neuro, &o.Note); err != nil {
				return err
			}
			o.Systolic, o.Diastolic, o.HeartRate = int(sys.Int64), int(dia.Int64), int(hr.Int64)
			if pain.Valid {
				v := int(pain.Int64)
				o.Pain = &v
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "observation", strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return out, err
}

// LastObservations gives, for each of ids that has any, the time of its
// latest monitoring observation (one query for a whole day board).
func (s *Store) LastObservations(ctx context.Context, ids []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		in, args := inIDs("appointment_id", ids)
		rows, err := s.query(ctx, tx, `SELECT appointment_id, MAX(at) FROM monitoring_observations WHERE `+in+` GROUP BY appointment_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var at timeValue
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			out[id] = at.t
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "observation", "", 0, "ids="+joinIDs(ids))
	})
	return out, err
}
