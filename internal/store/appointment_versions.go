package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
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
		states, err := s.appointmentStates(ctx, tx, id, current[0], &out)
		if err != nil {
			return err
		}
		rooms, users := map[int64]string{}, map[int64]string{}
		for _, st := range states {
			if st != nil {
				rooms[st.RoomID], rooms[st.PlaceID], users[st.RadiologistID] = "", "", ""
			}
		}
		if err := s.roomAndUserNames(ctx, tx, rooms, users); err != nil {
			return err
		}
		for i, st := range states {
			if st == nil {
				continue
			}
			a := &out[i].Appointment
			a.Status, a.RoomID, a.RadiologistID, a.PlaceID = st.Status, st.RoomID, st.RadiologistID, st.PlaceID
			a.Start, a.RoomEnd, a.PlaceEnd, a.RoomMinutes, a.CancelReason = st.Start, st.RoomEnd, st.PlaceEnd, st.RoomMinutes, st.CancelReason
			a.RoomName, a.PlaceName, a.RadiologistName = rooms[st.RoomID], rooms[st.PlaceID], users[st.RadiologistID]
			out[i].Kept = true
		}
		if n := len(out); n > 0 { // the last version is the appointment now
			out[n-1].Appointment, out[n-1].Kept = current[0], true
		}
		return nil
	})
	return out, err
}

// appointmentStates reads an appointment's events into out, as versions of
// current, and returns the state each kept (nil: none).
func (s *Store) appointmentStates(ctx context.Context, tx *sql.Tx, id int64, current booking.Appointment, out *[]AppointmentVersion) ([]*appointmentState, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT at, kind, state FROM appointment_events WHERE appointment_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var states []*appointmentState
	for rows.Next() {
		v := AppointmentVersion{Number: len(*out) + 1, Appointment: current}
		var state string
		if err := rows.Scan(&v.At, &v.Kind, &state); err != nil {
			return nil, err
		}
		var st *appointmentState
		if state != "" {
			st = &appointmentState{}
			if err := json.Unmarshal([]byte(state), st); err != nil {
				return nil, err
			}
		}
		*out, states = append(*out, v), append(states, st)
	}
	return states, rows.Err()
}

// roomAndUserNames fills the names of the rooms and users whose ids are the
// maps' keys (id 0, none, stays ""), in one statement.
func (s *Store) roomAndUserNames(ctx context.Context, tx *sql.Tx, rooms, users map[int64]string) error {
	delete(rooms, 0)
	delete(users, 0)
	var parts []string
	var args []any
	for _, t := range []struct {
		ids         map[int64]string
		kind, table string
		nameColumn  string
	}{{rooms, "r", "rooms", "name"}, {users, "u", "users", "display_name"}} {
		if len(t.ids) == 0 {
			continue
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(t.ids)), ",")
		parts = append(parts, `SELECT '`+t.kind+`', id, `+t.nameColumn+` FROM `+t.table+` WHERE id IN (`+marks+`)`)
		for id := range t.ids {
			args = append(args, id)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	rows, err := s.query(ctx, tx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, name string
		var id int64
		if err := rows.Scan(&kind, &id, &name); err != nil {
			return err
		}
		if kind == "r" {
			rooms[id] = name
		} else {
			users[id] = name
		}
	}
	return rows.Err()
}
