package screening

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// The done-when of issue 4: a blood patch booked in 5 days for a patient on
// apixaban with normal renal function.
func TestDoneWhenBloodPatchApixaban(t *testing.T) {
	s := testSet(t)
	a := act(t, s, bloodPatch)
	values := cleanAnswers(s, a)
	values[QuestionTakesMedicines] = Yes
	in := Input{Act: a, Answers: Answers{Values: values, Treatments: []Treatment{{DrugID: "apixaban"}}},
		Appointment: at("2026-11-28 09:00"), Now: at("2026-11-23 09:00"), Loc: paris}
	v := s.Evaluate(in)
	h := findHold(t, v, "apixaban")
	// Intermediate class, last_dose_day -4 (ASRA 3 days read as 3 full days
	// without the drug before the day of the act).
	if want := time.Date(2026, 11, 24, 23, 59, 59, 0, paris); !h.LastDoseBy.Equal(want) || !h.DayOnly {
		t.Errorf("LastDoseBy %v (day only %v), want %v", h.LastDoseBy, h.DayOnly, want)
	}
	// The act ends at 09:45 (45 room minutes); GIHP 2015 curative restart 24-72 h.
	if want := at("2026-11-29 09:45"); !h.RestartFrom.Equal(want) {
		t.Errorf("RestartFrom %v, want %v", h.RestartFrom, want)
	}
	if want := at("2026-12-01 09:45"); !h.RestartUntil.Equal(want) {
		t.Errorf("RestartUntil %v, want %v", h.RestartUntil, want)
	}
	if want := at("2026-11-27 00:00"); !v.EarliestAct.Equal(want) || !h.EarliestAct.Equal(want) {
		t.Errorf("EarliestAct %v / %v, want %v", v.EarliestAct, h.EarliestAct, want)
	}
	if !strings.Contains(h.Advice.In("fr"), "24/11/2026") || !strings.Contains(h.Advice.In("fr"), "29/11/2026 à 09:45") || !strings.Contains(h.Advice.In("en"), "24 Nov 2026") {
		t.Errorf("advice: %q / %q", h.Advice.In("fr"), h.Advice.In("en"))
	}
	if h.Source != "asra2018" || h.RestartSource != "gihp2015" || !h.Respected {
		t.Errorf("hold provenance or state wrong: %+v", h)
	}
	if v.Status != Review || v.HasReason("hold_not_respected.apixaban") {
		t.Errorf("booked in time: status %s, reasons %v", v.Status, reasonIDs(v))
	}

	// The slot search gets EarliestAct; a slot a day before it is refused.
	in.Appointment = v.EarliestAct.Add(-24 * time.Hour).Add(9 * time.Hour)
	early := s.Evaluate(in)
	if early.Status != Contraindicated || !early.HasReason("hold_not_respected.apixaban") {
		t.Errorf("a slot before EarliestAct: status %s, reasons %v", early.Status, reasonIDs(early))
	}
	// The first instant EarliestAct allows is accepted.
	in.Appointment = v.EarliestAct
	if v := s.Evaluate(in); v.HasReason("hold_not_respected.apixaban") {
		t.Errorf("EarliestAct itself refused: %v", reasonIDs(v))
	}
}

func TestDoneWhenFeverAndContrastAllergyCiteSources(t *testing.T) {
	s := testSet(t)
	for _, c := range []struct {
		act, question, rule, source string
		want                        Status
	}{
		{bloodPatch, "fever_or_infection", "bp_fever_or_infection", "page_blood_patch", Contraindicated},
		{lumbarEpi, "fever_or_infection", "inf_infection", "article_ct_infiltration", Contraindicated},
		{vertebro, "fever_or_infection", "vp_infection", "article_ct_infiltration", Contraindicated},
		{lumbarForam, "allergy_contrast", "inf_contrast_allergy", "article_ct_infiltration", Review},
		{facet, "allergy_contrast", "inf_contrast_allergy", "article_ct_infiltration", Review},
	} {
		a := act(t, s, c.act)
		values := cleanAnswers(s, a)
		values[c.question] = Yes
		labs := []LabResult{lab(LabINR, 1, defaultNow), lab(LabPlatelets, 200, defaultNow), lab(LabEGFR, 90, defaultNow)}
		v := s.Evaluate(Input{Act: a, Answers: Answers{Values: values, Labs: labs}, Now: at(defaultNow), Loc: paris})
		if v.Status != c.want {
			t.Errorf("%s %s: status %s, want %s", c.act, c.question, v.Status, c.want)
		}
		found := false
		for _, r := range v.Reasons {
			if r.RuleID == c.rule {
				found = true
				if r.Source != c.source || r.Answer != c.question+" = yes" || !slices.Contains(r.Questions, c.question) {
					t.Errorf("%s: reason %+v", c.rule, r)
				}
				if src, ok := s.Source(r.Source); !ok || src.Title == "" {
					t.Errorf("%s: source %q not resolvable", c.rule, r.Source)
				}
			}
		}
		if !found {
			t.Errorf("%s: reason %s missing in %v", c.act, c.rule, reasonIDs(v))
		}
	}
}

