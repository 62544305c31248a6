package store

import (
	"context"
	"database/sql"
	"time"

	"repere/internal/practice"
)

// CreateSite adds a site of the practice.
func (s *Store) CreateSite(ctx context.Context, site practice.Site) (int64, error) {
	return s.insert(ctx, s.db, `INSERT INTO sites (name, address, phone) VALUES (?, ?, ?)`, site.Name, site.Address, site.Phone)
}

// Sites lists the practice's sites.
func (s *Store) Sites(ctx context.Context) ([]practice.Site, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, address, phone FROM sites ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.Site
	for rows.Next() {
		var x practice.Site
		if err := rows.Scan(&x.ID, &x.Name, &x.Address, &x.Phone); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CreateRoom adds a CT room or a monitoring place.
func (s *Store) CreateRoom(ctx context.Context, r practice.Room) (int64, error) {
	return s.insert(ctx, s.db, `INSERT INTO rooms (site_id, name, kind, station_ae_title, active) VALUES (?, ?, ?, ?, ?)`,
		r.SiteID, r.Name, r.Kind, r.StationAETitle, true)
}

// Rooms lists rooms, CT rooms first.
func (s *Store) Rooms(ctx context.Context) ([]practice.Room, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, site_id, name, kind, station_ae_title, active FROM rooms ORDER BY kind, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.Room
	for rows.Next() {
		var x practice.Room
		if err := rows.Scan(&x.ID, &x.SiteID, &x.Name, &x.Kind, &x.StationAETitle, &x.Active); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SetRadiologistActs replaces the list of acts a radiologist performs.
func (s *Store) SetRadiologistActs(ctx context.Context, userID int64, actIDs []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM radiologist_acts WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, a := range actIDs {
			if _, err := s.exec(ctx, tx, `INSERT INTO radiologist_acts (user_id, act_id) VALUES (?, ?)`, userID, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// RadiologistActs returns, per radiologist user id, the acts they perform.
func (s *Store) RadiologistActs(ctx context.Context) (map[int64][]string, error) {
	rows, err := s.query(ctx, s.db, `SELECT user_id, act_id FROM radiologist_acts ORDER BY user_id, act_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var act string
		if err := rows.Scan(&id, &act); err != nil {
			return nil, err
		}
		out[id] = append(out[id], act)
	}
	return out, rows.Err()
}

// CreatePhysician adds a referring physician.
func (s *Store) CreatePhysician(ctx context.Context, p practice.Physician) (int64, error) {
	var user sql.NullInt64
	if p.UserID != 0 {
		user = sql.NullInt64{Int64: p.UserID, Valid: true}
	}
	return s.insert(ctx, s.db, `INSERT INTO referring_physicians (name, rpps, email, user_id) VALUES (?, ?, ?, ?)`, p.Name, p.RPPS, p.Email, user)
}

// PhysicianByUser returns the physician record linked to a referrer account.
func (s *Store) PhysicianByUser(ctx context.Context, userID int64) (practice.Physician, error) {
	var p practice.Physician
	var user sql.NullInt64
	err := s.queryRow(ctx, s.db, `SELECT id, name, rpps, email, user_id FROM referring_physicians WHERE user_id = ?`, userID).
		Scan(&p.ID, &p.Name, &p.RPPS, &p.Email, &user)
	if err == sql.ErrNoRows {
		return p, ErrNotFound
	}
	p.UserID = user.Int64
	return p, err
}

// Physicians lists the referring physicians by name.
func (s *Store) Physicians(ctx context.Context) ([]practice.Physician, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, rpps, email, COALESCE(user_id, 0) FROM referring_physicians ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.Physician
	for rows.Next() {
		var p practice.Physician
		if err := rows.Scan(&p.ID, &p.Name, &p.RPPS, &p.Email, &p.UserID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdateRoom changes a room's name, station AE title and state.
func (s *Store) UpdateRoom(ctx context.Context, r practice.Room) error {
	res, err := s.exec(ctx, s.db, `UPDATE rooms SET name = ?, station_ae_title = ?, active = ? WHERE id = ?`, r.Name, r.StationAETitle, r.Active, r.ID)
	return expectOne(res, err)
}

// AddOpeningHours adds a weekly opening span.
func (s *Store) AddOpeningHours(ctx context.Context, o practice.OpeningHours) (int64, error) {
	return s.insert(ctx, s.db, `INSERT INTO opening_hours (resource_kind, resource_id, weekday, start_minute, end_minute) VALUES (?, ?, ?, ?, ?)`,
		o.ResourceKind, o.ResourceID, o.Weekday, o.StartMinute, o.EndMinute)
}

// DeleteOpeningHours removes a weekly opening span.
func (s *Store) DeleteOpeningHours(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `DELETE FROM opening_hours WHERE id = ?`, id)
	return expectOne(res, err)
}

// OpeningHours lists every weekly opening span, by resource then day and time.
func (s *Store) OpeningHours(ctx context.Context) ([]practice.OpeningHours, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, resource_kind, resource_id, weekday, start_minute, end_minute FROM opening_hours
		ORDER BY resource_kind, resource_id, weekday, start_minute`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.OpeningHours
	for rows.Next() {
		var o practice.OpeningHours
		if err := rows.Scan(&o.ID, &o.ResourceKind, &o.ResourceID, &o.Weekday, &o.StartMinute, &o.EndMinute); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// AddClosure records a dated unavailability.
func (s *Store) AddClosure(ctx context.Context, c practice.Closure) (int64, error) {
	return s.insert(ctx, s.db, `INSERT INTO closures (resource_kind, resource_id, starts_at, ends_at, reason) VALUES (?, ?, ?, ?, ?)`,
		c.ResourceKind, c.ResourceID, c.From.UTC(), c.To.UTC(), c.Reason)
}

// DeleteClosure removes a closure.
func (s *Store) DeleteClosure(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.db, `DELETE FROM closures WHERE id = ?`, id)
	return expectOne(res, err)
}

// Closures lists the closures ending after from, by start.
func (s *Store) Closures(ctx context.Context, from time.Time) ([]practice.Closure, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, resource_kind, resource_id, starts_at, ends_at, reason FROM closures WHERE ends_at > ? ORDER BY starts_at`, from.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []practice.Closure
	for rows.Next() {
		var c practice.Closure
		if err := rows.Scan(&c.ID, &c.ResourceKind, &c.ResourceID, &c.From, &c.To, &c.Reason); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
