package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/privacy"
	"repere/internal/report"
	"repere/internal/store"
	"repere/internal/storetest"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// TestRetentionRulesCoverEveryPatientTable: every table of the schema that
// holds a patient has its decision in privacy's retention rules (so a table
// added later cannot escape an erasure unnoticed), every part the rules
// erase has its statements here, and the evidence of a medical record named
// by the rules is the evidence the store counts.
func TestRetentionRulesCoverEveryPatientTable(t *testing.T) {
	rules, err := privacy.Load()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		holding := storetest.PatientTables(t, s)
		covered := rules.Tables()
		for _, table := range holding {
			if !covered[table] {
				t.Errorf("table %s holds patient data but internal/privacy/data/retention.yaml decides nothing for it", table)
			}
		}
		for table := range covered {
			if !slices.Contains(holding, table) {
				t.Errorf("retention.yaml decides on %s, which holds no patient data in the schema", table)
			}
		}
		for _, p := range rules.Parts {
			for _, a := range []privacy.Action{p.WithRecord, p.WithoutRecord} {
				if (a == privacy.Erase || a == privacy.Anonymise) && !store.Erasable(p.ID) {
					t.Errorf("the rules %s %s but the store has no statement for it", a, p.ID)
				}
			}
		}
		kinds := store.EvidenceKinds()
		for _, k := range rules.MedicalRecord.Evidence {
			if !kinds[k] {
				t.Errorf("evidence %s has no query in the store", k)
			}
			delete(kinds, k)
		}
		for k := range kinds {
			t.Errorf("the store counts evidence %s that the rules do not name", k)
		}
	})
}

// TestEachEvidenceMakesARecord: a done act, an act record, a scanner's
// performed step, a consent or a signed report each makes a medical record,
// which an erasure keeps with the identity until 20 years after the last
// care, erasing the contact details; a booking alone makes none, and the
// erasure anonymises the patient and frees the slot.
func TestEachEvidenceMakesARecord(t *testing.T) {
	rules, err := privacy.Load()
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4 document")
	sum := sha256.Sum256(pdf)
	hash := hex.EncodeToString(sum[:])
	for _, c := range []struct {
		name   string
		make   func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error
		record bool
	}{
		{"booked only", func(*testing.T, *store.Store, practiceFixture, int64) error { return nil }, false},
		{"acts_done", func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error {
			_, err := s.DB().Exec(fmt.Sprintf(`UPDATE appointments SET status = 'done' WHERE id = %d`, appt))
			return err
		}, true},
		{"act_records", func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error {
			_, err := s.SaveActRecord(f.ctx, appt, []byte(`{"blood_ml":20}`), 0)
			return err
		}, true},
		{"performed_steps", func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error {
			_, err := s.DB().Exec(fmt.Sprintf(`INSERT INTO performed_steps (sop_instance_uid, appointment_id, status, created_at, updated_at)
				VALUES ('1.2.3', %d, 'COMPLETED', '2026-11-23 08:00:00', '2026-11-23 08:00:00')`, appt))
			return err
		}, true},
		{"consents", func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error {
			_, err := s.SaveConsent(f.ctx, documents.Consent{AppointmentID: appt, ActID: "epidural_blood_patch", Lang: "fr", Version: "paper",
				Kind: documents.ConsentScanned, SignerName: "Zoé Lefèvre", Document: pdf, ContentType: "application/pdf", SHA256: hash, SignedAt: monday8})
			return err
		}, true},
		{"reports", func(t *testing.T, s *store.Store, f practiceFixture, appt int64) error {
			_, err := s.SaveSignedReport(f.ctx, report.Signed{AppointmentID: appt, Number: 1, Title: "Blood patch", Body: "…", SignedBy: "dr.a",
				SignedAt: monday8, SHA256: hash, PDF: pdf})
			return err
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, s *store.Store) {
				f := newPractice(t, s)
				p, _ := s.Patient(f.ctx, f.patientID)
				p.Email, p.Phone, p.Address = "zoe@example.org", "06 12 34 56 78", "3 rue des Lilas"
				if err := s.UpdatePatient(f.ctx, p); err != nil {
					t.Fatal(err)
				}
				req := booking.Request{ReferralID: f.referral(t, s, "epidural_blood_patch"), RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.bed,
					Start: monday8, RoomMinutes: 45, MonitoringMinutes: 120}
				appt, err := s.Book(f.ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.make(t, s, f, appt); err != nil {
					t.Fatal(err)
				}
				rec, err := s.PatientRetention(f.ctx, f.patientID)
				if err != nil || rec.HasMedicalRecord() != c.record || rec.Rows["appointments"] != 1 {
					t.Fatalf("record %+v (%v), want a medical record: %v", rec, err, c.record)
				}
				plan, err := s.ErasePatient(f.ctx, f.patientID, rules, paris, "demande du patient")
				if err != nil {
					t.Fatal(err)
				}
				after, _ := s.Patient(f.ctx, f.patientID)
				if after.Email != "" || after.Phone != "" || after.Address != "" {
					t.Errorf("contact details left: %+v", after)
				}
				if c.record {
					if after.BirthName != "Lefèvre" || plan.KeptUntil.Format(time.DateOnly) != "2046-11-23" || !plan.LastCare.Equal(monday8) {
						t.Errorf("record kept until %s from %s, identity %q; want 2046-11-23 from the act, the identity kept",
							plan.KeptUntil.Format(time.DateOnly), plan.LastCare, after.BirthName)
					}
				} else if after.BirthName != fmt.Sprintf("ANONYME-%d", f.patientID) || after.BirthDate != "1900-01-01" {
					t.Errorf("identity left without a record: %+v", after)
				}
				list, err := s.ErasuresOf(f.ctx, p.ID)
				if err != nil || len(list) != 1 || list[0].Reason != "demande du patient" || (list[0].KeptUntil != "") != c.record ||
					!slices.Contains(list[0].Erased, "contact") {
					t.Errorf("erasures %+v (%v)", list, err)
				}
				// Whatever was kept, a slot still booked is freed for someone else.
				if c.name == "acts_done" {
					return // a done act keeps its slot
				}
				other, err := s.CreatePatient(f.ctx, patient.Patient{BirthName: "Autre", FirstNames: "Personne", BirthDate: "1980-01-01", Sex: "M"})
				if err != nil {
					t.Fatal(err)
				}
				f.patientID = other
				req.ReferralID = f.referral(t, s, "epidural_blood_patch")
				if _, err := s.Book(f.ctx, req); err != nil {
					t.Errorf("the erased patient's slot is still held: %v", err)
				}
				if list, err := s.ListAppointments(f.ctx, store.AppointmentFilter{ID: appt}); err != nil || list[0].Status != booking.Cancelled {
					t.Errorf("the booked act is not cancelled: %+v %v", list, err)
				}
			})
		})
	}
}
