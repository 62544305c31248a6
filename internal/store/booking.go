package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/booking"
	"repere/internal/referral"
)

// busyRow is one resource an appointment holds, over a half-open interval.
type busyRow struct {
	kind       string
	resourceID int64
	from, to   time.Time
}

func holds(r booking.Request) []busyRow {
	rows := []busyRow{
		{booking.KindRoom, r.RoomID, r.Start, r.RoomFreeAt()},
		{booking.KindRadiologist, r.RadiologistID, r.Start, r.RoomEnd()},
	}
	if r.AnaesthesiaID != 0 {
		rows = append(rows, busyRow{booking.KindAnaesthesia, r.AnaesthesiaID, r.Start, r.RoomEnd()})
	}
	if r.PlaceID != 0 && r.MonitoringMinutes > 0 {
		rows = append(rows, busyRow{booking.KindPlace, r.PlaceID, r.RoomEnd(), r.PlaceEnd()})
	}
	return rows
}

// Book confirms an appointment for a referral. Every resource is checked and
// taken in one transaction: on SQLite the transaction holds the write lock
// from its start (BEGIN IMMEDIATE), on PostgreSQL advisory locks serialise
// the bookings of each resource (see bookOnPostgres) and an exclusion
// constraint refuses an overlap that would still slip through. A taken
// resource gives a *booking.ConflictError. Inside a unit of work (see
// WriteUnit) a refused booking leaves the unit's transaction as it was.
func (s *Store) Book(ctx context.Context, r booking.Request) (int64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	r.Start = r.Start.UTC().Truncate(time.Minute)
	if r.StudyInstanceUID == "" {
		r.StudyInstanceUID = booking.NewStudyInstanceUID()
	}
	// The event keeps the appointment as booked: built from the request,
	// not read back.
	state, err := bookedState(r)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		return s.inSavepoint(ctx, tx, func() (err error) {
			if s.engine == Postgres {
				id, err = s.bookOnPostgres(ctx, tx, r, state)
			} else {
				id, err = s.bookOnSQLite(ctx, tx, r, state)
			}
			return err
		})
	})
	if isExclusionViolation(err) {
		return 0, &booking.ConflictError{Kind: "resource"}
	}
	return id, err
}

// bookable refuses a referral that is over.
func bookable(referralID int64, status string) error {
	if status == string(referral.Cancelled) || status == string(referral.Done) {
		return fmt.Errorf("booking: referral %d is %s", referralID, status)
	}
	return nil
}

// bookedState is the appointment state (see appointmentState) a booking
// records in its first event.
func bookedState(r booking.Request) (string, error) {
	b, err := json.Marshal(appointmentState{Status: booking.Booked, RoomID: r.RoomID, RadiologistID: r.RadiologistID, PlaceID: r.PlaceID,
		Start: r.Start.UTC(), RoomEnd: r.RoomEnd().UTC(), PlaceEnd: r.PlaceEnd().UTC(), RoomMinutes: r.RoomMinutes})
	return string(b), err
}

// inSavepoint runs fn inside a savepoint when ctx carries a unit of work,
// so that a refused or failed call undoes its own writes and leaves the
// unit's transaction usable (on PostgreSQL a failed statement would
// otherwise abort it); outside a unit fn's own transaction is rolled back.
func (s *Store) inSavepoint(ctx context.Context, tx *sql.Tx, fn func() error) error {
	if s.unitOf(ctx) == nil {
		return fn()
	}
	if _, err := s.exec(ctx, tx, `SAVEPOINT store_call`); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		return nil
	}
	if _, rollbackErr := s.exec(context.WithoutCancel(ctx), tx, `ROLLBACK TO SAVEPOINT store_call`); rollbackErr != nil {
		return errors.Join(err, rollbackErr)
	}
	return err
}

// accessionNumber is the practice's accession number of an appointment, the
// key the scanner and the archive use (at most 16 characters in DICOM).
func accessionNumber(id int64) string { return fmt.Sprintf("RP%08d", id) }

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// lockResources serialises, on PostgreSQL, the transactions that book the same
// resources: each takes transaction-scoped advisory locks on its resources in
// one global order, so two bookings never deadlock and the second one's
// overlap check sees the first one's rows. SQLite needs nothing: its write
// transactions already run one at a time.
func (s *Store) lockResources(ctx context.Context, tx *sql.Tx, rows []busyRow) error {
	if s.engine != Postgres {
		return nil
	}
	locks, args := advisoryLocks(rows)
	_, err := s.exec(ctx, tx, `SELECT `+locks, args...)
	return err
}

// advisoryLocks is the select list that takes the transaction-scoped
// advisory locks of rows, one per resource, in one global order: PostgreSQL
// evaluates a select list left to right.
func advisoryLocks(rows []busyRow) (string, []any) {
	keys := make([]int64, 0, len(rows))
	for _, b := range rows {
		h := fnv.New64a()
		fmt.Fprintf(h, "repere:%s:%d", b.kind, b.resourceID)
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	calls := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		calls[i], args[i] = "pg_advisory_xact_lock(?)", k
	}
	return strings.Join(calls, ", "), args
}

