package screening

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"repere/internal/catalog"
)

// The product's rule: a row of the data whose status is not confirmed (and
// that the practice has not confirmed) never gives a clear verdict. These
// tests try every drug and every rule on every act, at every bleeding-risk
// class an act can take (a cervical facet is not a lumbar one).

// levelsOf are the referral levels tried for an act: one per bleeding-risk
// class it can take.
func levelsOf(a *catalog.Act) []string {
	out := []string{""}
	if len(a.BleedingRiskByRegion) > 0 {
		out = []string{"L4-L5"}
		for region := range a.BleedingRiskByRegion {
			out = append(out, map[string]string{catalog.RegionCervical: "C5-C6", catalog.RegionThoracic: "T10-T11", catalog.RegionLumbar: "L3-L4"}[region])
		}
	}
	return out
}

// holdRowsUsed are the hold classes a drug takes for an act at levels.
func (s *Set) holdRowsUsed(d Drug, a *catalog.Act, levels string) map[string]*HoldClass {
	class, _ := a.BleedingRiskAt(levels)
	out := map[string]*HoldClass{}
	for _, id := range d.Holds {
		out[HoldKey(id, class.Value)] = s.holds[id].forClass(class.Value)
	}
	return out
}

func unconfirmed(hc *HoldClass) bool {
	return hc.Status == catalog.NotConfirmed || (hc.Restart != nil && hc.Restart.Status == catalog.NotConfirmed)
}

// drugInput is a patient with clean answers taking one drug, stopped long
// before an appointment far enough away for any hold, with the labs a
// renal-dependent hold or a high-risk act needs.
func drugInput(t *testing.T, s *Set, a *catalog.Act, levels, drug string) Input {
	values := cleanAnswers(s, a)
	values[QuestionTakesMedicines] = Yes
	values["weight_kg"] = "70"
	now := at("2026-11-02 09:00")
	appt := at("2026-12-07 09:00")
	labs := []LabResult{lab(LabINR, 1.0, "2026-12-06 08:00"), lab(LabPlatelets, 250, "2026-12-06 08:00"), lab(LabCreatinine, 80, "2026-11-02 08:00"), lab(LabEGFR, 85, "2026-11-02 08:00")}
	return Input{Act: a, Levels: levels, Patient: Patient{Sex: "F", BirthDate: "1960-05-01"},
		Answers:     Answers{Values: values, Treatments: []Treatment{{DrugID: drug, LastDose: now.Add(-time.Hour)}}, Labs: labs},
		Appointment: appt, Now: now, Loc: paris}
}