func TestHoldsAcrossDaylightSaving(t *testing.T) {
	s := testSet(t)
	cases := []struct {
		name, act, drug, lastDose, appt string
		wantBy, wantEarliest            string
	}{
		// The night of 28-29 March 2026 has 23 hours: 24 elapsed hours before
		// 10:00 is 09:00 the day before.
		{"spring, hours", facet, "enoxaparin_therapeutic", "2026-03-28 10:00", "2026-03-29 10:00", "2026-03-28 09:00", "2026-03-29 11:00"},
		// The night of 24-25 October 2026 has 25 hours: 24 h before 10:00 is 11:00 the day before.
		{"autumn, hours", facet, "enoxaparin_therapeutic", "2026-10-24 10:00", "2026-10-25 10:00", "2026-10-24 11:00", "2026-10-25 09:00"},
		// Calendar days do not move with the clock change.
		{"spring, days", lumbarEpi, "apixaban", "2026-03-26 20:00", "2026-03-30 09:00", "", "2026-03-30 00:00"},
		{"autumn, days", lumbarEpi, "apixaban", "2026-10-22 20:00", "2026-10-26 09:00", "", "2026-10-26 00:00"},
	}
	for _, c := range cases {
		a := act(t, s, c.act)
		values := cleanAnswers(s, a)
		values[QuestionTakesMedicines] = Yes
		v := s.Evaluate(Input{Act: a, Answers: Answers{Values: values, Treatments: []Treatment{takes(c.drug, c.lastDose)}},
			Appointment: at(c.appt), Now: at(c.lastDose).Add(time.Hour), Loc: paris})
		h := findHold(t, v, c.drug)
		if c.wantBy != "" && !h.LastDoseBy.Equal(at(c.wantBy)) {
			t.Errorf("%s: LastDoseBy %v, want %s", c.name, h.LastDoseBy, c.wantBy)
		}
		if !h.EarliestAct.Equal(at(c.wantEarliest)) {
			t.Errorf("%s: EarliestAct %v, want %s", c.name, h.EarliestAct, c.wantEarliest)
		}
		if c.wantBy != "" && h.LastDoseBy.Sub(at(c.appt)) != -24*time.Hour {
			t.Errorf("%s: the hold is not 24 elapsed hours", c.name)
		}
	}
	// Apixaban on 26 March for an act on 30 March: last allowed day is 26 March.
	a := act(t, s, lumbarEpi)
	v := s.Evaluate(Input{Act: a, Answers: Answers{Values: cleanAnswers(s, a), Treatments: []Treatment{takes("apixaban", "2026-03-26 20:00")}},
		Appointment: at("2026-03-30 09:00"), Now: at("2026-03-27 09:00"), Loc: paris})
	if h := findHold(t, v, "apixaban"); !h.LastDoseBy.Equal(time.Date(2026, 3, 26, 23, 59, 59, 0, paris)) || !h.Respected {
		t.Errorf("spring days: %+v", h)
	}
}

