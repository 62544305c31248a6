package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/mail"
)

// ErrDuplicate is returned when a row that may exist once is added again
// (the same version of a convocation queued twice).
var ErrDuplicate = errors.New("store: already recorded")

// EnqueueMail queues an email; the sender picks it up at once. A convocation
// whose version is already queued or sent gives ErrDuplicate.
func (s *Store) EnqueueMail(ctx context.Context, m mail.Outgoing) (int64, error) {
	attachments, err := json.Marshal(m.Attachments)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		actor, _ := audit.ActorFrom(ctx)
		now := s.now()
		var err error
		status, sent := mail.Queued, sql.NullTime{}
		if m.Channel == mail.ChannelLetter { // printed by the staff as it is recorded
			status, sent = mail.Sent, sql.NullTime{Time: now, Valid: true}
		}
		id, err = s.insert(ctx, tx, `INSERT INTO outbox (kind, appointment_id, patient_id, to_addr, subject, body_text, body_html, attachments, status,
				next_attempt_at, created_at, created_by, doc_version, channel, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`,
			m.Kind, nullID(m.AppointmentID), nullID(m.PatientID), m.To, m.Subject, m.Text, m.HTML, attachments, status, now, now, actor.Login, m.Version,
			channelOf(m), sent)
		// A row that may exist once is not inserted, without an error:
		// inside a unit of work, a failed statement would abort the whole
		// transaction on PostgreSQL, and the caller may go on (a reminder
		// another instance queued first).
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "queue", "mail", strconv.FormatInt(id, 10), m.PatientID, m.Kind+" "+channelOf(m))
	})
	return id, err
}

// channelOf is a row's channel, email when not said.
func channelOf(m mail.Outgoing) string {
	if m.Channel == "" {
		return mail.ChannelEmail
	}
	return m.Channel
}

const outboxColumns = `id, kind, COALESCE(appointment_id, 0), COALESCE(patient_id, 0), to_addr, subject, body_text, body_html, attachments, status,
	attempts, next_attempt_at, last_error, created_at, sent_at, doc_version, channel`

func scanMail(row interface{ Scan(...any) error }) (mail.Outgoing, error) {
	var m mail.Outgoing
	var attachments []byte
	var sent sql.NullTime
	err := row.Scan(&m.ID, &m.Kind, &m.AppointmentID, &m.PatientID, &m.To, &m.Subject, &m.Text, &m.HTML, &attachments, &m.Status,
		&m.Attempts, &m.NextAttemptAt, &m.LastError, &m.CreatedAt, &sent, &m.Version, &m.Channel)
	if err != nil {
		return m, err
	}
	m.SentAt = sent.Time
	if len(attachments) > 0 {
		err = json.Unmarshal(attachments, &m.Attachments)
	}
	return m, err
}

// ClaimDueMail takes up to limit queued emails whose time has come and
// leases them for lease, so another instance does not send them too.
func (s *Store) ClaimDueMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Outgoing, error) {
	return s.ClaimDue(ctx, []string{mail.ChannelEmail}, now, lease, limit)
}

// ClaimDue is ClaimDueMail for the given channels (those the server can
// send: an SMS waits while no provider is set up).
func (s *Store) ClaimDue(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]mail.Outgoing, error) {
	var out []mail.Outgoing
	if len(channels) == 0 {
		return nil, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lock := ""
		if s.engine == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		args := []any{mail.Queued, now.UTC()}
		marks := make([]string, len(channels))
		for i, c := range channels {
			marks[i] = "?"
			args = append(args, c)
		}
		rows, err := s.query(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ? AND next_attempt_at <= ? AND channel IN (`+strings.Join(marks, ", ")+
			`) ORDER BY next_attempt_at, id LIMIT `+strconv.Itoa(limit)+lock, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := s.exec(ctx, tx, `UPDATE outbox SET next_attempt_at = ? WHERE id = ?`, now.Add(lease).UTC(), m.ID); err != nil {
				return err
			}
			if err := s.audited(ctx, tx, "send", "mail", strconv.FormatInt(m.ID, 10), m.PatientID, m.Kind); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// MailSentOK records a delivery.
func (s *Store) MailSentOK(ctx context.Context, id int64) error {
	now := s.now()
	return s.mailOutcome(ctx, id, "sent", mail.Sent, now, sql.NullTime{Time: now, Valid: true}, "")
}

// MailAttemptFailed records a failed attempt: the email is tried again at
// next, or given up when next is zero.
func (s *Store) MailAttemptFailed(ctx context.Context, id int64, reason string, next time.Time) error {
	if next.IsZero() {
		return s.mailOutcome(ctx, id, "give_up", mail.Failed, s.now(), sql.NullTime{}, reason)
	}
	return s.mailOutcome(ctx, id, "retry", mail.Queued, next.UTC(), sql.NullTime{}, reason)
}

// MailWithheld records that a queued email is not sent, and why: it is
// cancelled (a reminder or a follow-up question may then be queued again).
func (s *Store) MailWithheld(ctx context.Context, id int64, reason string) error {
	return s.mailOutcome(ctx, id, "withhold", mail.Cancelled, s.now(), sql.NullTime{}, reason)
}

// mailOutcome records the result of one sending attempt.
func (s *Store) mailOutcome(ctx context.Context, id int64, action, status string, next time.Time, sent sql.NullTime, lastError string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		if err := s.queryRow(ctx, tx, `SELECT COALESCE(patient_id, 0) FROM outbox WHERE id = ?`, id).Scan(&patientID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, sent_at = ?, last_error = ? WHERE id = ?`,
			status, next, sent, lastError, id); err != nil {
			return err
		}
		return s.audited(ctx, tx, action, "mail", strconv.FormatInt(id, 10), patientID, "")
	})
}

