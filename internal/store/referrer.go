package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/report"
)

// The referring physician's space: the requests they sent, matched by
// their account or by the RPPS number of the physician record linked to it
// (a request received by FHIR or typed by the secretary may name another
// record of the same physician), and the signed reports of those requests
// only.

// referrerMatch selects the referrals of a referring physician's account;
// its two ? are the user's id.
const referrerMatch = `r.physician_id IN (SELECT d.id FROM referring_physicians d WHERE d.user_id = ?
	OR (d.rpps <> '' AND d.rpps IN (SELECT u.rpps FROM referring_physicians u WHERE u.user_id = ? AND u.rpps <> '')))`

// ReferrerRequest is one request of a referring physician with where it stands.
type ReferrerRequest struct {
	referral.Referral
	// Appointment is the request's latest appointment (zero: none yet).
	AppointmentStart  time.Time
	AppointmentStatus string
	Reports           []report.Signed // signed versions, without their PDF
	Documents         []ReferralDocument
}

// ReferrerRequests lists a referring physician's requests, newest first,
// with their appointment and signed reports, at most limit.
func (s *Store) ReferrerRequests(ctx context.Context, userID int64, limit int) ([]ReferrerRequest, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var out []ReferrerRequest
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT r.id, r.patient_id, r.act_id, r.levels, r.side, r.urgency, r.prescription_date, r.status, r.created_at,
				p.birth_name, p.used_name, p.first_names, p.sex, p.birth_date
			FROM referrals r JOIN patients p ON p.id = r.patient_id
			WHERE `+referrerMatch+` ORDER BY r.created_at DESC, r.id DESC LIMIT `+strconv.Itoa(limit), userID, userID)
		if err != nil {
			return err
		}
		index := map[int64]int{}
		var ids []string
		for rows.Next() {
			var q ReferrerRequest
			var urgency, status string
			var pt patient.Patient
			if err := rows.Scan(&q.ID, &q.PatientID, &q.ActID, &q.Levels, &q.Side, &urgency, &q.PrescriptionDate, &status, &q.CreatedAt,
				&pt.BirthName, &pt.UsedName, &pt.FirstNames, &pt.Sex, &pt.BirthDate); err != nil {
				rows.Close()
				return err
			}
			q.Urgency, q.Status, q.PatientName = referral.Urgency(urgency), referral.Status(status), pt.DisplayName()
			index[q.ID] = len(out)
			out = append(out, q)
			ids = append(ids, strconv.FormatInt(q.ID, 10))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) > 0 {
			if err := s.referrerDetails(ctx, tx, out, index, strings.Join(ids, ",")); err != nil {
				return err
			}
		}
		return s.audited(ctx, tx, "list", "referral", "referrer", 0, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// referrerDetails fills the appointments, reports and documents of the
// listed requests; ids are integers from the query above.
func (s *Store) referrerDetails(ctx context.Context, tx *sql.Tx, out []ReferrerRequest, index map[int64]int, ids string) error {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT referral_id, starts_at, status FROM appointments WHERE referral_id IN (`+ids+`) ORDER BY starts_at`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ref int64
		var start time.Time
		var status string
		if err := rows.Scan(&ref, &start, &status); err != nil {
			rows.Close()
			return err
		}
		out[index[ref]].AppointmentStart, out[index[ref]].AppointmentStatus = start, status
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.query(ctx, tx, `SELECT a.referral_id, rp.id, rp.appointment_id, rp.number, rp.signed_by, rp.signed_at FROM reports rp
		JOIN appointments a ON a.id = rp.appointment_id WHERE a.referral_id IN (`+ids+`) ORDER BY rp.number`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ref int64
		var rep report.Signed
		if err := rows.Scan(&ref, &rep.ID, &rep.AppointmentID, &rep.Number, &rep.SignedBy, &rep.SignedAt); err != nil {
			rows.Close()
			return err
		}
		out[index[ref]].Reports = append(out[index[ref]].Reports, rep)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.query(ctx, tx, `SELECT id, referral_id, kind, filename, content_type, sha256, created_at FROM referral_documents
		WHERE referral_id IN (`+ids+`) ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d ReferralDocument
		if err := rows.Scan(&d.ID, &d.ReferralID, &d.Kind, &d.Filename, &d.ContentType, &d.SHA256, &d.CreatedAt); err != nil {
			return err
		}
		out[index[d.ReferralID]].Documents = append(out[index[d.ReferralID]].Documents, d)
	}
	return rows.Err()
}

// ReferrerReport returns a signed report of one of the physician's own
// requests; another's is ErrNotFound, and the refusal is audited too.
func (s *Store) ReferrerReport(ctx context.Context, userID, reportID int64) (report.Signed, error) {
	var r report.Signed
	found := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.queryRow(ctx, tx, `SELECT rp.id, rp.appointment_id, rp.patient_id, rp.number, rp.title, rp.signed_by, rp.signed_at, rp.sha256, rp.pdf
			FROM reports rp JOIN appointments a ON a.id = rp.appointment_id JOIN referrals r ON r.id = a.referral_id
			WHERE rp.id = ? AND `+referrerMatch, reportID, userID, userID).Scan(&r.ID, &r.AppointmentID, &r.PatientID, &r.Number, &r.Title, &r.SignedBy, &r.SignedAt, &r.SHA256, &r.PDF)
		if errors.Is(err, sql.ErrNoRows) { // the refusal is kept in the log (committed)
			return s.audited(ctx, tx, "read_refused", "report", strconv.FormatInt(reportID, 10), 0, "not a request of this referrer")
		}
		if err != nil {
			return err
		}
		found = true
		return s.audited(ctx, tx, "read", "report", strconv.FormatInt(reportID, 10), r.PatientID, "referrer")
	})
	if err == nil && !found {
		return report.Signed{}, ErrNotFound
	}
	return r, err
}

// ReferralDocument is a file sent with a referral (the prescription).
type ReferralDocument struct {
	ID          int64
	ReferralID  int64
	Kind        string // prescription
	Filename    string
	ContentType string
	SHA256      string
	Data        []byte
	CreatedAt   time.Time
}

// addReferralDocument stores a referral's file.
func (s *Store) addReferralDocument(ctx context.Context, tx *sql.Tx, d ReferralDocument) error {
	// audited by the caller
	actor, _ := audit.ActorFrom(ctx)
	if d.Kind == "" {
		d.Kind = "prescription"
	}
	_, err := s.exec(ctx, tx, `INSERT INTO referral_documents (referral_id, kind, filename, content_type, sha256, data, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ReferralID, d.Kind, d.Filename, d.ContentType, d.SHA256, d.Data, s.now(), actor.Login)
	return err
}

// ReferralDocuments lists a referral's files, without their bytes.
func (s *Store) ReferralDocuments(ctx context.Context, referralID int64) ([]ReferralDocument, error) {
	var out []ReferralDocument
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT d.id, d.referral_id, d.kind, d.filename, d.content_type, d.sha256, d.created_at
			FROM referral_documents d WHERE d.referral_id = ? ORDER BY d.id`, referralID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d ReferralDocument
			if err := rows.Scan(&d.ID, &d.ReferralID, &d.Kind, &d.Filename, &d.ContentType, &d.SHA256, &d.CreatedAt); err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "referral_document", "referral="+strconv.FormatInt(referralID, 10), 0, "")
	})
	return out, err
}

// ReferralDocumentsByPatientID lists the files of all of a patient's
// referrals, without their bytes, in one query: newest referral first (as
// ListReferrals), each referral's files in the order they came.
func (s *Store) ReferralDocumentsByPatientID(ctx context.Context, patientID int64) ([]ReferralDocument, error) {
	var out []ReferralDocument
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT d.id, d.referral_id, d.kind, d.filename, d.content_type, d.sha256, d.created_at
			FROM referral_documents d JOIN referrals r ON r.id = d.referral_id
			WHERE r.patient_id = ? ORDER BY r.created_at DESC, r.id DESC, d.id`, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := []string{}
		for rows.Next() {
			var d ReferralDocument
			if err := rows.Scan(&d.ID, &d.ReferralID, &d.Kind, &d.Filename, &d.ContentType, &d.SHA256, &d.CreatedAt); err != nil {
				return err
			}
			out = append(out, d)
			ids = append(ids, strconv.FormatInt(d.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "referral_document", "", patientID, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// ReferralDocumentByID returns one file with its bytes (the staff download it).
func (s *Store) ReferralDocumentByID(ctx context.Context, id int64) (ReferralDocument, error) {
	var d ReferralDocument
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		err := s.queryRow(ctx, tx, `SELECT d.id, d.referral_id, d.kind, d.filename, d.content_type, d.sha256, d.data, d.created_at, r.patient_id
			FROM referral_documents d JOIN referrals r ON r.id = d.referral_id WHERE d.id = ?`, id).
			Scan(&d.ID, &d.ReferralID, &d.Kind, &d.Filename, &d.ContentType, &d.SHA256, &d.Data, &d.CreatedAt, &patientID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "referral_document", strconv.FormatInt(id, 10), patientID, "")
	})
	return d, err
}