// Dabigatran's hold follows the creatinine clearance (Cockcroft-Gault), not
// the eGFR: GIHP 2015 (confirmed, clinical-facts.md F.1) before a high-risk
// act, J-4 over 50 mL/min and J-5 from 30 to 50; before an epidural act
// (intermediate) the radiologist always decides, ASRA 2018 and GIHP shown.
func TestDabigatranRenalBands(t *testing.T) {
	s := testSet(t)
	woman66 := Patient{Sex: "F", BirthDate: "1960-05-01"} // 66 on the act's day
	for _, c := range []struct {
		name          string
		act           string
		creat, egfr   float64 // 0 = no result
		patient       Patient
		wantDay       int
		review        bool
		missing       bool
		wantClearance float64 // 0 = not computed
	}{
		{"vertebroplasty, clearance 67.6", vertebro, 80, 0, woman66, -4, false, false, 67.6},
		{"vertebroplasty, clearance 41.6", vertebro, 130, 0, woman66, -5, false, false, 41.6},
		{"vertebroplasty, man, clearance 49.0", vertebro, 130, 0, Patient{Sex: "M", BirthDate: "1960-05-01"}, -5, false, false, 49.0},
		{"vertebroplasty, clearance 27.0: no interval", vertebro, 200, 0, woman66, 0, true, false, 27.0},
		{"vertebroplasty, sex unknown: eGFR stands in", vertebro, 80, 80, Patient{Sex: "U", BirthDate: "1960-05-01"}, -4, true, false, 0},
		{"vertebroplasty, eGFR only", vertebro, 0, 80, woman66, -4, true, false, 0},
		{"vertebroplasty, no renal result", vertebro, 0, 0, woman66, -5, true, true, 0},
		{"lumbar epidural, clearance 67.6", lumbarEpi, 80, 0, woman66, -5, false, false, 67.6},
		{"lumbar epidural, clearance 41.6", lumbarEpi, 130, 0, woman66, -7, false, false, 41.6},
	} {
		a := act(t, s, c.act)
		values := cleanAnswers(s, a)
		values[QuestionTakesMedicines] = Yes
		values["weight_kg"] = "70"
		in := Input{Act: a, Patient: c.patient, Answers: Answers{Values: values, Treatments: []Treatment{takes("dabigatran", "")}},
			Appointment: at(booked), Now: at("2026-11-18 09:00"), Loc: paris}
		in.Answers.Labs = []LabResult{lab(LabINR, 1.0, "2026-11-18 08:00"), lab(LabPlatelets, 250, "2026-11-18 08:00")}
		if c.creat > 0 {
			in.Answers.Labs = append(in.Answers.Labs, lab(LabCreatinine, c.creat, "2026-11-18 08:00"))
		}
		if c.egfr > 0 {
			in.Answers.Labs = append(in.Answers.Labs, lab(LabEGFR, c.egfr, "2026-11-18 08:00"))
		}
		v := s.Evaluate(in)
		h := findHold(t, v, "dabigatran")
		if h.LastDoseDay != c.wantDay || h.Review != c.review {
			t.Errorf("%s: day %d review %v, want %d %v", c.name, h.LastDoseDay, h.Review, c.wantDay, c.review)
		}
		if got := slices.Contains(v.Missing, "lab:creatinine"); got != c.missing {
			t.Errorf("%s: creatinine in Missing = %v, want %v (%v)", c.name, got, c.missing, v.Missing)
		}
		switch {
		case c.wantClearance == 0 && v.Clearance != nil:
			t.Errorf("%s: clearance %v computed without its inputs", c.name, v.Clearance.MLPerMin)
		case c.wantClearance > 0 && (v.Clearance == nil || math.Abs(v.Clearance.MLPerMin-c.wantClearance) > 0.1):
			t.Errorf("%s: clearance %+v, want %.1f", c.name, v.Clearance, c.wantClearance)
		}
		if c.review && h.LastDoseDay == 0 && !h.LastDoseBy.IsZero() {
			t.Errorf("%s: a date was given without an interval", c.name)
		}
		r := v.Reasons[slices.IndexFunc(v.Reasons, func(r Reason) bool { return r.RuleID == "hold.dabigatran" })]
		if c.act == lumbarEpi && (r.Outcome != OutcomeReview || len(r.Also) == 0 || r.Also[0].Source != "gihp2015") {
			t.Errorf("%s: an epidural act keeps the radiologist's review with both sources: %+v", c.name, r)
		}
		in.Confirmed = map[string]bool{"hold:dabigatran:intermediate": true}
		if c.act == lumbarEpi && s.Evaluate(in).Status == Clear {
			t.Errorf("%s: the practice's decision cannot make a neuraxial dabigatran hold clear", c.name)
		}
	}
	// Low-risk facet: GIHP rule given for a clearance of 30 or more.
	f := act(t, s, facet)
	values := cleanAnswers(s, f)
	v := s.Evaluate(Input{Act: f, Levels: "L4-L5", Answers: Answers{Values: values, Treatments: []Treatment{takes("dabigatran", "")}, Labs: []LabResult{lab(LabEGFR, 25, defaultNow)}}, Now: at(defaultNow), Loc: paris})
	if h := findHold(t, v, "dabigatran"); !h.Review {
		t.Errorf("facet, eGFR 25: %+v", h)
	}
}