// checkFree returns a *booking.ConflictError for the first held resource that
// overlaps an active booking other than except.
func (s *Store) checkFree(ctx context.Context, tx *sql.Tx, rows []busyRow, except int64) error {
	query, args := s.firstTaken(rows, except)
	var first sql.NullInt64
	if err := s.queryRow(ctx, tx, query, args...).Scan(&first); err != nil {
		return err
	}
	return conflictAt(rows, first)
}

// firstTaken is the query of the position in rows of the first resource
// that overlaps an active booking other than except (NULL when all are free).
func (s *Store) firstTaken(rows []busyRow, except int64) (string, []any) {
	// One round trip for every resource: each branch is the check of one
	// resource, and the smallest position taken is the conflict reported.
	// On PostgreSQL the overlap is asked in the terms of the exclusion
	// constraint, so its GiST index finds the overlapping holds directly.
	// On SQLite "active" alone (not "active = ?") lets it use the partial
	// index, and the lower bound on starts_at (no hold is longer than
	// booking.MaxHold) keeps the index range to the holds of the last two
	// days however long the resource's history.
	branches := make([]string, len(rows))
	var args []any
	for i, b := range rows {
		if s.engine == Postgres {
			branches[i] = `SELECT ` + strconv.Itoa(i) + ` AS position WHERE EXISTS (SELECT 1 FROM resource_busy WHERE resource_kind = ? AND resource_id = ? AND active
				AND tstzrange(starts_at, ends_at, '[)') && tstzrange(?::timestamptz, ?::timestamptz, '[)') AND appointment_id <> ?)`
			args = append(args, b.kind, b.resourceID, b.from.UTC(), b.to.UTC(), except)
			continue
		}
		branches[i] = `SELECT ` + strconv.Itoa(i) + ` AS position WHERE EXISTS (SELECT 1 FROM resource_busy WHERE resource_kind = ? AND resource_id = ? AND active
			AND starts_at > ? AND starts_at < ? AND ends_at > ? AND appointment_id <> ?)`
		args = append(args, b.kind, b.resourceID, b.from.Add(-booking.MaxHold).UTC(), b.to.UTC(), b.from.UTC(), except)
	}
	return `SELECT MIN(position) AS first FROM (` + strings.Join(branches, " UNION ALL ") + `) taken`, args
}

// conflictAt is the *booking.ConflictError of the row at position first, or nil.
func conflictAt(rows []busyRow, first sql.NullInt64) error {
	if !first.Valid {
		return nil
	}
	b := rows[first.Int64]
	return &booking.ConflictError{Kind: b.kind, ResourceID: b.resourceID}
}

func (s *Store) takeResources(ctx context.Context, tx *sql.Tx, appointmentID int64, rows []busyRow) error {
	values := make([]string, len(rows))
	var args []any
	for i, b := range rows {
		values[i] = "(?, ?, ?, ?, ?, ?)"
		args = append(args, appointmentID, b.kind, b.resourceID, b.from.UTC(), b.to.UTC(), true)
	}
	_, err := s.exec(ctx, tx, `INSERT INTO resource_busy (appointment_id, resource_kind, resource_id, starts_at, ends_at, active) VALUES `+strings.Join(values, ", "), args...)
	return err
}

