package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"repere/internal/patient"
	"repere/internal/referral"
)

// Identifier is an identifier another system gave a record (its system, a
// URI, and the value).
type Identifier struct{ System, Value string }

// ErrIdentifierTaken is returned when another record of the same kind
// already holds an identifier (system and value).
var ErrIdentifierTaken = errors.New("store: identifier already held by another record")

// Intake is what another system sends in one request: perhaps a new patient,
// and referrals, each with the identifiers the sender gave it. It is
// recorded whole or not at all.
type Intake struct {
	Patient            *patient.Patient // nil: the referrals name existing patients
	PatientIdentifiers []Identifier
	Referrals          []IntakeReferral
}

// IntakeReferral is one referral of an intake; ForNewPatient sets its
// patient to the intake's new patient.
type IntakeReferral struct {
	Referral      referral.Referral
	Identifiers   []Identifier
	ForNewPatient bool
	// Documents sent with the referral (the prescription), recorded with it.
	Documents []ReferralDocument
}

// IntakeIDs are the ids given to what an intake recorded.
type IntakeIDs struct {
	PatientID   int64
	ReferralIDs []int64
}

// CreateIntake records an intake in one transaction, audited.
func (s *Store) CreateIntake(ctx context.Context, in Intake) (IntakeIDs, error) {
	var out IntakeIDs
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = IntakeIDs{}
		if in.Patient != nil {
			id, err := s.createPatient(ctx, tx, *in.Patient)
			if err != nil {
				return err
			}
			out.PatientID = id
			if err := s.addIdentifiers(ctx, tx, "patient", id, id, in.PatientIdentifiers); err != nil {
				return err
			}
		}
		for _, r := range in.Referrals {
			if r.ForNewPatient {
				r.Referral.PatientID = out.PatientID
			}
			id, err := s.createReferral(ctx, tx, r.Referral)
			if err != nil {
				return err
			}
			if err := s.addIdentifiers(ctx, tx, "referral", id, r.Referral.PatientID, r.Identifiers); err != nil {
				return err
			}
			for _, d := range r.Documents {
				d.ReferralID = id
				if err := s.addReferralDocument(ctx, tx, d); err != nil {
					return err
				}
			}
			out.ReferralIDs = append(out.ReferralIDs, id)
		}
		return s.audited(ctx, tx, "create", "intake", "", out.PatientID, "referrals="+joinIDs(out.ReferralIDs))
	})
	return out, err
}

func (s *Store) addIdentifiers(ctx context.Context, tx *sql.Tx, entity string, id, patientID int64, ids []Identifier) error {
	// audited by the caller
	for _, ident := range ids {
		var holder int64
		err := s.queryRow(ctx, tx, `SELECT entity_id FROM external_identifiers WHERE entity = ? AND system = ? AND value = ?`, entity, ident.System, ident.Value).Scan(&holder)
		if err == nil {
			return ErrIdentifierTaken
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO external_identifiers (entity, entity_id, patient_id, system, value, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			entity, id, patientID, ident.System, ident.Value, s.now()); err != nil {
			if isUniqueViolation(err) {
				return ErrIdentifierTaken
			}
			return err
		}
	}
	return nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// IdentifiersOf returns the identifiers other systems gave records of an
// entity ("patient" or "referral"), by record id.
func (s *Store) IdentifiersOf(ctx context.Context, entity string, ids []int64) (map[int64][]Identifier, error) {
	out := map[int64][]Identifier{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		in, args := inIDs("entity_id", ids)
		rows, err := s.query(ctx, tx, `SELECT entity_id, system, value FROM external_identifiers WHERE entity = ? AND `+in+` ORDER BY id`,
			append([]any{entity}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var ident Identifier
			if err := rows.Scan(&id, &ident.System, &ident.Value); err != nil {
				return err
			}
			out[id] = append(out[id], ident)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", entity+"_identifiers", "", 0, "ids="+joinIDs(ids))
	})
	return out, err
}

// inIDs is "column IN (?, ?…)" for ids.
func inIDs(column string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return column + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

// Version is how many times a record changed (1 when never) and when it
// last did, counted from its events.
type Version struct {
	Number      int
	LastUpdated time.Time
}

// versioned says, per entity, how its versions are counted: its table, its
// events table and the column naming the record there. An appointment's
// first event is its booking, so it does not count.
var versioned = map[string]struct {
	table, events, key string
	first              int
}{
	"patient":     {"patients", "patient_events", "patient_id", 1},
	"referral":    {"referrals", "referral_events", "referral_id", 1},
	"appointment": {"appointments", "appointment_events", "appointment_id", 0},
}

// lastUpdated is the SQL of a record's last change: its last event, else its creation.
func lastUpdated(entity, alias string) string {
	v := versioned[entity]
	return `COALESCE((SELECT MAX(e.at) FROM ` + v.events + ` e WHERE e.` + v.key + ` = ` + alias + `.id), ` + alias + `.created_at)`
}

// Versions returns the version of each record of an entity ("patient",
// "referral", "appointment").
func (s *Store) Versions(ctx context.Context, entity string, ids []int64) (map[int64]Version, error) {
	out := map[int64]Version{}
	v, ok := versioned[entity]
	if !ok {
		return nil, errors.New("store: no versions for " + entity)
	}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		in, args := inIDs("t.id", ids)
		rows, err := s.query(ctx, tx, `SELECT t.id, (SELECT COUNT(*) FROM `+v.events+` e WHERE e.`+v.key+` = t.id), `+lastUpdated(entity, "t")+
			` FROM `+v.table+` t WHERE `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var events int
			var at timeValue
			if err := rows.Scan(&id, &events, &at); err != nil {
				return err
			}
			out[id] = Version{Number: max(1, events+v.first), LastUpdated: at.t}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", entity+"_versions", "", 0, "ids="+joinIDs(ids))
	})
	return out, err
}

// timeValue scans a time that SQLite may give as text (the result of MAX or
// COALESCE has no declared type), or as a time (PostgreSQL, plain columns).
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		v.t = time.Time{}
		return nil
	case time.Time:
		v.t = x
		return nil
	case []byte:
		return v.parse(string(x))
	case string:
		return v.parse(x)
	}
	return fmt.Errorf("store: cannot read a time from %T", src)
}

func (v *timeValue) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			v.t = t
			return nil
		}
	}
	return errors.New("store: cannot read the time " + strconv.Quote(s))
}
