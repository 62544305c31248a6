package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/referral"
)

// sentIdentity is the JSON of the identity a referring physician typed.
type sentIdentity struct {
	BirthName  string `json:"birth_name"`
	UsedName   string `json:"used_name,omitempty"`
	FirstNames string `json:"first_names"`
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex"`
	INS        string `json:"ins,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Address    string `json:"address,omitempty"`
}

// encodeSentIdentity is the column's text: "" when no identity was sent.
func encodeSentIdentity(p patient.Patient) (string, error) {
	if p == (patient.Patient{}) {
		return "", nil
	}
	b, err := json.Marshal(sentIdentity{BirthName: p.BirthName, UsedName: p.UsedName, FirstNames: p.FirstNames, BirthDate: p.BirthDate,
		Sex: p.Sex, INS: p.INS, Phone: p.Phone, Email: p.Email, Address: p.Address})
	return string(b), err
}

func decodeSentIdentity(text string) (patient.Patient, error) {
	if text == "" {
		return patient.Patient{}, nil
	}
	var v sentIdentity
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return patient.Patient{}, err
	}
	return patient.Patient{BirthName: v.BirthName, UsedName: v.UsedName, FirstNames: v.FirstNames, BirthDate: v.BirthDate,
		Sex: v.Sex, INS: v.INS, Phone: v.Phone, Email: v.Email, Address: v.Address}, nil
}

// ConfirmReferralIdentity records that a person confirmed the record a
// referral is filed on, and how they checked it: the mark is cleared,
// audited. ErrNotFound when the referral has no identity to confirm
// (already confirmed meanwhile). The referral's history gets an event
// whose reason is the confirmation's Text.
func (s *Store) ConfirmReferralIdentity(ctx context.Context, referralID, patientID int64, how referral.IdentityConfirmation) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE referrals SET identity_to_confirm = ?, updated_at = ? WHERE id = ? AND patient_id = ? AND identity_to_confirm = ?`,
			false, s.now(), referralID, patientID, true)
		if err := expectOne(res, err); err != nil {
			return err
		}
		if err := s.identityEvent(ctx, tx, referralID, "identity_confirmed", 0, patientID, how.Text()); err != nil {
			return err
		}
		detail := "patient=" + strconv.FormatInt(patientID, 10) + " check=" + string(how.Check)
		if comment := strings.TrimSpace(how.Comment); comment != "" {
			detail += " comment=" + comment
		}
		return s.audited(ctx, tx, "identity_confirm", "referral", strconv.FormatInt(referralID, 10), patientID, detail)
	})
}

// RefileReferral files a referral on another patient's record, with the
// reason, and clears its identity mark: a person chose the record. What
// belongs to the referral follows it (its cancelled appointments, the
// identifiers another system gave it); its questionnaire links still open
// are closed, since they were given to the other record's patient. A
// referral booked or done is not moved (ErrNotFound): the caller checks
// its appointments first, this guards a booking made meanwhile. Both
// patients' audit trails get an entry, the referral's history an event.
// newRecord: the record was just made from the identity the physician sent.
func (s *Store) RefileReferral(ctx context.Context, referralID, fromPatientID, toPatientID int64, newRecord bool, reason string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE referrals SET patient_id = ?, identity_to_confirm = ?, record_from_request = ?, updated_at = ?
			WHERE id = ? AND patient_id = ? AND status NOT IN ('booked', 'done')
			AND NOT EXISTS (SELECT 1 FROM appointments WHERE referral_id = ? AND status IN ('booked', 'done'))`,
			toPatientID, false, newRecord, s.now(), referralID, fromPatientID, referralID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE appointments SET patient_id = ? WHERE referral_id = ?`,
			`UPDATE external_identifiers SET patient_id = ? WHERE entity = 'referral' AND entity_id = ?`,
		} {
			if _, err := s.exec(ctx, tx, q, toPatientID, referralID); err != nil {
				return err
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE screening_links SET expires_at = ? WHERE referral_id = ? AND expires_at > ? AND submitted_at IS NULL`,
			s.now(), referralID, s.now()); err != nil {
			return err
		}
		kind := "refiled"
		if newRecord {
			kind = "refiled_new"
		}
		if err := s.identityEvent(ctx, tx, referralID, kind, fromPatientID, toPatientID, reason); err != nil {
			return err
		}
		id := strconv.FormatInt(referralID, 10)
		detail := "from=" + strconv.FormatInt(fromPatientID, 10) + " to=" + strconv.FormatInt(toPatientID, 10) + " reason=" + reason
		if err := s.audited(ctx, tx, "refile", "referral", id, fromPatientID, detail); err != nil {
			return err
		}
		return s.audited(ctx, tx, "refile", "referral", id, toPatientID, detail)
	})
}

// identityEvent adds a confirmation or a re-filing to a referral's history
// (referral_events), its status unchanged; fromPatientID 0 is none.
func (s *Store) identityEvent(ctx context.Context, tx *sql.Tx, referralID int64, kind string, fromPatientID, toPatientID int64, reason string) error {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	from := sql.NullInt64{Int64: fromPatientID, Valid: fromPatientID != 0}
	_, err := s.exec(ctx, tx, `INSERT INTO referral_events (referral_id, at, actor_login, from_status, to_status, reason, kind, from_patient_id, to_patient_id)
		VALUES (?, ?, ?, (SELECT status FROM referrals WHERE id = ?), (SELECT status FROM referrals WHERE id = ?), ?, ?, ?, ?)`,
		referralID, s.now(), actor.Login, referralID, referralID, reason, kind, from, toPatientID)
	return err
}