func TestCockcroftGault(t *testing.T) {
	for _, c := range []struct {
		age    int
		weight float64
		female bool
		creat  float64
		want   float64
	}{
		// Taber's: (140 - age) × weight / (72 × creatinine mg/dL), × 0.85 for a woman.
		{70, 75, false, 110, 58.6}, // 1.244 mg/dL: 70 × 75 / 89.6
		{60, 80, false, 106.08, 74.1},
		{45, 65, true, 79.56, 80.9}, // 0.9 mg/dL: the worked example of a calculator page
	} {
		if got := cockcroftGault(c.age, c.weight, c.female, c.creat); math.Abs(got-c.want) > 0.1 {
			t.Errorf("%+v: %.2f, want %.1f", c, got, c.want)
		}
	}
}

func TestXabanRenalFailureNeedsEGFR(t *testing.T) {
	s := testSet(t)
	a := act(t, s, bloodPatch)
	values := cleanAnswers(s, a)
	values[QuestionRenalFailure] = Yes
	in := Input{Act: a, Answers: Answers{Values: values, Treatments: []Treatment{takes("rivaroxaban", "")}}, Appointment: at(booked), Now: at(defaultNow), Loc: paris}
	v := s.Evaluate(in)
	if !slices.Contains(v.Missing, "lab:creatinine") || v.Status != Incomplete {
		t.Errorf("declared renal failure on rivaroxaban without a renal result: %s %v", v.Status, v.Missing)
	}
	in.Answers.Labs = []LabResult{lab(LabEGFR, 20, defaultNow)}
	v = s.Evaluate(in)
	if h := findHold(t, v, "rivaroxaban"); !h.Review || !h.LastDoseBy.IsZero() {
		t.Errorf("eGFR 20 on rivaroxaban: %+v", h)
	}
	if v.Status == Clear || !v.HasReason("antithrombotic_renal_failure") {
		t.Errorf("status %s, reasons %v", v.Status, reasonIDs(v))
	}
}

func TestCombinationPillHoldsEachComponent(t *testing.T) {
	s := testSet(t)
	a := act(t, s, lumbarEpi)
	v := s.Evaluate(Input{Act: a, Answers: Answers{Values: cleanAnswers(s, a), Treatments: []Treatment{takes("aspirin_clopidogrel", "")}}, Appointment: at("2026-12-10 09:00"), Now: at(defaultNow), Loc: paris})
	rows := map[string]bool{}
	for _, h := range v.Holds {
		rows[h.Row] = true
	}
	if !rows["aspirin_secondary"] || !rows["clopidogrel"] || !v.HasReason("hold.aspirin_clopidogrel.clopidogrel") {
		t.Errorf("holds %+v reasons %v", v.Holds, reasonIDs(v))
	}
}

func TestVerdictRoundTripsAsJSON(t *testing.T) {
	s := testSet(t)
	i := slices.IndexFunc(scenarios, func(sc scenario) bool { return sc.name == "blood patch, apixaban held in time" })
	v := s.Evaluate(scenarios[i].input(t, s))
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back Verdict
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != v.Status || len(back.Holds) != len(v.Holds) || !back.Holds[0].LastDoseBy.Equal(v.Holds[0].LastDoseBy) {
		t.Errorf("round trip changed the verdict: %+v", back)
	}
}