// MailFor lists the emails of an appointment, newest first, for the
// delivery status shown to the staff.
func (s *Store) MailFor(ctx context.Context, appointmentID int64) ([]mail.Outgoing, error) {
	var out []mail.Outgoing
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE appointment_id = ? ORDER BY id DESC`, appointmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var patientID int64
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			patientID = m.PatientID
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "mail", "appointment="+strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return out, err
}

// MailByID returns one email (for the delivery page and tests).
func (s *Store) MailByID(ctx context.Context, id int64) (mail.Outgoing, error) {
	var m mail.Outgoing
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanMail(s.queryRow(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "mail", strconv.FormatInt(id, 10), m.PatientID, "")
	})
	return m, err
}

// RemindersDue lists the booked appointments starting in [from, to) whose
// patient has an email and that have no reminder queued or sent yet.
func (s *Store) RemindersDue(ctx context.Context, from, to time.Time) ([]int64, error) {
	var out []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT a.id FROM appointments a JOIN patients p ON p.id = a.patient_id
			WHERE a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ? AND p.email <> ''
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.appointment_id = a.id AND o.kind = 'reminder' AND o.status <> 'cancelled')
			ORDER BY a.starts_at`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "reminder", "", 0, strconv.Itoa(len(out))+" due")
	})
	return out, err
}

// FollowUpDue is a done appointment the follow-up questions may be asked
// for: its act, when it started, and the kinds of the follow-up emails it
// already has (queued, sent or failed: a cancelled one may be queued again).
type FollowUpDue struct {
	AppointmentID int64
	ActID         string
	Start         time.Time
	Asked         []string
}

// FollowUpsDue lists, in one query, the done appointments started in
// [from, to) whose patient has an email, with the follow-up emails each
// already has. Nothing of the patient is read: the email is made in a
// write unit that reads the record again.
func (s *Store) FollowUpsDue(ctx context.Context, from, to time.Time) ([]FollowUpDue, error) {
	var out []FollowUpDue
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT a.id, a.act_id, a.starts_at, COALESCE(o.kind, '') FROM appointments a JOIN patients p ON p.id = a.patient_id
			LEFT JOIN outbox o ON o.appointment_id = a.id AND o.kind LIKE 'followup_%' AND o.status <> 'cancelled'
			WHERE a.status = 'done' AND a.starts_at >= ? AND a.starts_at < ? AND p.email <> ''
			ORDER BY a.starts_at, a.id`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d FollowUpDue
			var kind string
			if err := rows.Scan(&d.AppointmentID, &d.ActID, &d.Start, &kind); err != nil {
				return err
			}
			if n := len(out); n == 0 || out[n-1].AppointmentID != d.AppointmentID {
				out = append(out, d)
			}
			if kind != "" {
				last := &out[len(out)-1]
				last.Asked = append(last.Asked, kind)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "mail", "followup", 0, strconv.Itoa(len(out))+" done appointments")
	})
	return out, err
}

// MessagesForPatient lists what was sent to a patient (emails, SMS,
// letters), newest first, at most limit: the staff see what went out and
// how, without the bodies' links (Text is cleared).
func (s *Store) MessagesForPatient(ctx context.Context, patientID int64, limit int) ([]mail.Outgoing, error) {
	var out []mail.Outgoing
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE patient_id = ? ORDER BY id DESC LIMIT `+strconv.Itoa(limit), patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			m.Text, m.HTML, m.Attachments = "", "", nil
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "mail", "patient="+strconv.FormatInt(patientID, 10), patientID, "")
	})
	return out, err
}

// FailedMail lists the emails given up on, newest first, for the
// secretary's work list (who then prints or calls instead).
func (s *Store) FailedMail(ctx context.Context, limit int) ([]mail.Outgoing, error) {
	var out []mail.Outgoing
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := []string{}
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
			ids = append(ids, strconv.FormatInt(m.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "mail", "status=failed", 0, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// UnsentConvocations lists the booked appointments starting in [from, to)
// whose convocation was neither sent nor queued by email: the patients the
// secretary still has to confirm with.
func (s *Store) UnsentConvocations(ctx context.Context, from, to time.Time) ([]int64, error) {
	var out []int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT a.id FROM appointments a
			WHERE a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ?
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.appointment_id = a.id AND o.kind LIKE 'convocation%' AND o.status IN ('queued', 'sent'))
			ORDER BY a.starts_at`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := []string{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "appointment", "unsent_convocations", 0, "ids="+strings.Join(ids, ","))
	})
	return out, err
}
