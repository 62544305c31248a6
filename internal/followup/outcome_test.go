package followup

import (
	"strings"
	"testing"
	"time"
)

func scores(pairs ...int) []Score {
	var out []Score
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Score{Day: pairs[i], Value: pairs[i+1], At: at.AddDate(0, 0, pairs[i]).Add(time.Duration(i) * time.Minute), By: "patient"})
	}
	return out
}

func TestOutcome(t *testing.T) {
	_, set := fixtures(t)
	tests := []struct {
		name   string
		act    string
		scores []Score
		status string
		offer  bool
		final  bool
		source string
	}{
		// Blood patch (schedule.yaml, practice_default): failed from D2 when
		// the headache is not below its baseline or is 4/10 or more.
		{"blood patch relieved at D2", "epidural_blood_patch", scores(0, 8, 2, 1), Improved, false, false, "repere_default"},
		{"blood patch: D2 at 4 fails", "epidural_blood_patch", scores(0, 8, 2, 4), Failed, true, false, "repere_default"},
		{"blood patch: D2 at baseline fails", "epidural_blood_patch", scores(0, 3, 2, 3), Failed, true, false, "repere_default"},
		{"blood patch: D2 below baseline and below 4", "epidural_blood_patch", scores(0, 3, 2, 2), Improved, false, false, "repere_default"},
		{"blood patch: headache back at D15", "epidural_blood_patch", scores(0, 8, 2, 1, 15, 6), Recurring, true, false, "repere_default"},
		{"blood patch: all days", "epidural_blood_patch", scores(0, 8, 2, 0, 15, 0, 30, 1), Improved, false, true, "repere_default"},
		// Infiltrations: Farrar 2001, 2 points or 30 %, judged from D15.
		{"infiltration improved at D15", "lumbar_foraminal_infiltration", scores(0, 7, 15, 3), Improved, false, false, "farrar2001"},
		{"infiltration: 30 % is enough", "lumbar_foraminal_infiltration", scores(0, 3, 15, 2), Improved, false, false, "farrar2001"},
		{"infiltration: 1 point of 6 is not", "lumbar_foraminal_infiltration", scores(0, 6, 15, 5), Failed, true, false, "farrar2001"},
		{"infiltration: pain back at D30", "lumbar_foraminal_infiltration", scores(0, 7, 15, 2, 30, 7), Recurring, true, true, "farrar2001"},
		{"infiltration: pain-free stays good", "cervical_foraminal_infiltration", scores(0, 1, 15, 0, 30, 0), Improved, false, true, "farrar2001"},
		{"facet: D7 not judged yet", "facet_joint_infiltration", scores(0, 7, 7, 7), Pending, false, false, "farrar2001"},
		// Vertebroplasty: no automatic offer; the radiologist decides.
		{"vertebroplasty failed, no offer", "vertebroplasty", scores(0, 8, 15, 8), Failed, false, false, "revmed2003"},
		{"vertebroplasty improved", "vertebroplasty", scores(0, 9, 15, 3, 30, 2), Improved, false, true, "revmed2003"},
		// Missing scores.
		{"no score at all", "lumbar_epidural_infiltration", nil, Pending, false, false, "farrar2001"},
		{"baseline missing", "lumbar_epidural_infiltration", scores(15, 2, 30, 2), Pending, false, true, "farrar2001"},
		{"baseline only", "epidural_blood_patch", scores(0, 8), Pending, false, false, "repere_default"},
		{"out-of-range values ignored", "lumbar_epidural_infiltration", scores(0, 7, 15, 11, 15, -1), Pending, false, false, "farrar2001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := set.Outcome(act(t, tt.act), tt.scores)
			if got.Status != tt.status || got.OfferNewAct != tt.offer || got.Final != tt.final || got.Source != tt.source {
				t.Errorf("got %s offer %v final %v source %s, want %s %v %v %s (%s)", got.Status, got.OfferNewAct, got.Final, got.Source, tt.status, tt.offer, tt.final, tt.source, got.Reason.In("en"))
			}
			if got.Reason.In("fr") == "" || got.Reason.In("en") == "" || got.SourceStatus == "" {
				t.Errorf("reason or status missing: %+v", got)
			}
		})
	}
}

func TestOutcomeReasonAndLatestScore(t *testing.T) {
	_, set := fixtures(t)
	bp := act(t, "epidural_blood_patch")
	s := scores(0, 8, 2, 6)
	// The same day entered again later (phone call after the portal): the latest counts.
	s = append(s, Score{Day: 2, Value: 1, At: s[1].At.Add(time.Hour), By: "mlefevre"})
	if got := set.Outcome(bp, s); got.Status != Improved {
		t.Errorf("latest D2 score should count: %+v", got)
	}
	// An older entry listed last does not win.
	s = append(s, Score{Day: 2, Value: 9, At: s[1].At.Add(-time.Hour), By: "patient"})
	if got := set.Outcome(bp, s); got.Status != Improved {
		t.Errorf("an older entry listed last must not win: %+v", got)
	}
	got := set.Outcome(bp, scores(0, 8, 2, 1, 15, 6))
	if !strings.Contains(got.Reason.In("fr"), "amélioration à J2") || !strings.Contains(got.Reason.In("fr"), "second blood patch") || got.OfferSource != "infoanesth_blood_patch" {
		t.Errorf("recurring blood patch reason %q, offer source %s", got.Reason.In("fr"), got.OfferSource)
	}
}

// FuzzOutcome checks on arbitrary scores that the outcome is one of the four
// statuses, a new act is offered only after a failure or a recurrence, and
// an improvement needs the score before the act.
func FuzzOutcome(f *testing.F) {
	f.Add("epidural_blood_patch", []byte{0, 8, 2, 5, 15, 2})
	f.Add("lumbar_foraminal_infiltration", []byte{0, 7, 15, 2, 30, 7})
	f.Fuzz(func(t *testing.T, actID string, raw []byte) {
		cat, set := fixtures(t)
		a, ok := cat.Act(actID)
		if !ok {
			return
		}
		var s []Score
		for i := 0; i+1 < len(raw); i += 2 {
			s = append(s, Score{Day: int(raw[i]) % 40, Value: int(int8(raw[i+1])) % 12, At: time.Unix(int64(i), 0)})
		}
		got := set.Outcome(a, s)
		switch got.Status {
		case Pending, Improved:
			if got.OfferNewAct {
				t.Fatalf("offer with status %s", got.Status)
			}
		case Failed, Recurring:
		default:
			t.Fatalf("status %q", got.Status)
		}
		if got.Status != Pending && len(latestByDay(s)) > 0 {
			if _, ok := scoreOn(latestByDay(s), 0); !ok {
				t.Fatalf("judged without a score before the act")
			}
		}
		if status := set.Status(a, s); status != got.Status {
			t.Fatalf("Status %q, Outcome %q", status, got.Status)
		}
	})
}
