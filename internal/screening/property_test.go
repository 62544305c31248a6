package screening

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Whatever the answers, Evaluate does not panic, is deterministic, never
// says clear when a mandatory answer is missing or a medicine is unknown, and
// refuses every appointment before EarliestAct.
func TestEvaluateProperties(t *testing.T) {
	s := testSet(t)
	acts := s.cat.Acts()
	var drugIDs []string
	for _, d := range s.drugs {
		drugIDs = append(drugIDs, d.ID)
	}
	start := at("2026-01-01 00:00")
	rapid.Check(t, func(rt *rapid.T) {
		a := rapid.SampledFrom(acts).Draw(rt, "act")
		values := map[string]string{}
		for _, q := range s.QuestionsFor(a) {
			v := rapid.SampledFrom([]string{"", Yes, No, Unknown, "3", "70", "x", " YES "}).Draw(rt, q.ID)
			if v != "" {
				values[q.ID] = v
			}
		}
		minutes := func(label string) time.Time {
			return start.Add(time.Duration(rapid.IntRange(0, 400*24*60).Draw(rt, label)) * time.Minute)
		}
		now := minutes("now")
		var treatments []Treatment
		for i := range rapid.IntRange(0, 3).Draw(rt, "treatments") {
			tr := Treatment{DrugID: rapid.SampledFrom(append(drugIDs, "")).Draw(rt, "drug")}
			if tr.DrugID == "" {
				tr.OtherName = "autre"
			}
			if rapid.Bool().Draw(rt, "last dose given") {
				tr.LastDose = now.Add(-time.Duration(rapid.IntRange(0, 30*24).Draw(rt, "hours ago")) * time.Hour)
			}
			_ = i
			treatments = append(treatments, tr)
		}
		var labs []LabResult
		for range rapid.IntRange(0, 4).Draw(rt, "labs") {
			labs = append(labs, LabResult{Kind: rapid.SampledFrom([]string{LabINR, LabPlatelets, LabEGFR, LabCreatinine}).Draw(rt, "kind"),
				Value: rapid.Float64Range(0, 400).Draw(rt, "value"), TakenOn: now.Add(-time.Duration(rapid.IntRange(-48, 60*24).Draw(rt, "lab age h")) * time.Hour)})
		}
		var appt time.Time
		if rapid.Bool().Draw(rt, "booked") {
			appt = now.Add(time.Duration(rapid.IntRange(-24*60, 40*24*60).Draw(rt, "appt in")) * time.Minute)
		}
		in := Input{Act: a, Answers: Answers{Values: values, Treatments: treatments, Labs: labs}, Appointment: appt, Now: now, Loc: paris}

		v := s.Evaluate(in)
		if again := s.Evaluate(in); !reflect.DeepEqual(v, again) {
			rt.Fatalf("two evaluations differ")
		}
		if v.Status != worst(v.Reasons) {
			rt.Fatalf("status %s is not the worst of its reasons", v.Status)
		}
		if len(v.Missing) > 0 && (v.Status == Clear || v.Status == Review) {
			rt.Fatalf("missing %v but status %s", v.Missing, v.Status)
		}
		for _, q := range s.QuestionsFor(a) {
			raw := in.value(q.ID)
			if q.Mandatory && (raw == "" || raw == Unknown || !validAnswer(in, q, raw)) && v.Status == Clear {
				if q.ID == QuestionTakesMedicines && len(treatments) > 0 {
					continue
				}
				rt.Fatalf("mandatory %s = %q but clear", q.ID, raw)
			}
		}
		for _, tr := range treatments {
			if tr.OtherName != "" && v.Status == Clear {
				rt.Fatalf("unknown medicine but clear")
			}
		}
		if !appt.IsZero() && !v.EarliestAct.IsZero() && appt.Before(v.EarliestAct) && v.Status != Contraindicated {
			rt.Fatalf("appointment %v before EarliestAct %v but %s", appt, v.EarliestAct, v.Status)
		}
		for _, line := range v.MedicalAlerts("fr") {
			if len([]rune(line)) > MaxAlertLen {
				rt.Fatalf("alert too long: %q", line)
			}
		}
	})
}

// FuzzEvaluate feeds stored-answer JSON to Evaluate: it must never panic and
// never be clear while something mandatory is missing.
func FuzzEvaluate(f *testing.F) {
	s := testSet(f)
	acts := s.cat.Acts()
	f.Add(0, []byte(`{"values":{"fever_or_infection":"yes"}}`), int64(5*24*60))
	f.Add(1, []byte(`{"values":{},"treatments":[{"drug_id":"apixaban"},{"other_name":"x"}],"labs":[{"kind":"egfr","value":20,"taken_on":"2026-11-20T08:00:00Z"}]}`), int64(-60))
	f.Add(5, []byte(`{"values":{"weight_kg":"NaN","prior_injections_12m":"1e309"},"treatments":[{"drug_id":"dabigatran","last_dose":"2026-11-22T20:00:00+01:00"}]}`), int64(0))
	now := at(defaultNow)
	f.Fuzz(func(t *testing.T, actIndex int, answers []byte, apptMinutes int64) {
		var a Answers
		if json.Unmarshal(answers, &a) != nil {
			return
		}
		if actIndex < 0 {
			actIndex = -actIndex
		}
		in := Input{Act: acts[actIndex%len(acts)], Answers: a, Now: now, Loc: paris}
		if apptMinutes%7 != 0 {
			in.Appointment = now.Add(time.Duration(apptMinutes%(90*24*60)) * time.Minute)
		}
		v := s.Evaluate(in)
		if len(v.Missing) > 0 && v.Status == Clear {
			t.Fatalf("missing %v but clear", v.Missing)
		}
		v.MedicalAlerts("fr")
		v.ContrastAllergy("en")
		v.WithOverrides(map[string]bool{"pregnancy": true})
	})
}
