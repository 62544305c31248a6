package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/documents"
)

// ErrHashMismatch is returned when a document's bytes do not match the hash given with it.
var ErrHashMismatch = errors.New("store: the document does not match its SHA-256")

// SaveConsent stores a consent document after checking its hash.
func (s *Store) SaveConsent(ctx context.Context, c documents.Consent) (int64, error) {
	sum := sha256.Sum256(c.Document)
	if hex.EncodeToString(sum[:]) != c.SHA256 {
		return 0, ErrHashMismatch
	}
	if c.Kind != documents.ConsentSigned && c.Kind != documents.ConsentScanned {
		return 0, errors.New("store: unknown consent kind")
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		patientID, err := s.patientOfAppointment(ctx, tx, c.AppointmentID)
		if err != nil {
			return err
		}
		actor, _ := audit.ActorFrom(ctx)
		id, err = s.insert(ctx, tx, `INSERT INTO consents (appointment_id, patient_id, act_id, variant_id, lang, version, kind, signer_name, signature_png,
				document, content_type, sha256, signed_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.AppointmentID, patientID, c.ActID, c.VariantID, c.Lang, c.Version, c.Kind, c.SignerName, c.SignaturePNG,
			c.Document, c.ContentType, c.SHA256, c.SignedAt.UTC(), actor.Login)
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "create", "consent", strconv.FormatInt(id, 10), patientID, c.Kind+" sha256="+c.SHA256)
	})
	return id, err
}

const consentColumns = `c.id, c.appointment_id, c.patient_id, c.act_id, c.variant_id, c.lang, c.version, c.kind, c.signer_name, c.signature_png,
	c.content_type, c.sha256, c.signed_at, c.recorded_by, e.at, e.actor_login, e.reason`

func scanConsent(row interface{ Scan(...any) error }, extra ...any) (documents.Consent, error) {
	var c documents.Consent
	var at sql.NullTime
	var actor, reason sql.NullString
	err := row.Scan(append([]any{&c.ID, &c.AppointmentID, &c.PatientID, &c.ActID, &c.VariantID, &c.Lang, &c.Version, &c.Kind, &c.SignerName,
		&c.SignaturePNG, &c.ContentType, &c.SHA256, &c.SignedAt, &c.RecordedBy, &at, &actor, &reason}, extra...)...)
	if at.Valid {
		c.Withdrawn = &documents.ConsentEvent{At: at.Time, Actor: actor.String, Reason: reason.String}
	}
	return c, err
}

// ConsentsFor lists an appointment's consents, newest first, without their documents.
func (s *Store) ConsentsFor(ctx context.Context, appointmentID int64) ([]documents.Consent, error) {
	var out []documents.Consent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+consentColumns+` FROM consents c LEFT JOIN consent_events e ON e.consent_id = c.id
			WHERE c.appointment_id = ? ORDER BY c.id DESC`, appointmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var patientID int64
		for rows.Next() {
			c, err := scanConsent(rows)
			if err != nil {
				return err
			}
			patientID = c.PatientID
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "consent", "appointment="+strconv.FormatInt(appointmentID, 10), patientID, "")
	})
	return out, err
}

// ConsentDocument returns one consent with its document bytes.
func (s *Store) ConsentDocument(ctx context.Context, id int64) (documents.Consent, error) {
	var c documents.Consent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		var document []byte
		c, err = scanConsent(s.queryRow(ctx, tx, `SELECT `+consentColumns+`, c.document FROM consents c LEFT JOIN consent_events e ON e.consent_id = c.id
			WHERE c.id = ?`, id), &document)
		c.Document = document
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.audited(ctx, tx, "read", "consent", strconv.FormatInt(id, 10), c.PatientID, "")
	})
	return c, err
}

// WithdrawConsent records that the patient withdrew a consent, with a reason;
// the document itself stays as signed.
func (s *Store) WithdrawConsent(ctx context.Context, id int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: a withdrawal needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var withdrawn int
		if err := s.queryRow(ctx, tx, `SELECT c.patient_id, (SELECT COUNT(*) FROM consent_events e WHERE e.consent_id = c.id) FROM consents c WHERE c.id = ?`, id).
			Scan(&patientID, &withdrawn); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if withdrawn > 0 {
			return errors.New("store: this consent is already withdrawn")
		}
		actor, _ := audit.ActorFrom(ctx)
		if _, err := s.exec(ctx, tx, `INSERT INTO consent_events (consent_id, kind, reason, at, actor_login) VALUES (?, 'withdrawn', ?, ?, ?)`,
			id, reason, s.now(), actor.Login); err != nil {
			return err
		}
		return s.audited(ctx, tx, "withdraw", "consent", strconv.FormatInt(id, 10), patientID, "")
	})
}

// RadiologistFees returns each radiologist's extra fee (sector 2), in cents
// (RadiologistBilling gives the convention too; SetRadiologistBilling sets both).
func (s *Store) RadiologistFees(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.query(ctx, s.db, `SELECT user_id, extra_fee_cents FROM radiologist_fees`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, cents int64
		if err := rows.Scan(&id, &cents); err != nil {
			return nil, err
		}
		out[id] = cents
	}
	return out, rows.Err()
}

// ConsentsOfPatient lists a patient's consents, oldest first, without their documents.
func (s *Store) ConsentsOfPatient(ctx context.Context, patientID int64) ([]documents.Consent, error) {
	var out []documents.Consent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.query(ctx, tx, `SELECT `+consentColumns+` FROM consents c LEFT JOIN consent_events e ON e.consent_id = c.id
			WHERE c.patient_id = ? ORDER BY c.id`, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanConsent(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", "consent", "patient="+strconv.FormatInt(patientID, 10), patientID, "")
	})
	return out, err
}
