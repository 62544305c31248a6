package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

var secretary = audit.Actor{UserID: 0, Login: "marie.s", Role: "secretary", RemoteAddr: "192.0.2.7"}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, err := s.CreateUser(ctx, auth.User{Login: " Dr.Martin ", DisplayName: "Dr Hélène Martin", Role: auth.Radiologist, PasswordHash: "h1", MustChangePassword: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, auth.User{Login: "dr.martin", DisplayName: "x", Role: auth.Admin, PasswordHash: "h"}); !errors.Is(err, store.ErrLoginTaken) {
			t.Fatalf("duplicate login: got %v, want ErrLoginTaken", err)
		}
		u, err := s.UserByLogin(ctx, "DR.MARTIN")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != id || u.DisplayName != "Dr Hélène Martin" || u.Role != auth.Radiologist || !u.MustChangePassword || !u.Active {
			t.Fatalf("user read back wrong: %+v", u)
		}
		if err := s.SetPassword(ctx, id, "h2", false); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserActive(ctx, id, false); err != nil {
			t.Fatal(err)
		}
		u, _ = s.UserByID(ctx, id)
		if u.PasswordHash != "h2" || u.MustChangePassword || u.Active {
			t.Fatalf("updates not applied: %+v", u)
		}
		if _, err := s.UserByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user: got %v", err)
		}
		if err := s.SetPassword(ctx, 9999, "h", false); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("password of missing user: got %v", err)
		}
		n, _ := s.CountUsers(ctx)
		if n != 1 {
			t.Fatalf("CountUsers = %d", n)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ss := s.Sessions()
		exp := time.Now().Add(time.Hour)
		if err := ss.CommitCtx(ctx, "tok", []byte("one"), exp); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("two"), exp); err != nil {
			t.Fatal(err)
		}
		b, ok, err := ss.FindCtx(ctx, "tok")
		if err != nil || !ok || string(b) != "two" {
			t.Fatalf("find = %q %v %v", b, ok, err)
		}
		ss.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Minute))
		if _, ok, _ := ss.FindCtx(ctx, "old"); ok {
			t.Fatal("expired session found")
		}
		if n, err := ss.DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v", n, err)
		}
		ss.DeleteCtx(ctx, "tok")
		if _, ok, _ := ss.FindCtx(ctx, "tok"); ok {
			t.Fatal("deleted session found")
		}
	})
}

func TestPatientDataNeedsAnActor(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := patient.Patient{BirthName: "Lefèvre", FirstNames: "Zoé", BirthDate: "1980-02-29", Sex: "F"}
		if _, err := s.CreatePatient(ctx, p); !errors.Is(err, store.ErrNoActor) {
			t.Fatalf("create without actor: got %v, want ErrNoActor", err)
		}
		if got, _ := s.SearchPatients(audit.WithActor(ctx, secretary), "", 10); len(got) != 0 {
			t.Fatalf("patient written despite missing actor: %+v", got)
		}
		if _, err := s.Patient(ctx, 1); !errors.Is(err, store.ErrNoActor) {
			t.Fatalf("read without actor: got %v", err)
		}
		if _, err := s.SearchPatients(ctx, "", 10); !errors.Is(err, store.ErrNoActor) {
			t.Fatalf("search without actor: got %v", err)
		}
		if _, err := s.ListReferrals(ctx, store.ReferralFilter{}); !errors.Is(err, store.ErrNoActor) {
			t.Fatalf("referrals without actor: got %v", err)
		}
	})
}

func TestPatientAccessIsAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := audit.WithActor(context.Background(), secretary)
		id, err := s.CreatePatient(ctx, patient.Patient{BirthName: "Lefèvre", UsedName: "Durand", FirstNames: "Zoé", BirthDate: "1980-02-29", Sex: "F"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Patient(ctx, id)
		if err != nil || p.FirstNames != "Zoé" {
			t.Fatalf("read back %+v, %v", p, err)
		}
		if got, _ := s.SearchPatients(ctx, "durand", 10); len(got) != 1 {
			t.Fatalf("search by used name found %d", len(got))
		}
		if got, _ := s.SearchPatients(ctx, "1980-02-29", 10); len(got) != 1 {
			t.Fatalf("search by birth date found %d", len(got))
		}
		rid, err := s.CreateReferral(ctx, referral.Referral{PatientID: id, ActID: "facet_joint_infiltration", Levels: "L4-L5", Side: "left"})
		if err != nil {
			t.Fatal(err)
		}
		refs, err := s.ListReferrals(ctx, store.ReferralFilter{Status: referral.Received})
		if err != nil || len(refs) != 1 || refs[0].ID != rid || refs[0].PatientName != "DURAND Zoé (née LEFÈVRE)" {
			t.Fatalf("referrals = %+v, %v", refs, err)
		}
		entries, err := s.SearchAudit(ctx, audit.Filter{Actor: secretary.Login, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		// Newest first: the audit search itself, then list referral, create referral, 2 searches, read, create.
		want := []string{"search audit_log", "list referral", "create referral", "list patient", "list patient", "read patient", "create patient"}
		if len(entries) != len(want) {
			t.Fatalf("got %d audit entries, want %d: %+v", len(entries), len(want), entries)
		}
		for i, e := range entries {
			if got := e.Action + " " + e.Entity; got != want[i] {
				t.Errorf("entry %d = %q, want %q", i, got, want[i])
			}
			if e.RemoteAddr != secretary.RemoteAddr || e.ActorRole != "secretary" {
				t.Errorf("entry %d lacks actor details: %+v", i, e)
			}
		}
		if entries[5].PatientID != id || entries[5].EntityID == "" {
			t.Errorf("read entry does not name the patient: %+v", entries[5])
		}
		byPatient, _ := s.SearchAudit(ctx, audit.Filter{PatientID: id})
		if len(byPatient) < 3 {
			t.Errorf("filter by patient found %d entries", len(byPatient))
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.RecordEvent(ctx, audit.Actor{}, "login_failed", "user", "", "login=x"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(`UPDATE audit_log SET actor_login = 'someone_else'`); err == nil {
			t.Fatal("UPDATE of audit_log succeeded")
		}
		if _, err := s.DB().Exec(`DELETE FROM audit_log`); err == nil {
			t.Fatal("DELETE from audit_log succeeded")
		}
		entries, err := s.SearchAudit(audit.WithActor(ctx, secretary), audit.Filter{Action: "login_failed"})
		if err != nil || len(entries) != 1 || entries[0].ActorLogin != "anonymous" {
			t.Fatalf("entries = %+v, %v", entries, err)
		}
	})
}

// TestSessionTouchesThrottled: a session committed again with the same data
// and an expiry pushed on by less than a minute is not written (scs commits
// after every request to push the idle expiry); a longer push, or new data,
// is written at once; a deleted session is written again in full.
func TestSessionTouchesThrottled(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ss := s.Sessions()
		expiryOf := func() time.Time {
			t.Helper()
			var e time.Time
			if err := s.DB().QueryRowContext(ctx, `SELECT expiry FROM sessions`).Scan(&e); err != nil {
				t.Fatal(err)
			}
			return e.UTC()
		}
		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		if err := ss.CommitCtx(ctx, "tok", []byte("data"), exp); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("data"), exp.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := expiryOf(); !got.Equal(exp) {
			t.Errorf("expiry %v after a touch 30 s later, want %v kept", got, exp)
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("changed"), exp.Add(40*time.Second)); err != nil {
			t.Fatal(err)
		}
		if b, _, _ := ss.FindCtx(ctx, "tok"); string(b) != "changed" || !expiryOf().Equal(exp.Add(40*time.Second)) {
			t.Errorf("new data not written at once: %q, expiry %v", b, expiryOf())
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("changed"), exp.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := expiryOf(); !got.Equal(exp.Add(2 * time.Minute)) {
			t.Errorf("expiry %v after a touch 80 s later, want it written", got)
		}
		if err := ss.DeleteCtx(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("changed"), exp.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if b, ok, _ := ss.FindCtx(ctx, "tok"); !ok || string(b) != "changed" {
			t.Errorf("a session deleted then committed again is not written: %q %v", b, ok)
		}
	})
}
