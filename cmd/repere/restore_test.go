package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/catalog"
	"repere/internal/demo"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// These tests check restore's refusals by their messages and by the files
// they leave, not by new error values, so that they compile, and fail, on
// the restore that turned a mistyped path into an empty database.

// practiceDB writes a migrated database holding the demo practice and one
// patient whose address (an unindexed column) the tests corrupt, and
// returns how many patients and appointments it holds.
func practiceDB(t *testing.T, path string) (patients, appointments int64) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	mustRun(t, "migrate", "--db", path)
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if _, err := demo.Load(ctx, st, cat, "Mot-de-passe-de-demo-1", demo.FirstDay(storetest.Now(), paris)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreatePatient(ctx, patient.Patient{BirthName: "Sentinelle", FirstNames: "Zoé", BirthDate: "1980-01-01", Sex: "F", Address: "12 rue Zzyzx"}); err != nil {
		t.Fatal(err)
	}
	return countRows(t, path, "patients"), countRows(t, path, "appointments")
}

func countRows(t *testing.T, path, table string) int64 {
	t.Helper()
	db := openRaw(t, path, "mode=ro")
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s in %s: %v", table, path, err)
	}
	return n
}

// openRaw opens a SQLite file without the store (no migration, no WAL).
func openRaw(t *testing.T, path, params string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?"+params)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("repere %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// writeSidecar gives a crafted file a correct checksum file, so that the
// case is refused for what is wrong with it and not for a missing checksum.
func writeSidecar(t *testing.T, path string) {
	t.Helper()
	line := sha256File(t, path) + "  " + filepath.Base(path) + "\n"
	if err := os.WriteFile(path+".sha256", []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreRefuses restores, with --force, files that must never replace a
// practice's database: every one is refused with a clear message and a
// non-zero exit, the database keeps its bytes, and the backup is not touched.
func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	practiceDB(t, live)
	good := filepath.Join(dir, "good.db")
	mustRun(t, "backup", "--db", live, "--to", good)
	goodBytes, _ := os.ReadFile(good)

	cases := []struct {
		name    string
		prepare func(t *testing.T, path string) // writes the backup to restore at path
		flags   []string
		want    string // in the error
	}{
		{"missing path", func(*testing.T, string) {}, nil, "no such file"},
		{"a folder", func(t *testing.T, p string) { os.Mkdir(p, 0o700) }, nil, "not a regular file"},
		{"empty file", func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600); writeSidecar(t, p) }, nil, "empty or partial"},
		{"partial file left by a full disk", func(t *testing.T, p string) {
			os.WriteFile(p, goodBytes[:len(goodBytes)/2], 0o600)
			writeSidecar(t, p)
		}, nil, "empty or partial"},
		{"header only", func(t *testing.T, p string) { os.WriteFile(p, goodBytes[:100], 0o600); writeSidecar(t, p) }, nil, "empty or partial"},
		{"foreign SQLite file", func(t *testing.T, p string) {
			db := openRaw(t, p, "")
			if _, err := db.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('courses')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			writeSidecar(t, p)
		}, nil, "not a Repère database"},
		{"another application's id", func(t *testing.T, p string) {
			copyTo(t, good, p)
			db := openRaw(t, p, "")
			if _, err := db.Exec(`PRAGMA application_id = 0x47504B47`); err != nil { // GeoPackage
				t.Fatal(err)
			}
			db.Close()
			writeSidecar(t, p)
		}, nil, "not a Repère database"},
		{"not SQLite at all", func(t *testing.T, p string) {
			os.WriteFile(p, bytes.Repeat([]byte("PK\x03\x04 a zip, not a database "), 200), 0o600)
			writeSidecar(t, p)
		}, nil, "not a Repère database"},
		{"newer schema", func(t *testing.T, p string) {
			copyTo(t, good, p)
			db := openRaw(t, p, "")
			if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			writeSidecar(t, p)
		}, nil, "newer"},
		{"bytes changed after the backup", func(t *testing.T, p string) {
			changed := bytes.Replace(goodBytes, []byte("rue Zzyzx"), []byte("rue Zzyzy"), 1)
			if bytes.Equal(changed, goodBytes) {
				t.Fatal("the sentinel address is not in the backup")
			}
			os.WriteFile(p, changed, 0o600)
			os.WriteFile(p+".sha256", []byte(sha256File(t, good)+"  x.db\n"), 0o600)
			// SQLite's own check cannot see a changed letter: only the checksum does.
			var ok string
			if err := openRaw(t, p, "mode=ro").QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
				t.Fatalf("integrity_check: %q %v", ok, err)
			}
		}, nil, "checksum mismatch"},
		{"checksum file garbled", func(t *testing.T, p string) {
			copyTo(t, good, p)
			os.WriteFile(p+".sha256", []byte("0123  x.db\n"), 0o600)
		}, nil, "checksum mismatch"},
		{"no checksum file", func(t *testing.T, p string) { copyTo(t, good, p) }, nil, "--no-checksum"},
		{"no checksum file, flag given, partial", func(t *testing.T, p string) {
			os.WriteFile(p, goodBytes[:len(goodBytes)-4096], 0o600)
		}, []string{"--no-checksum"}, "empty or partial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sub := t.TempDir()
			target := filepath.Join(sub, "repere.db")
			copyTo(t, live, target)
			before := sha256File(t, target)
			backupPath := filepath.Join(sub, "backup.db")
			c.prepare(t, backupPath)
			var backupBefore string
			if fi, err := os.Stat(backupPath); err == nil && fi.Mode().IsRegular() {
				backupBefore = sha256File(t, backupPath)
			}
			var out, errOut bytes.Buffer
			args := append([]string{"restore", "--from", backupPath, "--db", target, "--force"}, c.flags...)
			err := run(context.Background(), args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("restore: %v (want an error saying %q)\n%s", err, c.want, out.String())
			}
			t.Logf("refused: %v", err)
			if sha256File(t, target) != before {
				t.Error("the database changed")
			}
			if c.name == "missing path" {
				if _, err := os.Stat(backupPath); err == nil {
					t.Error("restore created the missing backup file")
				}
			} else if backupBefore != "" && sha256File(t, backupPath) != backupBefore {
				t.Error("restore changed the backup file")
			}
			entries, _ := os.ReadDir(sub)
			for _, e := range entries {
				if strings.Contains(e.Name(), "replaced") || strings.HasPrefix(e.Name(), ".") {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

// TestRestoreRefusedWhileServing: a running server holds the database, so a
// restore would lose the writes it acknowledges afterwards.
func TestRestoreRefusedWhileServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	practiceDB(t, live)
	good := filepath.Join(dir, "good.db")
	mustRun(t, "backup", "--db", live, "--to", good)
	_, _, stop := startServe(t, "--db", live)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"restore", "--from", good, "--db", live, "--force"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "stop `repere serve`") {
		t.Errorf("restore under a running server: %v\n%s", err, out.String())
	}
	if matches, _ := filepath.Glob(live + ".replaced-*"); len(matches) > 0 {
		t.Errorf("the live database was moved aside: %v", matches)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Once the server has stopped, the same restore goes through.
	mustRun(t, "restore", "--from", good, "--db", live, "--force")
}

// TestRestoreReportsAndKeepsReplaced restores a verified backup over a
// database that changed since: it prints what it restored, keeps the
// replaced database aside whole, and records the restore in the audit log.
func TestRestoreReportsAndKeepsReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	patients, appointments := practiceDB(t, live)
	if patients == 0 || appointments == 0 {
		t.Fatalf("demo practice: %d patients, %d appointments", patients, appointments)
	}
	good := filepath.Join(dir, "good.db")
	backupOut := mustRun(t, "backup", "--db", live, "--to", good)
	if !strings.Contains(backupOut, sha256File(t, good)) || !strings.Contains(backupOut, good+".sha256") {
		t.Errorf("backup output does not give the checksum:\n%s", backupOut)
	}
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	st, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreatePatient(ctx, patient.Patient{BirthName: "Après", FirstNames: "Sauvegarde", BirthDate: "1990-02-02", Sex: "M"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := mustRun(t, "restore", "--from", good, "--db", live, "--force")
	t.Log(out)
	want := regexp.MustCompile(fmt.Sprintf(`: %d patients, %d appointments, last write \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`, patients, appointments))
	if !want.MatchString(out) || !strings.Contains(out, "verified") {
		t.Errorf("restore output does not say what it restored:\n%s", out)
	}
	if n := countRows(t, live, "patients"); n != patients {
		t.Errorf("restored database holds %d patients, want %d", n, patients)
	}
	replaced, _ := filepath.Glob(live + ".replaced-*Z")
	if len(replaced) != 1 || !strings.Contains(out, replaced[0]) {
		t.Fatalf("replaced database: %v\n%s", replaced, out)
	}
	if n := countRows(t, replaced[0], "patients"); n != patients+1 {
		t.Errorf("the database kept aside holds %d patients, want %d", n, patients+1)
	}
	var restores int
	openRaw(t, live, "mode=ro").QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'restore' AND detail LIKE '%' || ? || '%'`, sha256File(t, good)).Scan(&restores)
	if restores != 1 {
		t.Errorf("%d audit entries for the restore", restores)
	}
	if sha256File(t, good) != strings.Fields(readFile(t, good+".sha256"))[0] {
		t.Error("restore changed the backup")
	}
	// The restored database serves.
	base, _, stop := startServe(t, "--db", live)
	defer stop()
	if body := httpGet(t, base+"/healthz"); !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("healthz after restore: %s", body)
	}
}

// TestRestoreLegacyAndUnverifiedBackups: a backup written before the
// application id existed is recognised by its tables; one without a
// checksum file is restored only with --no-checksum, and says so.
func TestRestoreLegacyAndUnverifiedBackups(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	patients, _ := practiceDB(t, live)
	legacy := filepath.Join(dir, "legacy.db")
	mustRun(t, "backup", "--db", live, "--to", legacy)
	db := openRaw(t, legacy, "")
	if _, err := db.Exec(`PRAGMA application_id = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.Remove(legacy + ".sha256")
	target := filepath.Join(dir, "new.db")
	out := mustRun(t, "restore", "--from", legacy, "--db", target, "--no-checksum")
	if !strings.Contains(out, fmt.Sprintf("%d patients", patients)) || !strings.Contains(out, "NOT verified") {
		t.Errorf("restore of an unverified legacy backup:\n%s", out)
	}
	// Serving (migrating) it writes the application id.
	mustRun(t, "migrate", "--db", target)
	var id int64
	openRaw(t, target, "mode=ro").QueryRow(`PRAGMA application_id`).Scan(&id)
	if id != 0x52505245 {
		t.Errorf("application id after migrate: %#x", id)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