func TestNotConfirmedHoldNeverClear(t *testing.T) {
	s := testSet(t)
	checked, clearOnceConfirmed := 0, 0
	for _, a := range s.cat.Acts() {
		if !s.Screens(a) {
			continue
		}
		for _, levels := range levelsOf(a) {
			for _, d := range s.drugs {
				if len(d.Holds) == 0 {
					continue
				}
				name := fmt.Sprintf("%s %s %s", a.ID, levels, d.ID)
				in := drugInput(t, s, a, levels, d.ID)
				v := s.Evaluate(in)
				used := s.holdRowsUsed(d, a, levels)
				anyUnconfirmed := false
				for _, hc := range used {
					anyUnconfirmed = anyUnconfirmed || unconfirmed(hc)
				}
				if class, _ := a.BleedingRiskAt(levels); class.Status == catalog.NotConfirmed {
					anyUnconfirmed = true
				}
				if anyUnconfirmed {
					checked++
					if v.Status == Clear {
						t.Errorf("%s: a not-confirmed row gives a clear verdict: %v", name, reasonIDs(v))
					}
				}
				// Once the practice confirmed every row the verdict used, only
				// the rows' own outcomes count: a "continue" or a respected
				// stop may be clear.
				in.Confirmed = map[string]bool{}
				for key := range used {
					in.Confirmed[key] = true
				}
				in.Confirmed[ClassKey(a, levels)] = true
				for _, r := range s.Evaluate(in).Reasons {
					if r.Status == catalog.NotConfirmed && r.Outcome != OutcomeReview && !r.Decided {
						t.Errorf("%s: reason %s stays not confirmed after the practice's decision", name, r.RuleID)
					}
				}
				if s.Evaluate(in).Status == Clear {
					clearOnceConfirmed++
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d act × drug pairs use a not-confirmed row: the test no longer sees them", checked)
	}
	if clearOnceConfirmed == 0 {
		t.Error("no act × drug pair is clear even once the practice confirmed its rows: a decision changes nothing")
	}
}

// satisfy returns answers and treatments that make a condition true, or
// false when the test cannot build them (labs are given directly).
func (s *Set) satisfy(c Cond, values map[string]string, treatments *[]Treatment, labs *[]LabResult) bool {
	switch {
	case c.Answer != "":
		values[c.Answer] = c.Is
	case c.Number != "":
		n := 0.0
		if c.AtLeast != nil {
			n = *c.AtLeast
		} else if c.Below != nil {
			n = *c.Below - 1
		}
		values[c.Number] = fmt.Sprint(n)
	case c.Lab != "":
		n := 1.0
		if c.AtLeast != nil {
			n = *c.AtLeast
		} else if c.Below != nil {
			n = *c.Below - 1
		}
		*labs = append(*labs, lab(c.Lab, n, "2026-12-06 08:00"))
	case len(c.Takes) > 0:
		for _, d := range s.drugs {
			if d.Class == c.Takes[0] {
				*treatments = append(*treatments, Treatment{DrugID: d.ID, LastDose: at("2026-11-01 08:00")})
				values[QuestionTakesMedicines] = Yes
				return true
			}
		}
		return false
	case len(c.All) > 0:
		for _, sub := range c.All {
			if !s.satisfy(sub, values, treatments, labs) {
				return false
			}
		}
	case len(c.Any) > 0:
		return s.satisfy(c.Any[0], values, treatments, labs)
	}
	return true
}

func TestNotConfirmedRuleNeverClear(t *testing.T) {
	s := testSet(t)
	checked := 0
	for _, r := range s.rules {
		if r.Status != catalog.NotConfirmed {
			continue
		}
		for _, actID := range r.Acts {
			a := act(t, s, actID)
			values := cleanAnswers(s, a)
			var treatments []Treatment
			labs := []LabResult{lab(LabINR, 1.0, "2026-12-06 08:00"), lab(LabPlatelets, 250, "2026-12-06 08:00"), lab(LabCreatinine, 80, "2026-12-01 08:00"), lab(LabEGFR, 85, "2026-12-01 08:00")}
			if !s.satisfy(r.When, values, &treatments, &labs) {
				t.Errorf("rule %s: the test cannot build answers that fire it", r.ID)
				continue
			}
			in := Input{Act: a, Patient: Patient{Sex: "F", BirthDate: "1960-05-01"}, Answers: Answers{Values: values, Treatments: treatments, Labs: labs},
				Appointment: at("2026-12-07 09:00"), Now: at("2026-12-06 09:00"), Loc: paris}
			v := s.Evaluate(in)
			if !v.HasReason(r.ID) {
				t.Errorf("rule %s on %s: did not fire with %v", r.ID, actID, values)
				continue
			}
			checked++
			if v.Status == Clear {
				t.Errorf("rule %s (not confirmed) on %s gives a clear verdict", r.ID, actID)
			}
			in.Confirmed = map[string]bool{RuleKey(r.ID): true}
			for _, rs := range s.Evaluate(in).Reasons {
				if rs.RuleID == r.ID && r.Outcome == OutcomeInstruction && rs.Outcome != OutcomeInstruction {
					t.Errorf("rule %s on %s: confirmed by the practice, still %s", r.ID, actID, rs.Outcome)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d not-confirmed rule firings checked", checked)
	}
}

// Whatever the answers, a reason that cites a not-confirmed row the practice
// did not confirm never leaves the verdict clear.
func TestNotConfirmedNeverClearProperty(t *testing.T) {
	s := testSet(t)
	acts := s.cat.Acts()
	var drugIDs []string
	for _, d := range s.drugs {
		drugIDs = append(drugIDs, d.ID)
	}
	rapid.Check(t, func(rt *rapid.T) {
		a := rapid.SampledFrom(acts).Draw(rt, "act")
		values := cleanAnswers(s, a)
		for _, q := range s.QuestionsFor(a) {
			if rapid.IntRange(0, 4).Draw(rt, "flip "+q.ID) == 0 {
				values[q.ID] = rapid.SampledFrom([]string{Yes, No, "3", "70"}).Draw(rt, q.ID)
			}
		}
		now := at("2026-11-02 09:00")
		var treatments []Treatment
		for range rapid.IntRange(0, 2).Draw(rt, "treatments") {
			treatments = append(treatments, Treatment{DrugID: rapid.SampledFrom(drugIDs).Draw(rt, "drug"),
				LastDose: now.Add(-time.Duration(rapid.IntRange(0, 40*24).Draw(rt, "hours ago")) * time.Hour)})
		}
		if len(treatments) > 0 {
			values[QuestionTakesMedicines] = Yes
		}
		labs := []LabResult{lab(LabINR, rapid.SampledFrom([]float64{1, 1.6, 2.5}).Draw(rt, "inr"), "2026-11-02 08:00"),
			lab(LabPlatelets, 250, "2026-11-02 08:00"), lab(LabCreatinine, rapid.SampledFrom([]float64{60, 150, 300}).Draw(rt, "creat"), "2026-11-02 08:00")}
		in := Input{Act: a, Levels: rapid.SampledFrom([]string{"", "L4-L5", "C5-C6"}).Draw(rt, "levels"),
			Patient: Patient{Sex: rapid.SampledFrom([]string{"F", "M", "U", ""}).Draw(rt, "sex"), BirthDate: "1950-03-04"},
			Answers: Answers{Values: values, Treatments: treatments, Labs: labs}, Now: now, Loc: paris}
		if rapid.Bool().Draw(rt, "booked") {
			in.Appointment = now.Add(time.Duration(rapid.IntRange(1, 40*24).Draw(rt, "appt in h")) * time.Hour)
		}
		v := s.Evaluate(in)
		for _, r := range v.Reasons {
			if r.Status == catalog.NotConfirmed && !r.Decided && v.Status == Clear {
				rt.Fatalf("reason %s cites a not-confirmed row but the verdict is clear", r.RuleID)
			}
		}
	})
}
