package store

import (
	"context"
	"database/sql"
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
	ID                  int64
	INS                 string
	Name, Family, Given string
	BirthFrom, BirthTo  string // YYYY-MM-DD, both included
	Limit, Offset       int
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
	where, args := []string{"1=1"}, []any{}
	add := func(clause string, a ...any) { where, args = append(where, clause), append(args, a...) }
	if q.ID != 0 {
		add("id = ?", q.ID)
	}
	if q.INS != "" {
		add("ins = ?", q.INS)
	}
	for _, f := range []struct {
		text    string
		columns []string
	}{
		{q.Name, []string{"birth_name_key", "used_name_key", "first_names_key"}},
		{q.Family, []string{"birth_name_key", "used_name_key"}},
		{q.Given, []string{"first_names_key"}},
	} {
		for _, w := range strings.Fields(patient.SearchKey(f.text)) {
			clause, a := wordStart(f.columns, w)
			add(clause, a...)
		}
	}
	if q.BirthFrom != "" {
		add("birth_date >= ?", q.BirthFrom)
	}
	if q.BirthTo != "" {
		add("birth_date <= ?", q.BirthTo)
	}
	var out []patient.Patient
	var total int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cond := strings.Join(where, " AND ")
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM patients WHERE `+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT `+patientColumns+` FROM patients WHERE `+cond+` ORDER BY id`+page(q.Limit, q.Offset), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []string
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
func (s *Store) pageOfIDs(ctx context.Context, table, alias, cond string, args []any, limit, offset int, entity string) ([]int64, int, error) {
	var ids []int64
	var total int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		from := table + " " + alias + " WHERE " + cond
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM `+from, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := s.query(ctx, tx, `SELECT `+alias+`.id FROM `+from+` ORDER BY `+alias+`.id`+page(limit, offset), args...)
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
	ID, PatientID            int64
	Statuses                 []referral.Status
	AuthoredFrom, AuthoredTo string // prescription date, YYYY-MM-DD, both included
	Limit, Offset            int
}

// FindReferrals returns one page of matching referrals (ids ascending) and the total.
func (s *Store) FindReferrals(ctx context.Context, q ReferralSearch) ([]referral.Referral, int, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(clause string, a ...any) { where, args = append(where, clause), append(args, a...) }
	if q.ID != 0 {
		add("r.id = ?", q.ID)
	}
	if q.PatientID != 0 {
		add("r.patient_id = ?", q.PatientID)
	}
	if len(q.Statuses) > 0 {
		clause, a := inList("r.status", q.Statuses)
		add(clause, a...)
	}
	if q.AuthoredFrom != "" {
		add("r.prescription_date >= ?", q.AuthoredFrom)
	}
	if q.AuthoredTo != "" {
		add("r.prescription_date <= ?", q.AuthoredTo)
	}
	ids, total, err := s.pageOfIDs(ctx, "referrals", "r", strings.Join(where, " AND "), args, q.Limit, q.Offset, "referral")
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
	ID, PatientID, ReferralID int64
	AccessionNumber           string
	Statuses                  []booking.Status
	From, To                  time.Time // From <= start < To
	Limit, Offset             int
}

// FindAppointments returns one page of matching appointments (ids ascending) and the total.
func (s *Store) FindAppointments(ctx context.Context, q AppointmentSearch) ([]booking.Appointment, int, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(clause string, a ...any) { where, args = append(where, clause), append(args, a...) }
	for _, f := range []struct {
		column string
		id     int64
	}{{"a.id", q.ID}, {"a.patient_id", q.PatientID}, {"a.referral_id", q.ReferralID}} {
		if f.id != 0 {
			add(f.column+" = ?", f.id)
		}
	}
	if q.AccessionNumber != "" {
		add("a.accession_number = ?", q.AccessionNumber)
	}
	if len(q.Statuses) > 0 {
		clause, a := inList("a.status", q.Statuses)
		add(clause, a...)
	}
	if !q.From.IsZero() {
		add("a.starts_at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		add("a.starts_at < ?", q.To.UTC())
	}
	ids, total, err := s.pageOfIDs(ctx, "appointments", "a", strings.Join(where, " AND "), args, q.Limit, q.Offset, "appointment")
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
