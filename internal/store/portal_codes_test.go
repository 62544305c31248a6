package store_test

import (
	"errors"
	"testing"
	"time"

	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestPortalCodeAmongLiveCodes: a code sent by email still opens the portal
// after a letter code was printed for the same patient, and each of twins
// sharing an address signs in with their own code. Every answer counts on
// every live code of the address and birth date, which takes
// MaxCodeAttempts answers at most.
func TestPortalCodeAmongLiveCodes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		now := storetest.Now()
		twin := func(first string) int64 {
			id, err := s.CreatePatient(f.ctx, patient.Patient{BirthName: "Martin", FirstNames: first, BirthDate: "2001-06-02", Sex: "F", Email: "famille.martin@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		lea, lou := twin("Léa"), twin("Lou")
		code := func(patientID int64, hash string) {
			if err := s.CreatePortalCode(f.ctx, patientID, hash, now.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		code(lea, "email-code-lea")
		code(lou, "email-code-lou")
		code(lea, "letter-code-lea") // printed after the email was sent
		use := func(hash string) (int64, error) {
			return s.UsePortalCode(f.ctx, "Famille.Martin@example.org ", "2001-06-02", hash, now)
		}
		if _, err := use("guess"); !errors.Is(err, store.ErrCodeInvalid) {
			t.Fatalf("a wrong code: %v", err)
		}
		if id, err := use("email-code-lea"); err != nil || id != lea {
			t.Fatalf("Léa's emailed code after her letter's: patient %d, %v; want %d", id, err, lea)
		}
		if id, err := use("email-code-lou"); err != nil || id != lou {
			t.Fatalf("Lou's code: patient %d, %v; want %d", id, err, lou)
		}
		if _, err := use("email-code-lea"); !errors.Is(err, store.ErrCodeInvalid) {
			t.Fatalf("a code used twice: %v", err)
		}
		// Every answer to the address counted on the letter's code too (4 so
		// far): it takes one more, the right one, and no other.
		if id, err := use("letter-code-lea"); err != nil || id != lea {
			t.Fatalf("the letter's code with one answer left: patient %d, %v", id, err)
		}
		code(lou, "late-code-lou")
		for range store.MaxCodeAttempts {
			if _, err := use("guess"); !errors.Is(err, store.ErrCodeInvalid) {
				t.Fatalf("a wrong code: %v", err)
			}
		}
		if _, err := use("late-code-lou"); !errors.Is(err, store.ErrCodeInvalid) {
			t.Fatalf("a code after %d wrong answers: %v", store.MaxCodeAttempts, err)
		}
	})
}
