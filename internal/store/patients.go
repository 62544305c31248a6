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
)

const patientColumns = `id, birth_name, used_name, first_names, birth_date, sex, ins, phone, email, address, created_at`

func scanPatient(row interface{ Scan(...any) error }) (patient.Patient, error) {
	var p patient.Patient
	err := row.Scan(&p.ID, &p.BirthName, &p.UsedName, &p.FirstNames, &p.BirthDate, &p.Sex, &p.INS, &p.Phone, &p.Email, &p.Address, &p.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// patientKeys are the normalised search columns written with every identity change.
func patientKeys(p patient.Patient) []any {
	return []any{patient.SearchKey(p.BirthName), patient.SearchKey(p.UsedName), patient.SearchKey(p.FirstNames), patient.PhoneKey(p.Phone)}
}

// CreatePatient records a new patient.
func (s *Store) CreatePatient(ctx context.Context, p patient.Patient) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.createPatient(ctx, tx, p)
		return err
	})
	return id, err
}

func (s *Store) createPatient(ctx context.Context, tx *sql.Tx, p patient.Patient) (int64, error) {
	args := append([]any{p.BirthName, p.UsedName, p.FirstNames, p.BirthDate, p.Sex, p.INS, p.Phone, p.Email, p.Address, s.now()}, patientKeys(p)...)
	id, err := s.insert(ctx, tx, `INSERT INTO patients (birth_name, used_name, first_names, birth_date, sex, ins, phone, email, address, created_at,
		birth_name_key, used_name_key, first_names_key, phone_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return 0, err
	}
	return id, s.audited(ctx, tx, "create", "patient", strconv.FormatInt(id, 10), id, "")
}

// UpdatePatient replaces a patient's identity and contact details.
func (s *Store) UpdatePatient(ctx context.Context, p patient.Patient) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "update", "patient", strconv.FormatInt(p.ID, 10), p.ID, ""); err != nil {
			return err
		}
		args := append([]any{p.BirthName, p.UsedName, p.FirstNames, p.BirthDate, p.Sex, p.INS, p.Phone, p.Email, p.Address}, patientKeys(p)...)
		res, err := s.exec(ctx, tx, `UPDATE patients SET birth_name = ?, used_name = ?, first_names = ?, birth_date = ?, sex = ?, ins = ?, phone = ?, email = ?, address = ?,
			birth_name_key = ?, used_name_key = ?, first_names_key = ?, phone_key = ? WHERE id = ?`, append(args, p.ID)...)
		return expectOne(res, err)
	})
}

// Patient returns one patient's record.
func (s *Store) Patient(ctx context.Context, id int64) (patient.Patient, error) {
	var p patient.Patient
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Audited before the read, so a missing actor is refused before any data is read.
		if err := s.audited(ctx, tx, "read", "patient", strconv.FormatInt(id, 10), id, ""); err != nil {
			return err
		}
		var err error
		p, err = scanPatient(s.queryRow(ctx, tx, `SELECT `+patientColumns+` FROM patients WHERE id = ?`, id))
		return err
	})
	return p, err
}

// PossibleDuplicates returns the patients with the same birth date and the
// same first name and birth or used name, accents and case aside: the
// secretary confirms before creating a second record.
func (s *Store) PossibleDuplicates(ctx context.Context, p patient.Patient) ([]patient.Patient, error) {
	first := patient.SearchKey(p.FirstNames)
	names := []string{patient.SearchKey(p.BirthName), patient.SearchKey(p.UsedName)}
	if names[1] == "" {
		names[1] = names[0]
	}
	return s.listPatients(ctx, "duplicates",
		`birth_date = ? AND first_names_key = ? AND (birth_name_key IN (?, ?) OR used_name_key IN (?, ?))`,
		[]any{p.BirthDate, first, names[0], names[1], names[0], names[1]}, 20)
}

// SearchPatients finds patients by the start of a name (birth, used or first
// name; several words narrow it), a birth date (YYYY-MM-DD or DD/MM/YYYY) or
// the start of a phone number. An empty q lists patients by name.
func (s *Store) SearchPatients(ctx context.Context, q string, limit int) ([]patient.Patient, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	where, args := patientSearch(q)
	return s.listPatients(ctx, "search", where, args, limit)
}

// patientSearch turns the search box's text into a WHERE clause made of
// prefix ranges, which both engines answer from an index.
func patientSearch(q string) (string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "1=1", nil
	}
	if day, ok := parseDay(q); ok {
		return "birth_date = ?", []any{day}
	}
	if digits := patient.PhoneKey(q); len(digits) >= 4 && len(digits)*2 >= len(strings.ReplaceAll(q, " ", "")) {
		return "phone_key >= ? AND phone_key < ?", []any{digits, digits + "\uffff"}
	}
	words := strings.Fields(patient.SearchKey(q))
	if len(words) == 0 {
		return "1=0", nil
	}
	w := words[0]
	where := "((birth_name_key >= ? AND birth_name_key < ?) OR (used_name_key >= ? AND used_name_key < ?) OR (first_names_key >= ? AND first_names_key < ?))"
	args := []any{w, w + "\uffff", w, w + "\uffff", w, w + "\uffff"}
	for _, more := range words[1:] {
		where += ` AND (birth_name_key LIKE ? ESCAPE '\' OR used_name_key LIKE ? ESCAPE '\' OR first_names_key LIKE ? ESCAPE '\')`
		like := "%" + likeEscape(more) + "%"
		args = append(args, like, like, like)
	}
	return where, args
}

func parseDay(q string) (string, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, q); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

func (s *Store) listPatients(ctx context.Context, purpose, where string, args []any, limit int) ([]patient.Patient, error) {
	var out []patient.Patient
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+patientColumns+` FROM patients WHERE `+where+
			` ORDER BY birth_name_key, first_names_key, id LIMIT `+strconv.Itoa(limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := make([]string, 0, limit)
		for rows.Next() {
			p, err := scanPatient(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
			ids = append(ids, strconv.FormatInt(p.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The query text itself may hold a name: only the ids read are kept.
		return s.audited(ctx, tx, "list", "patient", "", 0, purpose+" ids="+strings.Join(ids, ","))
	})
	return out, err
}

// CreateReferral records a physician's request for an act.
func (s *Store) CreateReferral(ctx context.Context, r referral.Referral) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.createReferral(ctx, tx, r)
		return err
	})
	return id, err
}

func (s *Store) createReferral(ctx context.Context, tx *sql.Tx, r referral.Referral) (int64, error) {
	var physician sql.NullInt64
	if r.PhysicianID != 0 {
		physician = sql.NullInt64{Int64: r.PhysicianID, Valid: true}
	}
	if r.Status == "" {
		r.Status = referral.Received
	}
	if r.Urgency == "" {
		r.Urgency = referral.Routine
	}
	sent, err := encodeSentIdentity(r.SentIdentity)
	if err != nil {
		return 0, err
	}
	id, err := s.insert(ctx, tx, `INSERT INTO referrals (patient_id, physician_id, act_id, levels, side, indication, urgency, prior_imaging, prescription_date, status, created_at,
			sent_identity, identity_to_confirm, record_from_request)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.PatientID, physician, r.ActID, r.Levels, r.Side, r.Indication, string(r.Urgency), r.PriorImaging, r.PrescriptionDate, string(r.Status), s.now(),
		sent, r.IdentityToConfirm, r.RecordFromRequest)
	if err != nil {
		return 0, err
	}
	detail := "act=" + r.ActID
	if r.IdentityToConfirm {
		detail += " identity_to_confirm"
	}
	return id, s.audited(ctx, tx, "create", "referral", strconv.FormatInt(id, 10), r.PatientID, detail)
}

// ReferralFilter selects referrals for the list page.
type ReferralFilter struct {
	Status      referral.Status
	PhysicianID int64
	PatientID   int64
	Limit       int
	Offset      int // referrals skipped, newest first: the list's pages
}

// ListReferrals returns referrals with their patient's and physician's names, newest first.
func (s *Store) ListReferrals(ctx context.Context, f ReferralFilter) ([]referral.Referral, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "r.status = ?"), append(args, string(f.Status))
	}
	if f.PhysicianID != 0 {
		where, args = append(where, "r.physician_id = ?"), append(args, f.PhysicianID)
	}
	if f.PatientID != 0 {
		where, args = append(where, "r.patient_id = ?"), append(args, f.PatientID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	var out []referral.Referral
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT r.id, r.patient_id, COALESCE(r.physician_id, 0), r.act_id, r.levels, r.side, r.indication, r.urgency,
				r.prior_imaging, r.prescription_date, r.status, r.created_at,
				p.birth_name, p.used_name, p.first_names, p.sex, COALESCE(d.name, ''), r.identity_to_confirm
			FROM referrals r JOIN patients p ON p.id = r.patient_id LEFT JOIN referring_physicians d ON d.id = r.physician_id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY r.created_at DESC, r.id DESC LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := make([]string, 0, limit)
		for rows.Next() {
			var r referral.Referral
			var urgency, status string
			var pt patient.Patient
			if err := rows.Scan(&r.ID, &r.PatientID, &r.PhysicianID, &r.ActID, &r.Levels, &r.Side, &r.Indication, &urgency,
				&r.PriorImaging, &r.PrescriptionDate, &status, &r.CreatedAt, &pt.BirthName, &pt.UsedName, &pt.FirstNames, &pt.Sex, &r.PhysicianName, &r.IdentityToConfirm); err != nil {
				return err
			}
			r.Urgency, r.Status, r.PatientName = referral.Urgency(urgency), referral.Status(status), pt.DisplayName()
			out = append(out, r)
			ids = append(ids, strconv.FormatInt(r.ID, 10))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "referral", "", f.PatientID, "ids="+strings.Join(ids, ","))
	})
	return out, err
}

// CountReferralsByStatus returns how many referrals are in each status.
func (s *Store) CountReferralsByStatus(ctx context.Context) (map[referral.Status]int, error) {
	out := map[referral.Status]int{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "count", "referral", "", 0, "by status"); err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT status, COUNT(*) FROM referrals GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var status string
			var n int
			if err := rows.Scan(&status, &n); err != nil {
				return err
			}
			out[referral.Status(status)] = n
		}
		return rows.Err()
	})
	return out, err
}

// Referral returns one referral with its patient's and physician's names.
func (s *Store) Referral(ctx context.Context, id int64) (referral.Referral, error) {
	var r referral.Referral
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var urgency, status, sent string
		var pt patient.Patient
		err := s.queryRow(ctx, tx, `SELECT r.id, r.patient_id, COALESCE(r.physician_id, 0), r.act_id, r.levels, r.side, r.indication, r.urgency,
				r.prior_imaging, r.prescription_date, r.status, r.created_at, p.birth_name, p.used_name, p.first_names, p.sex, COALESCE(d.name, ''), r.cover,
				r.pregnancy_start, r.delivery_date, r.sent_identity, r.identity_to_confirm, r.record_from_request
			FROM referrals r JOIN patients p ON p.id = r.patient_id LEFT JOIN referring_physicians d ON d.id = r.physician_id
			WHERE r.id = ?`, id).Scan(&r.ID, &r.PatientID, &r.PhysicianID, &r.ActID, &r.Levels, &r.Side, &r.Indication, &urgency,
			&r.PriorImaging, &r.PrescriptionDate, &status, &r.CreatedAt, &pt.BirthName, &pt.UsedName, &pt.FirstNames, &pt.Sex, &r.PhysicianName, &r.Cover,
			&r.PregnancyStart, &r.DeliveryDate, &sent, &r.IdentityToConfirm, &r.RecordFromRequest)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		r.Urgency, r.Status, r.PatientName = referral.Urgency(urgency), referral.Status(status), pt.DisplayName()
		if r.SentIdentity, err = decodeSentIdentity(sent); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "referral", strconv.FormatInt(id, 10), r.PatientID, "")
	})
	return r, err
}

// ReferralEvent is one entry of a referral's history: a status change
// (Kind "status"), or, its status unchanged (From = To), a person's
// confirmation of the record it is filed on ("identity_confirmed",
// ToPatientID that record, Check how it was checked and Reason the
// comment) or its re-filing from one record to another ("refiled", or
// "refiled_new" onto a record made from the identity sent).
type ReferralEvent struct {
	At                         time.Time
	Actor                      string
	Kind                       string
	From, To                   referral.Status
	Reason                     string
	FromPatientID, ToPatientID int64
	// Check: how the identity was checked, for a confirmation ("" for one
	// recorded before the check was asked).
	Check referral.IdentityCheck
}

// ReferralHistory returns a referral's history, oldest first.
func (s *Store) ReferralHistory(ctx context.Context, id int64) ([]ReferralEvent, error) {
	var out []ReferralEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT e.at, e.actor_login, e.kind, e.from_status, e.to_status, e.reason,
				COALESCE(e.from_patient_id, 0), COALESCE(e.to_patient_id, 0), r.patient_id
			FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE e.referral_id = ? ORDER BY e.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		var patientID int64
		for rows.Next() {
			var e ReferralEvent
			var from, to string
			if err := rows.Scan(&e.At, &e.Actor, &e.Kind, &from, &to, &e.Reason, &e.FromPatientID, &e.ToPatientID, &patientID); err != nil {
				return err
			}
			e.From, e.To = referral.Status(from), referral.Status(to)
			if e.Kind == "identity_confirmed" {
				how := referral.ParseIdentityConfirmation(e.Reason)
				e.Check, e.Reason = how.Check, how.Comment
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "referral_history", strconv.FormatInt(id, 10), patientID, "")
	})
	return out, err
}

// PatientEvent is one entry of a patient's history (an identity correction).
type PatientEvent struct {
	Kind, Detail, Document, Reason, Actor string
	At                                    time.Time
}

// CorrectIdentity saves a patient's corrected identity and the event that
// says what changed, from what, on which document and why, in one
// transaction; the audit entry carries the old and new values.
func (s *Store) CorrectIdentity(ctx context.Context, p patient.Patient, e PatientEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "identity_correction", "patient", strconv.FormatInt(p.ID, 10), p.ID, e.Detail); err != nil {
			return err
		}
		args := append([]any{p.BirthName, p.UsedName, p.FirstNames, p.BirthDate, p.Sex, p.INS, p.Phone, p.Email, p.Address}, patientKeys(p)...)
		res, err := s.exec(ctx, tx, `UPDATE patients SET birth_name = ?, used_name = ?, first_names = ?, birth_date = ?, sex = ?, ins = ?, phone = ?, email = ?, address = ?,
			birth_name_key = ?, used_name_key = ?, first_names_key = ?, phone_key = ? WHERE id = ?`, append(args, p.ID)...)
		if err := expectOne(res, err); err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		_, err = s.exec(ctx, tx, `INSERT INTO patient_events (patient_id, kind, detail, document, reason, at, actor_login) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.ID, e.Kind, e.Detail, e.Document, e.Reason, s.now(), actor.Login)
		return err
	})
}

// PatientHistory lists a patient's events, oldest first.
func (s *Store) PatientHistory(ctx context.Context, patientID int64) ([]PatientEvent, error) {
	var out []PatientEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "read", "patient_history", strconv.FormatInt(patientID, 10), patientID, ""); err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT kind, detail, document, reason, at, actor_login FROM patient_events WHERE patient_id = ? ORDER BY id`, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e PatientEvent
			if err := rows.Scan(&e.Kind, &e.Detail, &e.Document, &e.Reason, &e.At, &e.Actor); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
