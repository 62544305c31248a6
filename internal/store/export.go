package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"repere/internal/mail"
	"repere/internal/privacy"
)

// scope selects one table's rows about a patient.
type scope struct {
	table, where string
	n            int // placeholders in where, each the patient's id
}

func (sc scope) args(id int64) []any { return repeat(id, sc.n) }

// ownerColumns are the columns through which a row belongs to a patient,
// and how the patient's values of each are selected.
var ownerColumns = []struct{ column, where string }{
	{"patient_id", "patient_id = ?"},
	{"appointment_id", ofAppointments},
	{"referral_id", ofReferrals},
	{"consent_id", "consent_id IN (SELECT id FROM consents WHERE patient_id = ?)"},
}

// patientScopes reads the schema and returns, for every table holding a
// patient (patients itself, and every table with one of ownerColumns), how to
// select one patient's rows. Reading the schema rather than a list means a
// table added later is exported and counted without anyone remembering to.
func (s *Store) patientScopes(ctx context.Context, tx *sql.Tx) ([]scope, error) {
	q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
	if s.engine == Postgres {
		q = `SELECT c.table_name, c.column_name FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`
	}
	rows, err := s.query(ctx, tx, q)
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	columns := map[string]map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			rows.Close()
			return nil, err
		}
		if columns[table] == nil {
			columns[table] = map[string]bool{}
		}
		columns[table][column] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []scope{{table: "patients", where: "id = ?", n: 1}}
	for table, cols := range columns {
		var where []string
		for _, k := range ownerColumns {
			if cols[k.column] {
				where = append(where, k.where)
			}
		}
		if table != "patients" && len(where) > 0 {
			w := strings.Join(where, " OR ")
			out = append(out, scope{table: table, where: w, n: strings.Count(w, "?")})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].table < out[j].table })
	return out, nil
}

// ExportPatient reads every row of every table holding the patient, in one
// transaction, and records the export in the patient's audit trail. Columns
// holding secrets' hashes (tokens, codes) are left out; an email's
// attachments are given as files.
func (s *Store) ExportPatient(ctx context.Context, id int64) (privacy.Export, error) {
	x := privacy.Export{PatientID: id, ExportedAt: s.now().UTC(), Tables: map[string][]privacy.Row{}}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM patients WHERE id = ?`, id).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound
		}
		scopes, err := s.patientScopes(ctx, tx)
		if err != nil {
			return err
		}
		rowCount := 0
		for _, sc := range scopes {
			rows, err := s.exportRows(ctx, tx, sc, id)
			if err != nil {
				return fmt.Errorf("export %s: %w", sc.table, err)
			}
			x.Tables[sc.table] = rows
			rowCount += len(rows)
		}
		return s.audited(ctx, tx, "export", "patient", strconv.FormatInt(id, 10), id,
			strconv.Itoa(len(scopes))+" tables, "+strconv.Itoa(rowCount)+" rows")
	})
	return x, err
}

func (s *Store) exportRows(ctx context.Context, tx *sql.Tx, sc scope, id int64) ([]privacy.Row, error) {
	// audited by the caller
	rows, err := s.query(ctx, tx, `SELECT * FROM `+sc.table+` WHERE `+sc.where+` ORDER BY 1`, sc.args(id)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []privacy.Row{}
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := privacy.Row{}
		for i, col := range cols {
			if strings.HasSuffix(col, "_hash") {
				continue
			}
			row[col] = values[i]
		}
		if err := expandAttachments(sc.table, row); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// expandAttachments turns an email's attachments, stored as JSON, into files.
func expandAttachments(table string, row privacy.Row) error {
	raw, ok := row["attachments"].([]byte)
	if table != "outbox" || !ok {
		return nil
	}
	var list []mail.Attachment
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &list); err != nil {
			return errors.New("outbox attachments: " + err.Error())
		}
	}
	files := []privacy.File{}
	for _, a := range list {
		files = append(files, privacy.File{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	row["attachments"] = files
	return nil
}
