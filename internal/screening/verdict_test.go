package screening

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOverridesRecomputeStatus(t *testing.T) {
	s := testSet(t)
	a := act(t, s, lumbarEpi)
	values := cleanAnswers(s, a)
	values["pregnancy_possible"] = Yes
	values["spine_surgery_at_level"] = Yes
	v := s.Evaluate(Input{Act: a, Answers: Answers{Values: values}, Now: at(defaultNow), Loc: paris})
	if v.Status != Review {
		t.Fatalf("status %s", v.Status)
	}
	partly := v.WithOverrides(map[string]bool{"pregnancy": true})
	if partly.Status != Review {
		t.Errorf("one of two reviews overridden: %s", partly.Status)
	}
	all := v.WithOverrides(map[string]bool{"pregnancy": true, "inf_spine_surgery": true})
	if all.Status != Clear {
		t.Errorf("every review overridden: %s", all.Status)
	}
	if v.Reasons[0].Overridden {
		t.Error("WithOverrides changed the original verdict")
	}

	// A missing answer cannot be overridden.
	delete(values, "fever_or_infection")
	v = s.Evaluate(Input{Act: a, Answers: Answers{Values: values}, Now: at(defaultNow), Loc: paris})
	o := v.WithOverrides(map[string]bool{"missing.fever_or_infection": true, "pregnancy": true, "inf_spine_surgery": true})
	if o.Status != Incomplete {
		t.Errorf("override of a missing answer: %s", o.Status)
	}

	// A contraindication can be overridden by the radiologist.
	values["fever_or_infection"] = Yes
	v = s.Evaluate(Input{Act: a, Answers: Answers{Values: values}, Now: at(defaultNow), Loc: paris})
	if o := v.WithOverrides(map[string]bool{"inf_infection": true}); o.Status != Review {
		t.Errorf("contraindication overridden: %s", o.Status)
	}
}

func TestMedicalAlertsAndContrastAllergy(t *testing.T) {
	s := testSet(t)
	a := act(t, s, bloodPatch)
	values := cleanAnswers(s, a)
	values["accompanying_person"] = No
	values["allergy_latex"] = Yes
	values[QuestionContrastAllergy] = Yes
	in := Input{Act: a, Answers: Answers{Values: values, Treatments: []Treatment{takes("apixaban", ""), takes("aspirin_indication_unknown", "")}},
		Appointment: at(booked), Now: at(defaultNow), Loc: paris}
	v := s.Evaluate(in)
	fr := v.MedicalAlerts("fr")
	for _, want := range []string{"Apixaban arrêté – dernière prise 24/11", "Pas d'accompagnant", "Allergie au latex"} {
		if !slices.Contains(fr, want) {
			t.Errorf("alert %q missing in %q", want, fr)
		}
	}
	en := v.MedicalAlerts("en")
	if !slices.Contains(en, "No escort") || !slices.Contains(en, "Apixaban stopped – last dose 24 Nov") {
		t.Errorf("english alerts %q", en)
	}
	for _, line := range append(fr, en...) {
		if utf8.RuneCountInString(line) > MaxAlertLen {
			t.Errorf("alert longer than %d: %q", MaxAlertLen, line)
		}
	}
	if got := v.ContrastAllergy("fr"); got != "Produit de contraste iodé" {
		t.Errorf("contrast allergy %q", got)
	}

	values[QuestionContrastAllergy] = Unknown
	in.Answers.Treatments = nil
	v = s.Evaluate(in)
	if got := v.ContrastAllergy("en"); !strings.Contains(got, "not ruled out") {
		t.Errorf("unknown contrast allergy: %q", got)
	}
	values[QuestionContrastAllergy] = No
	if got := s.Evaluate(in).ContrastAllergy("fr"); got != "" {
		t.Errorf("no allergy: %q", got)
	}
}

