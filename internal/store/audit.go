package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"repere/internal/audit"
)

// ErrNoActor is returned when patient data is touched without a known actor.
var ErrNoActor = errors.New("store: patient data accessed without an actor in the context")

// audited writes the audit entry of a patient-data access inside the caller's
// transaction, so the access and its trace commit or fail together. Every
// store method that reads or changes patient data calls it (checked by test).
func (s *Store) audited(ctx context.Context, tx querier, action, entity, entityID string, patientID int64, detail string) error {
	actor, ok := audit.ActorFrom(ctx)
	if !ok {
		return ErrNoActor
	}
	return s.writeAudit(ctx, tx, actor, action, entity, entityID, patientID, detail)
}

// auditedEntry is audited for a caller that writes the entry in one of its
// own statements of the same transaction (see bookOnPostgres).
func (s *Store) auditedEntry(ctx context.Context, action, entity, entityID string, patientID int64, detail string) (pendingAudit, error) {
	actor, ok := audit.ActorFrom(ctx)
	if !ok {
		return pendingAudit{}, ErrNoActor
	}
	return pendingAudit{at: s.now(), actor: actor, action: action, entity: entity, entityID: entityID, patientID: patientID, detail: detail}, nil
}

func (s *Store) writeAudit(ctx context.Context, q querier, actor audit.Actor, action, entity, entityID string, patientID int64, detail string) error {
	// Inside a unit of work the entry is kept and written when the unit
	// ends, before its answer is sent (see unit.go).
	if u := s.unitOf(ctx); u != nil && s.within(ctx, q) == querier(u.tx) {
		u.keep(pendingAudit{at: s.now(), actor: actor, action: action, entity: entity, entityID: entityID, patientID: patientID, detail: detail})
		return nil
	}
	var actorID, patient sql.NullInt64
	if actor.UserID != 0 {
		actorID = sql.NullInt64{Int64: actor.UserID, Valid: true}
	}
	if patientID != 0 {
		patient = sql.NullInt64{Int64: patientID, Valid: true}
	}
	_, err := s.exec(ctx, q, `INSERT INTO audit_log (at, actor_id, actor_login, actor_role, action, entity, entity_id, patient_id, remote_addr, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.now(), actorID, actor.Login, actor.Role, action, entity, entityID, patient, actor.RemoteAddr, detail)
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// RecordEvent writes an audit entry for an event that is not a patient-data
// access (login, account change). The actor may be anonymous (failed login).
func (s *Store) RecordEvent(ctx context.Context, actor audit.Actor, action, entity, entityID, detail string) error {
	if actor.Login == "" {
		actor.Login = "anonymous"
	}
	return s.writeAudit(ctx, s.db, actor, action, entity, entityID, 0, detail)
}

// SearchAudit returns audit entries matching f, newest first. Reading the audit
// log is itself recorded.
func (s *Store) SearchAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Actor != "" {
		where, args = append(where, "actor_login = ?"), append(args, f.Actor)
	}
	if f.PatientID != 0 {
		where, args = append(where, "patient_id = ?"), append(args, f.PatientID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Entity != "" {
		where, args = append(where, "entity = ?"), append(args, f.Entity)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	if f.BeforeID != 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	if !strings.HasPrefix(f.Actor, "system:") {
		switch f.System {
		case audit.SystemHide:
			where = append(where, "actor_login NOT LIKE 'system:%'")
		case audit.SystemOnly:
			where = append(where, "actor_login LIKE 'system:%'")
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []audit.Entry
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.audited(ctx, tx, "search", "audit_log", "", f.PatientID, describeFilter(f)); err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT id, at, actor_id, actor_login, actor_role, action, entity, entity_id, patient_id, remote_addr, detail
			FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e audit.Entry
			var actorID, patientID sql.NullInt64
			if err := rows.Scan(&e.ID, &e.At, &actorID, &e.ActorLogin, &e.ActorRole, &e.Action, &e.Entity, &e.EntityID, &patientID, &e.RemoteAddr, &e.Detail); err != nil {
				return err
			}
			e.ActorID, e.PatientID = actorID.Int64, patientID.Int64
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func describeFilter(f audit.Filter) string {
	var parts []string
	if f.Actor != "" {
		parts = append(parts, "actor="+f.Actor)
	}
	if f.Action != "" {
		parts = append(parts, "action="+f.Action)
	}
	if f.Entity != "" {
		parts = append(parts, "entity="+f.Entity)
	}
	if !f.From.IsZero() {
		parts = append(parts, "from="+f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		parts = append(parts, "to="+f.To.Format("2006-01-02"))
	}
	if f.System != "" {
		parts = append(parts, "system="+f.System)
	}
	return strings.Join(parts, " ")
}
