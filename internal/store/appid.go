package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// ApplicationID is written in the header of every Repère SQLite database
// (PRAGMA application_id, bytes 68–71 of the file: "RPRE"), so a restore, a
// backup check or a start can tell a Repère database from any other SQLite
// file without trusting its name. VACUUM INTO keeps it in backups.
const ApplicationID = 0x52505245

// repereTables are tables every Repère schema has had since its first
// migration: with goose's version table they recognise a database written
// before the application id was set.
var repereTables = []string{"goose_db_version", "users", "sessions", "audit_log", "patients", "referrals"}

// ErrForeignDatabase is returned for a SQLite file that is not a Repère database.
var ErrForeignDatabase = errors.New("not a Repère database")

// checkApplicationID tells whether db is a Repère database: it carries our
// application id, or it has none yet but holds the Repère tables (legacy:
// legacy is true). A database with no table at all is empty: neither.
func checkApplicationID(ctx context.Context, db querier) (legacy, empty bool, err error) {
	var id int64
	if err := db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return false, false, err
	}
	if id == ApplicationID {
		return false, false, nil
	}
	if id != 0 {
		return false, false, fmt.Errorf("%w: its application id is 0x%08x, Repère's is 0x%08x", ErrForeignDatabase, uint32(id), ApplicationID)
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return false, false, err
	}
	defer rows.Close()
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, false, err
		}
		tables[name] = true
	}
	if err := rows.Err(); err != nil {
		return false, false, err
	}
	if len(tables) == 0 {
		return false, true, nil
	}
	var missing []string
	for _, t := range repereTables {
		if !tables[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return false, false, fmt.Errorf("%w: no application id and no %s table", ErrForeignDatabase, strings.Join(missing, ", "))
	}
	return true, false, nil
}

// guardSQLiteSchema refuses to migrate a SQLite file that is another
// application's database, before a single Repère table is added to it.
func (s *Store) guardSQLiteSchema(ctx context.Context) error {
	_, _, err := checkApplicationID(ctx, s.db)
	return err
}

// stampApplicationID writes Repère's application id in the header of a
// migrated SQLite database that lacks it (new, or older than the id).
func (s *Store) stampApplicationID(ctx context.Context) error {
	var id int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return err
	}
	if id == ApplicationID {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `PRAGMA application_id = `+strconv.Itoa(ApplicationID))
	return err
}

// latestSQLiteVersion is the newest migration this build carries for SQLite.
func latestSQLiteVersion() (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+string(SQLite))
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}