func TestQuestionsForAct(t *testing.T) {
	s := testSet(t)
	bp := s.QuestionsFor(act(t, s, bloodPatch))
	fa := s.QuestionsFor(act(t, s, facet))
	has := func(qs []Question, id string) (Question, bool) {
		i := slices.IndexFunc(qs, func(q Question) bool { return q.ID == id })
		if i < 0 {
			return Question{}, false
		}
		return qs[i], true
	}
	if q, ok := has(bp, "intracranial_hypertension_uninvestigated"); !ok || !q.Mandatory || q.GroupTitle.In("fr") == "" {
		t.Errorf("blood patch intracranial question: %+v", q)
	}
	if _, ok := has(fa, "intracranial_hypertension_uninvestigated"); ok {
		t.Error("facet form asks about intracranial hypertension")
	}
	if q, ok := has(fa, "accompanying_person"); !ok || q.Mandatory {
		t.Errorf("facet escort question: %+v %v", q, ok)
	}
	// Groups come in order: a question never goes back to an earlier group.
	order := map[string]int{}
	for i, g := range s.groups {
		order[g.ID] = i
	}
	for i := 1; i < len(bp); i++ {
		if order[bp[i].Group] < order[bp[i-1].Group] {
			t.Errorf("question %s is out of its group order", bp[i].ID)
		}
	}
	if d, ok := s.Drug("apixaban"); !ok || d.Class != ClassDOAC || !slices.Contains(d.Brands, "Eliquis") {
		t.Errorf("Drug(apixaban) = %+v", d)
	}
	if src, ok := s.Source("lemedecin_lhlh002"); !ok || src.Title == "" {
		t.Error("Source does not fall back to the catalogue")
	}
}

func TestLabsNeeded(t *testing.T) {
	s := testSet(t)
	vp := act(t, s, vertebro)
	needs := s.LabsNeeded(Input{Act: vp, Answers: Answers{Values: cleanAnswers(s, vp)}, Now: at(defaultNow), Loc: paris})
	var kinds []string
	for _, n := range needs {
		kinds = append(kinds, strings.Join(n.Kinds, "|"))
		if n.Why.In("fr") == "" || n.Source == "" || n.MaxAgeDays <= 0 {
			t.Errorf("need %+v lacks why, source or age", n)
		}
	}
	for _, want := range []string{"inr", "platelets", "egfr|creatinine"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("vertebroplasty needs %s; got %v", want, kinds)
		}
	}
	// A VKA patient needs an INR of the day before or the same day (the stricter requirement wins).
	bp := act(t, s, bloodPatch)
	needs = s.LabsNeeded(Input{Act: bp, Answers: Answers{Values: cleanAnswers(s, bp), Treatments: []Treatment{takes("warfarin", "")}}, Now: at(defaultNow), Loc: paris})
	if len(needs) != 1 || needs[0].Kinds[0] != LabINR || needs[0].MaxAgeDays != 1 {
		t.Errorf("warfarin needs %+v", needs)
	}
	// A lab dated in the future or too old does not count.
	in := Input{Act: act(t, s, facet), Answers: Answers{Labs: []LabResult{lab(LabINR, 1, "2026-11-24 08:00"), lab(LabPlatelets, 200, "2026-09-01 08:00")}}, Now: at(defaultNow), Loc: paris}
	if _, ok := in.latestLab(LabINR, 7); ok {
		t.Error("a future INR was accepted")
	}
	if _, ok := in.latestLab(LabPlatelets, 30); ok {
		t.Error("an outdated platelet count was accepted")
	}
}

// TestAnswersNumber: a number answer is read with a decimal comma as with
// a point (the weight the worklist and the dose export give), and an
// unknown, empty or unreadable answer is no number.
func TestAnswersNumber(t *testing.T) {
	a := Answers{Values: map[string]string{"weight_kg": " 81,5 ", "inr": "2.4", "egfr": "unknown", "x": "NaN", "y": "beaucoup"}}
	for id, want := range map[string]float64{"weight_kg": 81.5, "inr": 2.4} {
		if got, ok := a.Number(id); !ok || got != want {
			t.Errorf("%s: %v %v, want %v", id, got, ok, want)
		}
	}
	for _, id := range []string{"egfr", "x", "y", "absent"} {
		if got, ok := a.Number(id); ok {
			t.Errorf("%s read as %v", id, got)
		}
	}
}
