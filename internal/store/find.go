package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/referral"
)

// PatientSearch selects patients for the API; set fields must all match.
// Name, Family and Given match a name word's start, accents and case aside.
type PatientSearch struct {
	IDs                 []int64 // any of them; nil: any patient
	Identifier          *IdentifierMatch
	Name, Family, Given string
	BirthFrom, BirthTo  string // YYYY-MM-DD, both included
	Changed
	Sort          []Sort
	Limit, Offset int
}

// IdentifierMatch finds records holding any of the identifiers: their own
// ids, an INS (patients), or identifiers other systems gave them.
type IdentifierMatch struct {
	IDs      []int64
	INS      []string
	External []Identifier // System "" matches any system
}

// Changed bounds a record's last change: From <= last change < To (zero: unbounded).
type Changed struct{ ChangedFrom, ChangedTo time.Time }

// Sort orders a search: Key is "updated" (last change) or a date of the
// record ("birth_date" for patients, "authored" for referrals, "start" for
// appointments); ids ascending break ties.
type Sort struct {
	Key  string
	Desc bool
}

// where gathers a search's conditions and their arguments.
type where struct {
	clauses []string
	args    []any
}

func (w *where) add(clause string, args ...any) {
	w.clauses, w.args = append(w.clauses, clause), append(w.args, args...)
}

func (w *where) String() string {
	if len(w.clauses) == 0 {
		return "1=1"
	}
	return strings.Join(w.clauses, " AND ")
}

// ids adds "alias.id IN (…)" unless ids is nil; an empty list matches nothing.
func (w *where) ids(column string, ids []int64) {
	switch {
	case ids == nil:
	case len(ids) == 0:
		w.add("1=0")
	default:
		clause, args := inIDs(column, ids)
		w.add(clause, args...)
	}
}

// identifiers adds the identifier match of an entity whose table is aliased.
func (w *where) identifiers(m *IdentifierMatch, entity, alias, insColumn string) {
	// audited by the caller
	if m == nil {
		return
	}
	var parts []string
	var args []any
	if len(m.IDs) > 0 {
		clause, a := inIDs(alias+".id", m.IDs)
		parts, args = append(parts, clause), append(args, a...)
	}
	if len(m.INS) > 0 && insColumn != "" {
		clause, a := inList(insColumn, m.INS)
		parts, args = append(parts, clause), append(args, a...)
	}
	for _, ext := range m.External {
		clause := alias + ".id IN (SELECT x.entity_id FROM external_identifiers x WHERE x.entity = ? AND x.value = ?"
		args = append(args, entity, ext.Value)
		if ext.System != "" {
			clause += " AND x.system = ?"
			args = append(args, ext.System)
		}
		parts = append(parts, clause+")")
	}
	if len(parts) == 0 {
		w.add("1=0")
		return
	}
	w.add("("+strings.Join(parts, " OR ")+")", args...)
}

// changed adds the bounds of the last change.
func (w *where) changed(c Changed, entity, alias string) {
	if !c.ChangedFrom.IsZero() {
		w.add(lastUpdated(entity, alias)+" >= ?", c.ChangedFrom.UTC())
	}
	if !c.ChangedTo.IsZero() {
		w.add(lastUpdated(entity, alias)+" < ?", c.ChangedTo.UTC())
	}
}

// orderBy writes the ORDER BY of a search; columns maps the sort keys the
// entity knows to their SQL.
func orderBy(sorts []Sort, entity, alias string, columns map[string]string) (string, error) {
	var parts []string
	for _, so := range sorts {
		col, ok := columns[so.Key]
		if so.Key == "updated" {
			col, ok = lastUpdated(entity, alias), true
		}
		if !ok {
			return "", errors.New("store: cannot sort " + entity + " by " + so.Key)
		}
		if so.Desc {
			col += " DESC"
		}
		parts = append(parts, col)
	}
	return " ORDER BY " + strings.Join(append(parts, alias+".id"), ", "), nil
}

