package auth

import (
	"strings"
	"testing"
	"time"
)

func TestHashAndVerify(t *testing.T) {
	hash, err := HashPassword("un mot de passe épatant")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not argon2id with the expected parameters: %s", hash)
	}
	other, _ := HashPassword("un mot de passe épatant")
	if other == hash {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	for pw, want := range map[string]bool{"un mot de passe épatant": true, "un mot de passe epatant": false, "": false} {
		if ok, err := VerifyPassword(hash, pw); ok != want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v", pw, ok, err)
		}
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=1,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=8,t=1,p=1$!!$aGFzaA",
		"$argon2id$v=19$m=8,t=1,p=1$c2FsdA$"} {
		if ok, err := VerifyPassword(h, "x"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want ErrBadHash", h, ok, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	good, _ := HashPassword("secret")
	f.Add(good, "secret")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", "x")
	f.Fuzz(func(t *testing.T, hash, password string) {
		VerifyPassword(hash, password) // must not panic nor allocate unbounded memory (m is capped)
	})
}

func TestLockFor(t *testing.T) {
	cases := []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute}, {12, 30 * time.Minute}, {40, 30 * time.Minute}}
	for _, c := range cases {
		if got := LockFor(c.failures, FreeFailures); got != c.want {
			t.Errorf("LockFor(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p := GeneratePassword()
		if len(p) != 23 || strings.Count(p, "-") != 3 || strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("bad generated password %q", p)
		}
		if CheckNewPassword(p, "admin") != "" {
			t.Fatalf("generated password %q fails our own rule", p)
		}
		if seen[p] {
			t.Fatal("duplicate generated password")
		}
		seen[p] = true
	}
}

func TestParseRole(t *testing.T) {
	if r, err := ParseRole("radiographer"); err != nil || r != Radiographer {
		t.Fatal(r, err)
	}
	if _, err := ParseRole("chief"); err == nil {
		t.Fatal("unknown role accepted")
	}
}
