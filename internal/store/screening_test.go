package store_test

import (
	"errors"
	"testing"
	"time"

	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestScreeningVersionsLinksAndDecisions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newPractice(t, s)
		ref := f.referral(t, s, "epidural_blood_patch")
		if _, err := s.Screening(f.ctx, ref); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("screening before any answer: %v", err)
		}
		v, err := s.SaveScreening(f.ctx, ref, []byte(`{"values":{"fever":"no"}}`), 0)
		if err != nil || v != 1 {
			t.Fatalf("first save: %d %v", v, err)
		}
		if r, _ := s.Referral(f.ctx, ref); r.Status != referral.Screening {
			t.Errorf("referral status %s after the first answers, want screening", r.Status)
		}
		// Two people editing version 1: the second save is refused, not lost silently.
		if v, err = s.SaveScreening(f.ctx, ref, []byte(`{"values":{"fever":"yes"}}`), 1); err != nil || v != 2 {
			t.Fatalf("second save: %d %v", v, err)
		}
		if _, err := s.SaveScreening(f.ctx, ref, []byte(`{"values":{}}`), 1); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale save: %v, want ErrStale", err)
		}
		if _, err := s.SaveScreening(f.ctx, ref, []byte(`{"values":{}}`), 0); !errors.Is(err, store.ErrStale) {
			t.Fatalf("second first save: %v, want ErrStale", err)
		}
		got, err := s.Screening(f.ctx, ref)
		if err != nil || got.Version != 2 || string(got.Answers) != `{"values":{"fever":"yes"}}` {
			t.Fatalf("screening %+v %v", got, err)
		}
		all, err := s.Screenings(f.ctx, []int64{ref, ref + 1000})
		if err != nil || len(all) != 1 || all[ref].Version != 2 {
			t.Fatalf("screenings %+v %v", all, err)
		}

		expires := storetest.Now().Add(72 * time.Hour).Truncate(time.Second)
		id, err := s.CreateScreeningLink(f.ctx, ref, "hash-1", expires)
		if err != nil {
			t.Fatal(err)
		}
		link, err := s.ScreeningLinkByHash(f.ctx, "hash-1")
		if err != nil || link.ID != id || link.BirthDate != "1991-04-12" || link.ReferralID != ref || !link.ExpiresAt.Equal(expires) {
			t.Fatalf("link %+v %v", link, err)
		}
		if right, err := s.CheckLinkBirthDate(f.ctx, link, "1991-04-13", 5); err != nil || right {
			t.Fatalf("wrong birth date: %v %v", right, err)
		}
		if right, err := s.CheckLinkBirthDate(f.ctx, link, "1991-04-12", 5); err != nil || !right {
			t.Fatalf("right birth date: %v %v", right, err)
		}
		if err := s.ScreeningLinkSubmitted(f.ctx, link); err != nil {
			t.Fatal(err)
		}
		if link, _ = s.ScreeningLinkByHash(f.ctx, "hash-1"); link.Failures != 1 || link.SubmittedAt.IsZero() {
			t.Errorf("link after a failure and a submission: %+v", link)
		}
		if _, err := s.ScreeningLinkByHash(f.ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown link: %v", err)
		}

		if _, err := s.AddScreeningDecision(f.ctx, screening.Decision{ReferralID: ref, Kind: screening.DecisionOverride, RuleID: "fever"}); err == nil {
			t.Error("override without a reason accepted")
		}
		for _, d := range []screening.Decision{
			{ReferralID: ref, Kind: screening.DecisionOverride, RuleID: "fever", Reason: "fièvre tombée, contrôlée ce matin", AnswersVersion: 2, VerdictStatus: "contraindicated"},
			{ReferralID: ref, Kind: screening.DecisionSigned, AnswersVersion: 2, VerdictStatus: "clear"},
		} {
			if _, err := s.AddScreeningDecision(f.ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		ds, err := s.ScreeningDecisions(f.ctx, ref)
		if err != nil || len(ds) != 2 || ds[0].Kind != screening.DecisionOverride || ds[0].Actor != secretary.Login || ds[1].AnswersVersion != 2 {
			t.Fatalf("decisions %+v %v", ds, err)
		}
	})
}