// appointmentEvent records a change of an appointment, made before it in
// tx, with the appointment's state after it (see appointmentState).
func (s *Store) appointmentEvent(ctx context.Context, tx *sql.Tx, id int64, kind, detail string) error {
	// audited by the caller
	state, err := s.appointmentStateOf(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.insertAppointmentEvent(ctx, tx, id, kind, detail, state)
}

// insertAppointmentEvent records a change of an appointment with its state
// after it, known to the caller.
func (s *Store) insertAppointmentEvent(ctx context.Context, tx *sql.Tx, id int64, kind, detail, state string) error {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	_, err := s.exec(ctx, tx, `INSERT INTO appointment_events (appointment_id, at, actor_login, kind, detail, state) VALUES (?, ?, ?, ?, ?, ?)`,
		id, s.now(), actor.Login, kind, detail, state)
	return err
}

// moveReferral changes a referral's status and records the change.
func (s *Store) moveReferral(ctx context.Context, tx *sql.Tx, id int64, from, to referral.Status, reason string) error {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	if _, err := s.exec(ctx, tx, `UPDATE referrals SET status = ?, updated_at = ? WHERE id = ?`, string(to), s.now(), id); err != nil {
		return err
	}
	_, err := s.exec(ctx, tx, `INSERT INTO referral_events (referral_id, at, actor_login, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		id, s.now(), actor.Login, string(from), string(to), reason)
	return err
}

// CancelAppointment cancels a booked appointment with a reason and frees its
// resources; the referral goes back to screening so it can be booked again.
func (s *Store) CancelAppointment(ctx context.Context, id int64, reason string) error {
	return s.endAppointment(ctx, id, booking.Cancelled, reason)
}

// MarkNoShow records that the patient did not come.
func (s *Store) MarkNoShow(ctx context.Context, id int64, reason string) error {
	return s.endAppointment(ctx, id, booking.NoShow, reason)
}

func (s *Store) endAppointment(ctx context.Context, id int64, to booking.Status, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("booking: a reason is required")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockedAppointment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.DayStatus != booking.Expected { // checked in meanwhile: the patient is here
			return booking.ErrArrived
		}
		if err := s.audited(ctx, tx, string(to), "appointment", strconv.FormatInt(id, 10), a.PatientID, ""); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET status = ?, cancel_reason = ?, updated_at = ? WHERE id = ?`, string(to), reason, s.now(), id); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE resource_busy SET active = ? WHERE appointment_id = ?`, false, id); err != nil {
			return err
		}
		if err := s.appointmentEvent(ctx, tx, id, string(to), reason); err != nil {
			return err
		}
		return s.moveReferral(ctx, tx, a.ReferralID, referral.Booked, referral.Screening, reason)
	})
}

// Reschedule moves a booked appointment to new resources and times, keeping
// its durations, in one transaction: the old slot is freed only if the new one is free.
func (s *Store) Reschedule(ctx context.Context, id int64, to booking.Request, reason string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := s.lockedAppointment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.DayStatus != booking.Expected {
			return booking.ErrArrived
		}
		if err := s.audited(ctx, tx, "reschedule", "appointment", strconv.FormatInt(id, 10), a.PatientID, reason); err != nil {
			return err
		}
		to.ReferralID, to.RoomMinutes, to.MonitoringMinutes, to.TurnoverMinutes = a.ReferralID, a.RoomMinutes, a.MonitoringMinutes, a.TurnoverMinutes
		to.Start = to.Start.UTC().Truncate(time.Minute)
		if err := to.Validate(); err != nil {
			return err
		}
		if err := s.lockResources(ctx, tx, holds(to)); err != nil {
			return err
		}
		if err := s.checkFree(ctx, tx, holds(to), id); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE resource_busy SET active = ? WHERE appointment_id = ?`, false, id); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE appointments SET room_id = ?, radiologist_id = ?, place_id = ?, anaesthesia_id = ?, starts_at = ?, room_ends_at = ?, place_ends_at = ?,
			updated_at = ? WHERE id = ?`,
			to.RoomID, to.RadiologistID, nullID(to.PlaceID), nullID(to.AnaesthesiaID), to.Start, to.RoomEnd().UTC(), to.PlaceEnd().UTC(), s.now(), id); err != nil {
			return err
		}
		if err := s.takeResources(ctx, tx, id, holds(to)); err != nil {
			return err
		}
		return s.appointmentEvent(ctx, tx, id, "rescheduled", a.Start.UTC().Format(time.RFC3339)+" -> "+to.Start.Format(time.RFC3339)+": "+reason)
	})
}

// lockedAppointment reads a booked appointment inside a write transaction.
func (s *Store) lockedAppointment(ctx context.Context, tx *sql.Tx, id int64) (booking.Appointment, error) {
	// audited by the caller
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE"
	}
	a, err := scanAppointment(s.queryRow(ctx, tx, `SELECT `+appointmentColumns+` FROM appointments a WHERE a.id = ?`+lock, id))
	if err != nil {
		return a, err
	}
	if a.Status != booking.Booked {
		return a, booking.ErrNotBooked
	}
	return a, nil
}

// isExclusionViolation reports PostgreSQL's exclusion-constraint failure.
func isExclusionViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "SQLSTATE 23P01")
}

// SetReferralStatus changes a referral's status by hand with a reason (e.g.
// cancelled by the patient, or a mistake reverted); referral.CanSetStatus
// says which changes are allowed.
func (s *Store) SetReferralStatus(ctx context.Context, id int64, to referral.Status, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("referral: a reason is required")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var from string
		err := s.queryRow(ctx, tx, `SELECT patient_id, status FROM referrals WHERE id = ?`, id).Scan(&patientID, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var booked int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM appointments WHERE referral_id = ? AND status = ?`, id, string(booking.Booked)).Scan(&booked); err != nil {
			return err
		}
		if err := referral.CanSetStatus(referral.Status(from), to, booked > 0); err != nil {
			return err
		}
		if err := s.moveReferral(ctx, tx, id, referral.Status(from), to, reason); err != nil {
			return err
		}
		return s.audited(ctx, tx, "status", "referral", strconv.FormatInt(id, 10), patientID, from+" -> "+string(to))
	})
}
