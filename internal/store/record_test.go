package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"repere/internal/booking"
	"repere/internal/report"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestRecordReportAndScores(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ref := f.referral(t, s, "epidural_blood_patch")
		id, err := s.Book(f.ctx, booking.Request{ReferralID: ref, RoomID: f.ct1, RadiologistID: f.drA, PlaceID: f.bed, Start: monday8, RoomMinutes: 45, MonitoringMinutes: 120})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActRecordOf(f.ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("record before any: %v", err)
		}
		v, err := s.SaveActRecord(f.ctx, id, []byte(`{"blood_ml":20}`), 0)
		if err != nil || v != 1 {
			t.Fatal(v, err)
		}
		if _, err := s.SaveActRecord(f.ctx, id, []byte(`{}`), 0); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale record save: %v", err)
		}
		if err := s.SaveDraft(f.ctx, id, "Blood patch", "Technique : 20 mL de sang autologue."); err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF report v1")
		sum := sha256.Sum256(pdf)
		r1, err := s.SaveSignedReport(f.ctx, report.Signed{AppointmentID: id, Number: 1, Title: "Blood patch", Body: "…", SignedBy: "dr.a",
			SignedAt: monday8.Add(time.Hour), SHA256: hex.EncodeToString(sum[:]), PDF: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DraftOf(f.ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the draft stays after signing: %v", err)
		}
		if _, err := s.DB().Exec(fmt.Sprintf(`UPDATE reports SET body = 'x' WHERE id = %d`, r1.ID)); err == nil {
			t.Error("a signed report was changed")
		}
		pdf2 := []byte("%PDF report v2")
		sum2 := sha256.Sum256(pdf2)
		amend := report.Signed{AppointmentID: id, Number: 2, Amends: 1, Title: "Blood patch", Body: "… corrigé", SignedBy: "dr.a",
			SignedAt: monday8.Add(2 * time.Hour), SHA256: hex.EncodeToString(sum2[:]), PDF: pdf2}
		if _, err := s.SaveSignedReport(f.ctx, amend); !errors.Is(err, store.ErrStale) {
			t.Errorf("an amendment without a reason: %v", err)
		}
		amend.Reason = "volume corrigé"
		if _, err := s.SaveSignedReport(f.ctx, amend); err != nil {
			t.Fatal(err)
		}
		list, err := s.ReportsOf(f.ctx, id)
		if err != nil || len(list) != 2 || list[1].Amends != 1 {
			t.Fatalf("reports %+v %v", list, err)
		}
		if got, _ := s.ReportPDF(f.ctx, list[0].ID); string(got.PDF) != string(pdf) {
			t.Error("the first version's PDF changed")
		}
		for _, sc := range [][2]int{{0, 8}, {15, 2}} {
			if err := s.AddPainScore(f.ctx, id, sc[0], sc[1]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddPainScore(f.ctx, id, 30, 11); err == nil {
			t.Error("a score of 11 accepted")
		}
		if scores, _ := s.PainScores(f.ctx, id); len(scores) != 2 || scores[1].Value != 2 {
			t.Errorf("scores %+v", scores)
		}
	})
}
