package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/patient"
	"repere/internal/referral"
)

// WaitingEntry is a referral waiting for an earlier or any free slot.
type WaitingEntry struct {
	ID             int64
	ReferralID     int64
	PatientID      int64
	PatientName    string
	ActID          string
	Urgency        referral.Urgency
	Earliest       string // YYYY-MM-DD or empty
	Latest         string
	Notes          string
	Status         string
	CreatedAt      time.Time
	HasAppointment bool
}

// ErrReferralClosed: the referral is done or cancelled, it waits for nothing.
var ErrReferralClosed = errors.New("store: the referral is done or cancelled")

// AddToWaitingList puts a referral on the waiting list while it is neither
// done nor cancelled (ErrReferralClosed); ErrDuplicate when it is waiting
// already.
func (s *Store) AddToWaitingList(ctx context.Context, referralID int64, earliest, latest, notes string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var status string
		if err := s.queryRow(ctx, tx, `SELECT patient_id, status FROM referrals WHERE id = ?`, referralID).Scan(&patientID, &status); err != nil {
			if err == sql.ErrNoRows {
				return ErrNotFound
			}
			return err
		}
		if status == string(referral.Done) || status == string(referral.Cancelled) {
			return ErrReferralClosed
		}
		var waiting int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM waiting_list WHERE referral_id = ? AND status = 'waiting'`, referralID).Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return ErrDuplicate // the referral is waiting already
		}
		var err error
		id, err = s.insert(ctx, tx, `INSERT INTO waiting_list (referral_id, earliest, latest, notes, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			referralID, earliest, latest, notes, "waiting", s.now())
		if isUniqueViolation(err) {
			return ErrDuplicate // the referral is waiting already
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "waiting_list", strconv.FormatInt(id, 10), patientID, "")
	})
	return id, err
}

// WaitingList returns the entries still waiting, most urgent then oldest
// first; a referral cancelled or done since it was put on the list waits
// no more.
func (s *Store) WaitingList(ctx context.Context) ([]WaitingEntry, error) {
	var out []WaitingEntry
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT w.id, w.referral_id, r.patient_id, p.birth_name, p.used_name, p.first_names, p.sex, r.act_id, r.urgency,
				w.earliest, w.latest, w.notes, w.status, w.created_at,
				(SELECT COUNT(*) FROM appointments a WHERE a.referral_id = r.id AND a.status = 'booked')
			FROM waiting_list w JOIN referrals r ON r.id = w.referral_id JOIN patients p ON p.id = r.patient_id
			WHERE w.status = 'waiting' AND r.status NOT IN ('cancelled', 'done') ORDER BY CASE r.urgency WHEN 'urgent' THEN 0 WHEN 'soon' THEN 1 ELSE 2 END, w.created_at, w.id LIMIT 500`)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := []string{}
		for rows.Next() {
			var e WaitingEntry
			var p patient.Patient
			var urgency string
			var booked int
			if err := rows.Scan(&e.ID, &e.ReferralID, &e.PatientID, &p.BirthName, &p.UsedName, &p.FirstNames, &p.Sex, &e.ActID, &urgency,
				&e.Earliest, &e.Latest, &e.Notes, &e.Status, &e.CreatedAt, &booked); err != nil {
				return err
			}
			e.PatientName, e.Urgency, e.HasAppointment = p.DisplayName(), referral.Urgency(urgency), booked > 0
			out = append(out, e)
			ids = append(ids, strconv.FormatInt(e.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "waiting_list", "", 0, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// CloseWaitingEntry takes an entry off the list (booked or removed).
func (s *Store) CloseWaitingEntry(ctx context.Context, id int64, status string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, status, "waiting_list", strconv.FormatInt(id, 10), 0, ""); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `UPDATE waiting_list SET status = ? WHERE id = ? AND status = 'waiting'`, status, id)
		return expectOne(res, err)
	})
}
