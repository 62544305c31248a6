package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"repere/internal/booking"
)

// appointmentState is what an appointment event keeps of the appointment
// once the change is made: what its FHIR resource shows that can change
// (status, times, rooms, radiologist, cancellation reason).
type appointmentState struct {
	Status        booking.Status `json:"status"`
	RoomID        int64          `json:"room_id"`
	RadiologistID int64          `json:"radiologist_id"`
	PlaceID       int64          `json:"place_id,omitempty"`
	Start         time.Time      `json:"start"`
	RoomEnd       time.Time      `json:"room_end"`
	PlaceEnd      time.Time      `json:"place_end"`
	RoomMinutes   int            `json:"room_minutes"`
	CancelReason  string         `json:"cancel_reason,omitempty"`
}

func (s *Store) appointmentStateOf(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	// audited by the caller
	a, err := scanAppointment(s.queryRow(ctx, tx, `SELECT `+appointmentColumns+` FROM appointments a WHERE a.id = ?`, id))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(appointmentState{Status: a.Status, RoomID: a.RoomID, RadiologistID: a.RadiologistID, PlaceID: a.PlaceID,
		Start: a.Start.UTC(), RoomEnd: a.RoomEnd.UTC(), PlaceEnd: a.PlaceEnd.UTC(), RoomMinutes: a.RoomMinutes, CancelReason: a.CancelReason})
	return string(b), err
}

// AppointmentVersion is an appointment as it was after one of its events;
// Kept is false for an event recorded before the states were kept.
type AppointmentVersion struct {
	Number      int
	At          time.Time
	Kind        string
	Kept        bool
	Appointment booking.Appointment
}

// AppointmentVersions returns an appointment's versions, oldest first: one
// per event (the booking is version 1), each as the appointment was after
// it, with the names of its rooms and radiologist then. The patient, the act
// and the identifiers are the current ones (they do not change).
func (s *Store) AppointmentVersions(ctx context.Context, id int64) ([]AppointmentVersion, error) {
	current, err := s.ListAppointments(ctx, AppointmentFilter{ID: id})
	if err != nil {
		return nil, err
	}
	if len(current) == 0 {
		return nil, ErrNotFound
	}
	var out []AppointmentVersion
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "read", "appointment_history", strconv.FormatInt(id, 10), current[0].PatientID, ""); err != nil {
			return err
		}
		rooms, err := s.names(ctx, tx, `SELECT id, name FROM rooms`)
		if err != nil {
			return err
		}
		users, err := s.names(ctx, tx, `SELECT id, display_name FROM users`)
		if err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT at, kind, state FROM appointment_events WHERE appointment_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v AppointmentVersion
			var state string
			if err := rows.Scan(&v.At, &v.Kind, &state); err != nil {
				return err
			}
			v.Number, v.Appointment = len(out)+1, current[0]
			if state != "" {
				var st appointmentState
				if err := json.Unmarshal([]byte(state), &st); err != nil {
					return err
				}
				a := &v.Appointment
				a.Status, a.RoomID, a.RadiologistID, a.PlaceID = st.Status, st.RoomID, st.RadiologistID, st.PlaceID
				a.Start, a.RoomEnd, a.PlaceEnd, a.RoomMinutes, a.CancelReason = st.Start, st.RoomEnd, st.PlaceEnd, st.RoomMinutes, st.CancelReason
				a.RoomName, a.PlaceName, a.RadiologistName = rooms[st.RoomID], rooms[st.PlaceID], users[st.RadiologistID]
				v.Kept = true
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n := len(out); n > 0 { // the last version is the appointment now
			out[n-1].Appointment, out[n-1].Kept = current[0], true
		}
		return nil
	})
	return out, err
}

// names reads an id → name table.
func (s *Store) names(ctx context.Context, tx *sql.Tx, query string) (map[int64]string, error) {
	rows, err := s.query(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
