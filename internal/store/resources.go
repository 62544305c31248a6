package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"repere/internal/practice"
)

// CreateAnaesthesiaTeam adds an anaesthetist or anaesthesia team.
func (s *Store) CreateAnaesthesiaTeam(ctx context.Context, t practice.AnaesthesiaTeam) (int64, error) {
	return s.insert(ctx, s.db, `INSERT INTO anaesthesia_teams (site_id, name, active) VALUES (?, ?, ?)`, t.SiteID, t.Name, true)
}

// AnaesthesiaTeams lists the anaesthesia teams by name.
func (s *Store) AnaesthesiaTeams(ctx context.Context) ([]practice.AnaesthesiaTeam, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, site_id, name, active FROM anaesthesia_teams ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.AnaesthesiaTeam
	for rows.Next() {
		var t practice.AnaesthesiaTeam
		if err := rows.Scan(&t.ID, &t.SiteID, &t.Name, &t.Active); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateAnaesthesiaTeam renames a team or takes it out of scheduling.
func (s *Store) UpdateAnaesthesiaTeam(ctx context.Context, t practice.AnaesthesiaTeam) error {
	res, err := s.exec(ctx, s.db, `UPDATE anaesthesia_teams SET name = ?, active = ? WHERE id = ?`, t.Name, t.Active, t.ID)
	return expectOne(res, err)
}

// UpdatePhysician changes a referring physician's name, RPPS number and email.
func (s *Store) UpdatePhysician(ctx context.Context, p practice.Physician) error {
	res, err := s.exec(ctx, s.db, `UPDATE referring_physicians SET name = ?, rpps = ?, email = ? WHERE id = ?`, p.Name, p.RPPS, p.Email, p.ID)
	return expectOne(res, err)
}

const (
	settingTurnover      = "turnover_minutes"
	settingWardDischarge = "ward_discharge_minute"
)

// Settings returns the practice-wide settings; unset values are zero.
func (s *Store) Settings(ctx context.Context) (practice.Settings, error) {
	var out practice.Settings
	rows, err := s.query(ctx, s.db, `SELECT key, value FROM settings`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return out, err
		}
		n, err := strconv.Atoi(value)
		if err != nil {
			return out, errors.New("store: setting " + key + " is not a number")
		}
		switch key {
		case settingTurnover:
			out.TurnoverMinutes = n
		case settingWardDischarge:
			out.WardDischargeMinute = n
		}
	}
	return out, rows.Err()
}

// SaveSettings validates and stores the practice-wide settings.
func (s *Store) SaveSettings(ctx context.Context, v practice.Settings) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for key, n := range map[string]int{settingTurnover: v.TurnoverMinutes, settingWardDischarge: v.WardDischargeMinute} {
			if _, err := s.exec(ctx, tx, `DELETE FROM settings WHERE key = ?`, key); err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, ?)`, key, strconv.Itoa(n)); err != nil {
				return err
			}
		}
		return nil
	})
}
