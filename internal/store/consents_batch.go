package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"repere/internal/documents"
)

// ConsentsForAppointments lists the consents of several appointments in one
// query (the day board's), newest first per appointment, without their
// documents. Each appointment's reading is audited as ConsentsFor does.
func (s *Store) ConsentsForAppointments(ctx context.Context, appointmentIDs []int64) (map[int64][]documents.Consent, error) {
	out := map[int64][]documents.Consent{}
	if len(appointmentIDs) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(appointmentIDs)), ", ")
		args := make([]any, len(appointmentIDs))
		for i, id := range appointmentIDs {
			args[i] = id
		}
		rows, err := s.query(ctx, tx, `SELECT `+consentColumns+` FROM consents c LEFT JOIN consent_events e ON e.consent_id = c.id
			WHERE c.appointment_id IN (`+marks+`) ORDER BY c.appointment_id, c.id DESC`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		patients := map[int64]int64{}
		for rows.Next() {
			c, err := scanConsent(rows)
			if err != nil {
				return err
			}
			patients[c.AppointmentID] = c.PatientID
			out[c.AppointmentID] = append(out[c.AppointmentID], c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range appointmentIDs {
			if err := s.audited(ctx, tx, "list", "consent", "appointment="+strconv.FormatInt(id, 10), patients[id], ""); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