// wordStart matches a query word at the start of any word of a key column.
func wordStart(columns []string, word string) (string, []any) {
	var parts []string
	var args []any
	word = likeEscape(word)
	for _, c := range columns {
		parts = append(parts, "("+c+` LIKE ? ESCAPE '\' OR `+c+` LIKE ? ESCAPE '\' OR `+c+` LIKE ? ESCAPE '\')`)
		args = append(args, word+"%", "% "+word+"%", "%-"+word+"%")
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// likeEscape makes a text match itself in a LIKE pattern written with
// ESCAPE '\' (both engines): its wildcards % and _ and the escape character
// are escaped, so a search for "%" finds a literal "%", not every row.
func likeEscape(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// FindPatients returns one page of matching patients (ids ascending) and
// how many match in all.
func (s *Store) FindPatients(ctx context.Context, q PatientSearch) ([]patient.Patient, int, error) {
	var w where
	w.ids("p.id", q.IDs)
	w.identifiers(q.Identifier, "patient", "p", "p.ins")
	for _, f := range []struct {
		text    string
		columns []string
	}{
		{q.Name, []string{"p.birth_name_key", "p.used_name_key", "p.first_names_key"}},
		{q.Family, []string{"p.birth_name_key", "p.used_name_key"}},
		{q.Given, []string{"p.first_names_key"}},
	} {
		for _, word := range strings.Fields(patient.SearchKey(f.text)) {
			clause, a := wordStart(f.columns, word)
			w.add(clause, a...)
		}
	}
	if q.BirthFrom != "" {
		w.add("p.birth_date >= ?", q.BirthFrom)
	}
	if q.BirthTo != "" {
		w.add("p.birth_date <= ?", q.BirthTo)
	}
	w.changed(q.Changed, "patient", "p")
	order, err := orderBy(q.Sort, "patient", "p", map[string]string{"birth_date": "p.birth_date"})
	if err != nil {
		return nil, 0, err
	}
	var out []patient.Patient
	var total int
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cond := w.String()
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM patients p WHERE `+cond, w.args...).Scan(&total); err != nil {
			return err
		}
		var ids []string
		if q.Limit >= 0 {
			rows, err := s.query(ctx, tx, `SELECT `+patientColumns+` FROM patients p WHERE `+cond+order+page(q.Limit, q.Offset), w.args...)
			if err != nil {
				return err
			}
			defer rows.Close()
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
		}
		return s.audited(ctx, tx, "list", "patient", "", 0, "api ids="+strings.Join(ids, ","))
	})
	return out, total, err
}

// inList is "column IN (?, ?…)" with its arguments.
func inList[T ~string](column string, values []T) (string, []any) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = string(v)
	}
	return column + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(values)), ",") + ")", args
}

// pageOfIDs counts the rows of table (aliased) matching cond and returns one
// page of their ids, ascending, auditing the search as a list of entity.
// A negative limit only counts.
func (s *Store) pageOfIDs(ctx context.Context, table, alias, cond, order string, args []any, limit, offset int, entity string) ([]int64, int, error) {
	var ids []int64
	var total int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		from := table + " " + alias + " WHERE " + cond
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM `+from, args...).Scan(&total); err != nil {
			return err
		}
		if limit < 0 {
			return s.audited(ctx, tx, "count", entity, "", 0, "api")
		}
		rows, err := s.query(ctx, tx, `SELECT `+alias+`.id FROM `+from+order+page(limit, offset), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.audited(ctx, tx, "list", entity, "", 0, "api")
	})
	return ids, total, err
}

func page(limit, offset int) string {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return " LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(max(offset, 0))
}

// ReferralSearch selects referrals for the API.
type ReferralSearch struct {
	IDs, PatientIDs          []int64 // any of them; nil: any
	Identifier               *IdentifierMatch
	Statuses                 []referral.Status
	AuthoredFrom, AuthoredTo string // prescription date, YYYY-MM-DD, both included
	Changed
	Sort          []Sort
	Limit, Offset int // a negative Limit only counts
}

// FindReferrals returns one page of matching referrals (ids ascending) and the total.
func (s *Store) FindReferrals(ctx context.Context, q ReferralSearch) ([]referral.Referral, int, error) {
	var w where
	w.ids("r.id", q.IDs)
	w.ids("r.patient_id", q.PatientIDs)
	w.identifiers(q.Identifier, "referral", "r", "")
	if len(q.Statuses) > 0 {
		clause, args := inList("r.status", q.Statuses)
		w.add(clause, args...)
	}
	if q.AuthoredFrom != "" {
		w.add("r.prescription_date >= ?", q.AuthoredFrom)
	}
	if q.AuthoredTo != "" {
		w.add("r.prescription_date <= ?", q.AuthoredTo)
	}
	w.changed(q.Changed, "referral", "r")
	order, err := orderBy(q.Sort, "referral", "r", map[string]string{"authored": "r.prescription_date"})
	if err != nil {
		return nil, 0, err
	}
	ids, total, err := s.pageOfIDs(ctx, "referrals", "r", w.String(), order, w.args, q.Limit, q.Offset, "referral")
	if err != nil {
		return nil, 0, err
	}
	out := make([]referral.Referral, 0, len(ids))
	for _, id := range ids {
		r, err := s.Referral(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, nil
}

// AppointmentSearch selects appointments for the API.
type AppointmentSearch struct {
	IDs, PatientIDs, ReferralIDs []int64 // any of them; nil: any
	AccessionNumbers             []string
	Identifier                   *IdentifierMatch
	Statuses                     []booking.Status
	From, To                     time.Time // From <= start < To
	Changed
	Sort          []Sort
	Limit, Offset int // a negative Limit only counts
}

// FindAppointments returns one page of matching appointments (ids ascending) and the total.
func (s *Store) FindAppointments(ctx context.Context, q AppointmentSearch) ([]booking.Appointment, int, error) {
	var w where
	w.ids("a.id", q.IDs)
	w.ids("a.patient_id", q.PatientIDs)
	w.ids("a.referral_id", q.ReferralIDs)
	w.identifiers(q.Identifier, "appointment", "a", "")
	if q.AccessionNumbers != nil {
		if len(q.AccessionNumbers) == 0 {
			w.add("1=0")
		} else {
			clause, args := inList("a.accession_number", q.AccessionNumbers)
			w.add(clause, args...)
		}
	}
	if len(q.Statuses) > 0 {
		clause, args := inList("a.status", q.Statuses)
		w.add(clause, args...)
	}
	if !q.From.IsZero() {
		w.add("a.starts_at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		w.add("a.starts_at < ?", q.To.UTC())
	}
	w.changed(q.Changed, "appointment", "a")
	order, err := orderBy(q.Sort, "appointment", "a", map[string]string{"start": "a.starts_at"})
	if err != nil {
		return nil, 0, err
	}
	ids, total, err := s.pageOfIDs(ctx, "appointments", "a", w.String(), order, w.args, q.Limit, q.Offset, "appointment")
	if err != nil {
		return nil, 0, err
	}
	out := make([]booking.Appointment, 0, len(ids))
	for _, id := range ids {
		list, err := s.ListAppointments(ctx, AppointmentFilter{ID: id})
		if err != nil {
			return nil, 0, err
		}
		out = append(out, list...)
	}
	return out, total, nil
}
