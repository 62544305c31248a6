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
	"repere/internal/referral"
)

// bookOnPostgres runs Book in two statements after BEGIN, so that the
// resources' advisory locks, which serialise the bookings of one room, are
// held for one statement and the COMMIT rather than a dozen round trips:
//
//  1. read the referral, draw the appointment's id from its sequence (the
//     accession number follows from it, with no UPDATE) and take the locks
//     of the resources and of the referral (two bookings of one referral in
//     two rooms are serialised too);
//  2. check the resources and the referral's other bookings and, only if
//     all is free, write the appointment, its holds, its event, the
//     referral's move and its event, and the audit entries (this call's and
//     those the unit of work has kept so far), in data-modifying CTEs.
//
// Statement 2 starts once the locks are held, so its snapshot sees every
// booking committed by whoever held them before. Its diagnosis (the first
// taken resource, the referral's active bookings) is returned when nothing
// was written; the caller then rolls back, which also undoes the audit rows.
// The exclusion constraint on resource_busy stays the last line of defence.
func (s *Store) bookOnPostgres(ctx context.Context, tx *sql.Tx, r booking.Request, state string) (bookedID int64, err error) {
	locks, lockArgs := advisoryLocks(append(holds(r), busyRow{kind: "referral", resourceID: r.ReferralID}))
	var patientID, id, locked int64
	var actID, status string
	err = s.queryRow(ctx, tx, `SELECT r.patient_id, r.act_id, r.status, nextval(pg_get_serial_sequence('appointments', 'id')),
			(SELECT count(*) FROM (SELECT `+locks+`) l)
		FROM referrals r WHERE r.id = ?`, append(lockArgs, r.ReferralID)...).Scan(&patientID, &actID, &status, &id, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if err := bookable(r.ReferralID, status); err != nil {
		return 0, err
	}
	entry, err := s.auditedEntry(ctx, "create", "appointment", strconv.FormatInt(id, 10), patientID, "act="+actID)
	if err != nil {
		return 0, err
	}
	entries := []pendingAudit{entry}
	if u := s.unitOf(ctx); u != nil {
		kept := u.takePending(auditChunk - 1)
		entries = append(kept, entry)
		defer func() {
			if err != nil {
				u.putBack(kept) // rolled back with the booking: the unit writes them at its end
			}
		}()
	}
	query, args := s.bookingStatement(ctx, r, id, patientID, actID, status, state, entries)
	var booked, first sql.NullInt64
	var active int64
	if err := s.queryRow(ctx, tx, query, args...).Scan(&booked, &first, &active); err != nil {
		return 0, err
	}
	switch {
	case booked.Valid:
		return booked.Int64, nil
	case active > 0:
		return 0, booking.ErrAlreadyBooked
	case first.Valid:
		return 0, conflictAt(holds(r), first)
	}
	return 0, errors.New("booking: appointment not written")
}

// bookingStatement is Book's second statement on PostgreSQL (see
// bookOnPostgres) and its arguments.
func (s *Store) bookingStatement(ctx context.Context, r booking.Request, id, patientID int64, actID, status, state string, entries []pendingAudit) (string, []any) {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	now := s.now()
	rows := holds(r)
	taken, args := s.firstTaken(rows, 0)
	var q strings.Builder
	q.WriteString(`WITH taken AS (` + taken + `),
	active AS (SELECT COUNT(*) AS n FROM appointments WHERE referral_id = ? AND status = 'booked'),
	appt AS (
		INSERT INTO appointments (id, referral_id, patient_id, act_id, variant_id, status, room_id, radiologist_id, place_id,
			anaesthesia_id, starts_at, room_ends_at, place_ends_at, room_minutes, monitoring_minutes, turnover_minutes, study_instance_uid,
			accession_number, created_at, created_by, updated_at)
		OVERRIDING SYSTEM VALUE
		SELECT ?::bigint, ?::bigint, ?::bigint, ?::text, ?::text, 'booked', ?::bigint, ?::bigint, ?::bigint,
			?::bigint, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::integer, ?::integer, ?::integer, ?::text,
			?::text, ?::timestamptz, ?::text, ?::timestamptz
		FROM taken, active WHERE taken.first IS NULL AND active.n = 0
		RETURNING id),
	busy AS (
		INSERT INTO resource_busy (appointment_id, resource_kind, resource_id, starts_at, ends_at, active)
		SELECT appt.id, v.kind, v.resource_id, v.starts_at, v.ends_at, true FROM appt, (VALUES `)
	args = append(args, r.ReferralID,
		id, r.ReferralID, patientID, actID, r.VariantID, r.RoomID, r.RadiologistID, nullID(r.PlaceID),
		nullID(r.AnaesthesiaID), r.Start, r.RoomEnd().UTC(), r.PlaceEnd().UTC(), r.RoomMinutes, r.MonitoringMinutes, r.TurnoverMinutes, r.StudyInstanceUID,
		accessionNumber(id), now, actor.Login, now)
	for i, b := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`(?::text, ?::bigint, ?::timestamptz, ?::timestamptz)`)
		args = append(args, b.kind, b.resourceID, b.from.UTC(), b.to.UTC())
	}
	q.WriteString(`) v (kind, resource_id, starts_at, ends_at)),
	event AS (
		INSERT INTO appointment_events (appointment_id, at, actor_login, kind, detail, state)
		SELECT appt.id, ?::timestamptz, ?::text, 'booked', ?::text, ?::text FROM appt)`)
	args = append(args, now, actor.Login, r.Start.Format(time.RFC3339), state)
	if status != string(referral.Booked) {
		q.WriteString(`,
	moved AS (UPDATE referrals SET status = 'booked', updated_at = ? WHERE id = ? AND EXISTS (SELECT 1 FROM appt)),
	moved_event AS (
		INSERT INTO referral_events (referral_id, at, actor_login, from_status, to_status, reason)
		SELECT ?::bigint, ?::timestamptz, ?::text, ?::text, 'booked', '' FROM appt)`)
		args = append(args, now, r.ReferralID, r.ReferralID, now, actor.Login, status)
	}
	// The audit rows do not wait for appt: when nothing is booked the
	// caller rolls them back with the rest.
	audit, auditArgs := auditInsert(entries)
	q.WriteString(`,
	audited AS (` + audit + `)
	SELECT (SELECT id FROM appt), taken.first, active.n FROM taken, active`)
	return q.String(), append(args, auditArgs...)
}
