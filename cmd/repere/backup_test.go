package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"repere/internal/audit"
	"repere/internal/patient"
	"repere/internal/store"
)

// TestBackupWhileWritingAndRestore copies the database while patients are
// being created, restores the copy elsewhere and finds a consistent database
// holding every patient committed before the copy began.
func TestBackupWhileWritingAndRestore(t *testing.T) {
	ctx := audit.WithActor(context.Background(), audit.System("test"))
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "live.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"migrate", "--db", dbPath}, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut.String())
	}
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	create := func(i int) error {
		_, err := st.CreatePatient(ctx, patient.Patient{BirthName: fmt.Sprintf("Témoin%04d", i), FirstNames: "Zoé", BirthDate: "1980-01-01", Sex: "F"})
		return err
	}
	for i := range 50 {
		if err := create(i); err != nil {
			t.Fatal(err)
		}
	}
	var written atomic.Int64
	written.Store(50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 50; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := create(i); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	backupPath := filepath.Join(dir, "copy.db")
	before := written.Load()
	if err := run(ctx, []string{"backup", "--db", dbPath, "--to", backupPath}, &out, &errOut); err != nil {
		t.Fatalf("backup: %v %s", err, errOut.String())
	}
	close(stop)
	wg.Wait()
	if err := run(ctx, []string{"backup", "--db", dbPath, "--to", backupPath}, &out, &errOut); err == nil {
		t.Error("a backup overwrote an existing file")
	}

	restored := filepath.Join(dir, "restored.db")
	if err := run(ctx, []string{"restore", "--from", backupPath, "--db", restored}, &out, &errOut); err != nil {
		t.Fatalf("restore: %v %s", err, errOut.String())
	}
	if err := run(ctx, []string{"restore", "--from", backupPath, "--db", restored}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over an existing database without --force: %v", err)
	}
	rs, err := store.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if _, _, err := rs.Verify(ctx); err != nil {
		t.Fatalf("restored database: %v", err)
	}
	var n int64
	if err := rs.DB().QueryRow(`SELECT COUNT(*) FROM patients`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	t.Logf("restored %d patients (%d before the backup, %d in all)", n, before, written.Load())
	if n < before || n > written.Load() {
		t.Errorf("restored %d patients; %d were committed before the backup and %d in all", n, before, written.Load())
	}

	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte("SQLite format 3\x00 but not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"restore", "--from", corrupt, "--db", filepath.Join(dir, "x.db")}, &out, &errOut); err == nil {
		t.Error("a corrupt backup was restored")
	}
}
