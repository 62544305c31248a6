package store_test

import (
	"context"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/review"
	"repere/internal/store"
	"repere/internal/storetest"
)

// The practice's decisions on its clinical data are kept, oldest first, with
// their author's name, and can be neither changed nor deleted: a later
// decision supersedes an earlier one, the history stays.
func TestPracticeDecisionsAreAppendOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		doctor := audit.WithActor(context.Background(), audit.Actor{Login: "dr.a", Role: string(auth.Radiologist)})
		key := "hold:clopidogrel:low"
		for _, d := range []review.Decision{
			{Key: key, Fingerprint: "aaaa", Choice: review.Confirm, Reason: "lu dans Narouze 2018"},
			{Key: key, Fingerprint: "aaaa", Choice: review.Revoke, Reason: "relecture"},
		} {
			if _, err := s.AddPracticeDecision(doctor, d); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddPracticeDecision(doctor, review.Decision{Key: key, Fingerprint: "aaaa", Choice: review.Confirm, Reason: "  "}); err == nil {
			t.Error("a decision without a reason was kept")
		}
		if _, err := s.AddPracticeDecision(context.Background(), review.Decision{Key: key, Fingerprint: "aaaa", Choice: review.Confirm, Reason: "x"}); err == nil {
			t.Error("a decision without an author was kept")
		}
		got, err := s.PracticeDecisions(f.ctx)
		if err != nil || len(got) != 2 || got[0].Choice != review.Confirm || got[1].Choice != review.Revoke || got[0].ByName != "dr.a" || got[0].By != "dr.a" || got[0].At.IsZero() {
			t.Fatalf("decisions %+v %v", got, err)
		}
		for _, q := range []string{`UPDATE practice_decisions SET reason = 'changé'`, `DELETE FROM practice_decisions`} {
			if _, err := s.DB().Exec(q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		ref := f.referral(t, s, "facet_joint_infiltration")
		subs, err := s.ScreeningSubjects(f.ctx, []int64{ref})
		if err != nil || subs[ref].Patient.Sex != "F" || subs[ref].Patient.BirthDate != "1991-04-12" {
			t.Errorf("subjects %+v %v", subs, err)
		}
	})
}
