package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/catalog"
)

// ImportedTariffs returns the tariff rows the practice imported for codes
// (all of them when codes is empty). They overlay the built-in table.
func (s *Store) ImportedTariffs(ctx context.Context, codes []string) ([]billing.Tariff, error) {
	query := `SELECT code, label, activity, phase, grid, amount_cents, effective_from, source, status FROM ccam_tariffs`
	args := make([]any, len(codes))
	if len(codes) > 0 {
		query += ` WHERE code IN (?` + strings.Repeat(", ?", len(codes)-1) + `)`
		for i, c := range codes {
			args[i] = c
		}
	}
	rows, err := s.query(ctx, s.db, query+` ORDER BY code, grid, effective_from`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []billing.Tariff
	for rows.Next() {
		var t billing.Tariff
		var status string
		if err := rows.Scan(&t.Code, &t.Label, &t.Activity, &t.Phase, &t.Grid, &t.Amount, &t.From, &t.Source, &status); err != nil {
			return nil, err
		}
		t.Status = catalog.Status(status)
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveTariffImport stores an import's rows (a row with the same code,
// activity, phase, grid and date replaces the previous one; the rows' keys
// are distinct, as billing.ParseCSV makes them) and its record, in one
// transaction with its audit entry; it returns the import's id.
func (s *Store) SaveTariffImport(ctx context.Context, imp billing.Import, rows []billing.Tariff) (int64, error) {
	actor, ok := audit.ActorFrom(ctx)
	if !ok {
		return 0, ErrNoActor
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insert(ctx, tx, `INSERT INTO tariff_imports (at, actor_login, file_name, sha256, source, rows_read, added, changed, unchanged)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.now(), actor.Login, imp.FileName, imp.SHA256, imp.Source, imp.Rows, imp.Added, imp.Changed, imp.Unchanged)
		if err != nil {
			return err
		}
		for start := 0; start < len(rows); start += tariffBatch {
			if err := s.upsertTariffs(ctx, tx, rows[start:min(start+tariffBatch, len(rows))], id); err != nil {
				return err
			}
		}
		detail := "file=" + imp.FileName + " sha256=" + imp.SHA256 + " rows=" + strconv.Itoa(imp.Rows) + " added=" + strconv.Itoa(imp.Added) +
			" changed=" + strconv.Itoa(imp.Changed) + " unchanged=" + strconv.Itoa(imp.Unchanged)
		return s.writeAudit(ctx, tx, actor, "import", "tariffs", strconv.FormatInt(id, 10), 0, detail)
	})
	return id, err
}

// tariffBatch is how many rows one statement writes (10 parameters each,
// far below both engines' limits).
const tariffBatch = 500

// upsertTariffs writes rows, replacing those with the same key.
func (s *Store) upsertTariffs(ctx context.Context, tx *sql.Tx, rows []billing.Tariff, importID int64) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO ccam_tariffs (code, label, activity, phase, grid, amount_cents, effective_from, source, status, import_id) VALUES `)
	args := make([]any, 0, 10*len(rows))
	for i, t := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, t.Code, t.Label, t.Activity, t.Phase, t.Grid, int64(t.Amount), t.From, t.Source, string(t.Status), importID)
	}
	q.WriteString(` ON CONFLICT (code, activity, phase, grid, effective_from) DO UPDATE SET label = excluded.label,
		amount_cents = excluded.amount_cents, source = excluded.source, status = excluded.status, import_id = excluded.import_id`)
	_, err := s.exec(ctx, tx, q.String(), args...)
	return err
}

// TariffImports lists the last imports, newest first.
func (s *Store) TariffImports(ctx context.Context, limit int) ([]billing.Import, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, at, actor_login, file_name, sha256, source, rows_read, added, changed, unchanged
		FROM tariff_imports ORDER BY id DESC LIMIT `+strconv.Itoa(max(1, min(limit, 500))))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []billing.Import
	for rows.Next() {
		var i billing.Import
		if err := rows.Scan(&i.ID, &i.At, &i.ActorLogin, &i.FileName, &i.SHA256, &i.Source, &i.Rows, &i.Added, &i.Changed, &i.Unchanged); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// RadiologistBilling returns each radiologist's convention and extra fee
// (a radiologist without a row is sector 1 without extra fee).
func (s *Store) RadiologistBilling(ctx context.Context) (map[int64]billing.Radiologist, error) {
	rows, err := s.query(ctx, s.db, `SELECT user_id, convention, extra_fee_cents FROM radiologist_fees`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]billing.Radiologist{}
	for rows.Next() {
		var id int64
		var r billing.Radiologist
		if err := rows.Scan(&id, &r.Convention, &r.ExtraFee); err != nil {
			return nil, err
		}
		out[id] = r
	}
	return out, rows.Err()
}

// SetRadiologistBilling sets a radiologist's convention and extra fee.
func (s *Store) SetRadiologistBilling(ctx context.Context, userID int64, r billing.Radiologist) error {
	if r.ExtraFee < 0 || r.ExtraFee > 100000 {
		return errors.New("store: the extra fee must be between 0 and 1,000 euros")
	}
	known := false
	for _, c := range billing.Conventions {
		known = known || c == r.Convention
	}
	if !known {
		return errors.New("store: unknown convention " + strconv.Quote(r.Convention))
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM radiologist_fees WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `INSERT INTO radiologist_fees (user_id, extra_fee_cents, convention) VALUES (?, ?, ?)`, userID, int64(r.ExtraFee), r.Convention)
		return err
	})
}

// SetReferralBilling records how the national insurance covers a
// referral's act and the declared start of pregnancy and day of delivery
// (YYYY-MM-DD, or "").
func (s *Store) SetReferralBilling(ctx context.Context, referralID int64, cover, pregnancyStart, delivery string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		if err := s.queryRow(ctx, tx, `SELECT patient_id FROM referrals WHERE id = ?`, referralID).Scan(&patientID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE referrals SET cover = ?, pregnancy_start = ?, delivery_date = ?, updated_at = ? WHERE id = ?`,
			cover, pregnancyStart, delivery, s.now(), referralID); err != nil {
			return err
		}
		detail := "cover=" + cover
		if pregnancyStart != "" || delivery != "" {
			detail += " pregnancy dates"
		}
		return s.audited(ctx, tx, "update", "referral", strconv.FormatInt(referralID, 10), patientID, detail)
	})
}
