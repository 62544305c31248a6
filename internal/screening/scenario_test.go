package screening

import (
	"slices"
	"testing"
)

const (
	bloodPatch   = "epidural_blood_patch"
	lumbarEpi    = "lumbar_epidural_infiltration"
	lumbarForam  = "lumbar_foraminal_infiltration"
	cervicalFora = "cervical_foraminal_infiltration"
	facet        = "facet_joint_infiltration"
	vertebro     = "vertebroplasty"

	defaultNow = "2026-11-23 09:00"
	booked     = "2026-11-28 09:00"
)

func lab(kind string, value float64, taken string) LabResult {
	return LabResult{Kind: kind, Value: value, TakenOn: at(taken)}
}

func takes(drug, lastDose string) Treatment { return Treatment{DrugID: drug, LastDose: at(lastDose)} }

// vertebroLabs are normal results the high-risk cementoplasty always needs.
var vertebroLabs = []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 250, "2026-11-23 08:00"), lab(LabEGFR, 85, "2026-11-23 08:00")}

type scenario struct {
	name       string
	act        string
	answers    map[string]string // over the act's clean answers; "-" removes one (unanswered)
	treatments []Treatment
	labs       []LabResult
	now        string   // defaultNow when empty
	appt       string   // not booked when empty
	levels     string   // the referral's levels: "L4-L5" when empty, "-" for none
	patient    Patient  // a woman born in 1960 when empty
	confirmed  []string // row keys the practice confirmed
	want       Status
	rules      []string // rule ids that must be among the reasons
	absent     []string // rule ids that must not be
	source     string   // where the expected verdict comes from
}

var scenarios = []scenario{
	// Epidural blood patch (intermediate bleeding risk by inference).
	{name: "blood patch, nothing to declare", act: bloodPatch, appt: booked, want: Clear,
		source: "seed-facts.md §1 (000): none of the listed contraindications present"},
	{name: "blood patch, fever", act: bloodPatch, answers: map[string]string{"fever_or_infection": Yes}, want: Contraindicated, rules: []string{"bp_fever_or_infection"},
		source: "seed-facts.md §1 (000): fever or active infection contraindicates"},
	{name: "blood patch, bleeding disorder with normal labs", act: bloodPatch, answers: map[string]string{"coagulation_disorder": Yes},
		labs: []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 210, "2026-11-23 08:00")}, want: Review, rules: []string{"bp_coagulation_disorder"},
		source: "seed-facts.md §1 (000): severe coagulation disorder contraindicates; severity judged by the radiologist"},
	{name: "blood patch, bleeding disorder without labs", act: bloodPatch, answers: map[string]string{"coagulation_disorder": Yes}, want: Incomplete,
		rules: []string{"bp_coagulation_disorder", "lab_missing.inr", "lab_missing.platelets"}, source: "labs.yaml inr/platelets_coagulation_disorder (SIR 2019)"},
	{name: "blood patch, platelets 40 with disorder", act: bloodPatch, answers: map[string]string{"coagulation_disorder": Yes},
		labs: []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 40, "2026-11-23 08:00")}, want: Contraindicated, rules: []string{"lab.platelets"},
		source: "SIR 2019: platelets under 50 G/L for high risk, applied to intermediate (labs.yaml)"},
	{name: "blood patch, acute neurological disease", act: bloodPatch, answers: map[string]string{"neuro_disease_acute": Yes}, want: Contraindicated, rules: []string{"bp_neuro_disease_acute"},
		source: "seed-facts.md §1 (000): acute progressive neurological disease"},
	{name: "blood patch, suspected cord compression", act: bloodPatch, answers: map[string]string{"cord_compression_suspected": Yes}, want: Contraindicated, rules: []string{"bp_cord_compression"},
		source: "seed-facts.md §1 (000): suspected spinal cord compression"},
	{name: "blood patch, intracranial hypertension not investigated", act: bloodPatch, answers: map[string]string{"intracranial_hypertension_uninvestigated": Yes}, want: Contraindicated,
		rules: []string{"bp_intracranial_hypertension"}, source: "seed-facts.md §1 (000): intracranial hypertension not yet investigated"},
	{name: "blood patch, intracranial hypertension unknown", act: bloodPatch, answers: map[string]string{"intracranial_hypertension_uninvestigated": Unknown}, want: Review,
		rules: []string{"unknown_answer.intracranial_hypertension_uninvestigated"}, source: "issue 4: an unknown answer is never no risk (if_unknown: review)"},
	{name: "blood patch, no escort", act: bloodPatch, answers: map[string]string{"accompanying_person": No}, want: Review, rules: []string{"bp_no_escort"},
		source: "seed-facts.md §1 (000): an accompanying person is recommended, hours lying down"},
	{name: "blood patch, contrast allergy", act: bloodPatch, answers: map[string]string{"allergy_contrast": Yes}, want: Review, rules: []string{"bp_contrast_allergy"},
		source: "rules/common.yaml bp_contrast_allergy (general knowledge, not confirmed)"},
	{name: "blood patch, apixaban held in time", act: bloodPatch, treatments: []Treatment{takes("apixaban", "")}, appt: booked, want: Review,
		rules: []string{"hold.apixaban"}, absent: []string{"hold_not_respected.apixaban"},
		source: "holds.yaml apixaban intermediate: ASRA 2018 3 days (not confirmed, so review) >= GIHP 2015 J-3"},
	{name: "blood patch, apixaban booked before the hold ends", act: bloodPatch, treatments: []Treatment{takes("apixaban", "")}, appt: "2026-11-26 09:00", want: Contraindicated,
		rules: []string{"hold_not_respected.apixaban"}, source: "issue 4 done-when: refuses an earlier slot"},
	{name: "blood patch, apixaban taken after the last allowed day", act: bloodPatch, treatments: []Treatment{takes("apixaban", "2026-11-25 08:00")}, now: "2026-11-25 10:00", appt: booked,
		want: Contraindicated, rules: []string{"hold_not_respected.apixaban"}, source: "holds.yaml apixaban intermediate last_dose_day -4"},
	{name: "blood patch, warfarin held with normal INR", act: bloodPatch, treatments: []Treatment{takes("warfarin", "2026-11-27 20:00")},
		labs: []LabResult{lab(LabINR, 1.1, "2026-12-03 08:00")}, now: "2026-12-03 10:00", appt: "2026-12-04 09:00", want: Review, rules: []string{"hold.warfarin"},
		source: "clinical-facts.md F.2: ASRA 2018 warfarin 5 days and a normal INR, seen only through a secondary table: not confirmed, never clear"},
	{name: "blood patch, warfarin held with normal INR, row confirmed by the practice", act: bloodPatch, treatments: []Treatment{takes("warfarin", "2026-11-27 20:00")},
		labs: []LabResult{lab(LabINR, 1.1, "2026-12-03 08:00")}, now: "2026-12-03 10:00", appt: "2026-12-04 09:00", confirmed: []string{"hold:warfarin:intermediate"}, want: Clear,
		rules: []string{"hold.warfarin"}, source: "issue 14: a practice's recorded decision makes the row count as confirmed for that practice"},
	{name: "blood patch, warfarin INR 1.6", act: bloodPatch, treatments: []Treatment{takes("warfarin", "2026-11-27 20:00")},
		labs: []LabResult{lab(LabINR, 1.6, "2026-12-03 08:00")}, now: "2026-12-03 10:00", appt: "2026-12-04 09:00", want: Review, rules: []string{"lab.inr"},
		source: "SIR 2019: correct INR to 1.5-1.8 or less (labs.yaml, intermediate by inference)"},
	{name: "blood patch, warfarin INR 2.5", act: bloodPatch, treatments: []Treatment{takes("warfarin", "2026-11-27 20:00")},
		labs: []LabResult{lab(LabINR, 2.5, "2026-12-03 08:00")}, now: "2026-12-03 10:00", appt: "2026-12-04 09:00", want: Contraindicated, rules: []string{"lab.inr"},
		source: "SIR 2019 INR above 1.8; seed 000 uncontrolled anticoagulation"},
	{name: "blood patch, warfarin without a recent INR", act: bloodPatch, treatments: []Treatment{takes("warfarin", "2026-11-20 20:00")},
		labs: []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00")}, appt: booked, want: Incomplete, rules: []string{"lab_missing.inr"},
		source: "labs.yaml inr_vka: INR of the day before or the same day (ASRA 2018 normal INR)"},
	{name: "blood patch, medicine not in the list", act: bloodPatch, treatments: []Treatment{{OtherName: "Pradaxa générique ?"}}, want: Review, rules: []string{"unknown_drug"},
		source: "issue 4: an unknown drug is never treated as no risk"},
	{name: "blood patch, fever not answered", act: bloodPatch, answers: map[string]string{"fever_or_infection": "-"}, want: Incomplete, rules: []string{"missing.fever_or_infection"},
		source: "issue 4: an unanswered mandatory question is never no risk"},
	{name: "blood patch, medicines declared but none listed", act: bloodPatch, answers: map[string]string{"takes_medicines": Yes}, want: Incomplete, rules: []string{"missing.treatments"},
		source: "issue 4: treatments with last dose are part of the questionnaire"},
	{name: "blood patch, possible pregnancy", act: bloodPatch, answers: map[string]string{"pregnancy_possible": Yes}, want: Review, rules: []string{"pregnancy"},
		source: "catalogue relative contraindication pregnancy (X-rays; general knowledge)"},
	{name: "blood patch, enoxaparin curative 25 h before", act: bloodPatch, treatments: []Treatment{takes("enoxaparin_therapeutic", "2026-11-27 08:00")}, now: "2026-11-27 12:00", appt: booked,
		want: Review, rules: []string{"hold.enoxaparin_therapeutic"}, source: "clinical-facts.md F.2: ASRA enoxaparin 24 h through a secondary table, not confirmed; blood patch class an inference"},
	{name: "blood patch, enoxaparin curative 23 h before", act: bloodPatch, treatments: []Treatment{takes("enoxaparin_therapeutic", "2026-11-27 10:00")}, now: "2026-11-27 12:00", appt: booked,
		want: Contraindicated, rules: []string{"hold_not_respected.enoxaparin_therapeutic"}, source: "ASRA 2018 (F.2, not confirmed): enoxaparin therapeutic 24 h"},

	// Lumbar epidural infiltration (intermediate).
	{name: "lumbar epidural, nothing to declare", act: lumbarEpi, want: Clear, source: "seed-facts.md §2 (002): no listed contraindication"},
	{name: "lumbar epidural, fever", act: lumbarEpi, answers: map[string]string{"fever_or_infection": Yes}, want: Contraindicated, rules: []string{"inf_infection"},
		source: "seed-facts.md §2 (002): local or systemic infection"},
	{name: "lumbar epidural, contrast allergy", act: lumbarEpi, answers: map[string]string{"allergy_contrast": Yes}, want: Review,
		rules: []string{"inf_contrast_allergy", "contrast_allergy_premedication"}, source: "issue 4 done-when; seed-facts.md §2 (001 declare, 002 contraindication)"},
	{name: "lumbar epidural, bleeding disorder", act: lumbarEpi, answers: map[string]string{"coagulation_disorder": Yes},
		labs: []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 210, "2026-11-23 08:00")}, want: Contraindicated, rules: []string{"inf_coagulopathy"},
		source: "seed-facts.md §2 (002): coagulopathy"},
	{name: "lumbar epidural, apixaban", act: lumbarEpi, treatments: []Treatment{takes("apixaban", "")}, appt: booked, want: Review,
		rules: []string{"inf_anticoagulant", "hold.apixaban"}, source: "seed-facts.md §2 (002) anticoagulant use; holds.yaml"},
	{name: "lumbar epidural, third injection this year", act: lumbarEpi, answers: map[string]string{"prior_injections_12m": "3"}, want: Review, rules: []string{"inf_repeat_injections"},
		source: "clinical-facts.md E: at most 3 a year at one site (Rennes)"},
	{name: "lumbar epidural, diabetes", act: lumbarEpi, answers: map[string]string{"diabetes": Yes}, want: Review, rules: []string{"inf_diabetes"},
		source: "rules/infiltrations.yaml inf_diabetes: an instruction not confirmed never gives clear (issue 14)"},
	{name: "lumbar epidural, diabetes, rule confirmed by the practice", act: lumbarEpi, answers: map[string]string{"diabetes": Yes}, confirmed: []string{"rule:inf_diabetes"},
		want: Clear, rules: []string{"inf_diabetes"}, source: "issue 14: the practice's decision makes the instruction count as confirmed"},
	{name: "lumbar epidural, previous surgery at level", act: lumbarEpi, answers: map[string]string{"spine_surgery_at_level": Yes}, want: Review, rules: []string{"inf_spine_surgery"},
		source: "seed-facts.md §2 (001) declare previous surgery; Rennes: may contraindicate"},
	{name: "lumbar epidural, clopidogrel stopped 8 days before", act: lumbarEpi, treatments: []Treatment{takes("clopidogrel", "2026-11-20 08:00")}, appt: booked, want: Review,
		rules: []string{"hold.clopidogrel"}, absent: []string{"hold_not_respected.clopidogrel"}, source: "clinical-facts.md B.1 clopidogrel 7 days (not confirmed)"},
	{name: "lumbar epidural, ibuprofen continued", act: lumbarEpi, treatments: []Treatment{takes("ibuprofen", "")}, appt: booked, want: Review, rules: []string{"hold.ibuprofen"},
		source: "clinical-facts.md F.2: NSAID rows seen only through a secondary table, not confirmed"},

	// Lumbar foraminal infiltration (intermediate).
	{name: "lumbar foraminal, nothing to declare", act: lumbarForam, want: Clear, source: "seed-facts.md §2"},
	{name: "lumbar foraminal, corticosteroid allergy", act: lumbarForam, answers: map[string]string{"allergy_corticosteroid": Yes}, want: Review,
		rules: []string{"inf_corticosteroid_allergy"}, source: "seed-facts.md §2 (002): allergy to injected drugs"},
	{name: "lumbar foraminal, latex allergy", act: lumbarForam, answers: map[string]string{"allergy_latex": Yes}, want: Review, rules: []string{"inf_latex_allergy"},
		source: "seed-facts.md §2 (001): declare latex allergy"},
	{name: "lumbar foraminal, spine condition unknown", act: lumbarForam, answers: map[string]string{"spine_condition_known": Unknown}, want: Review,
		rules: []string{"unknown_answer.spine_condition_known"}, source: "issue 4: unknown is never no risk"},
	{name: "lumbar foraminal, dabigatran eGFR 40", act: lumbarForam, treatments: []Treatment{takes("dabigatran", "")}, labs: []LabResult{lab(LabEGFR, 40, "2026-11-20 08:00")},
		now: "2026-11-20 09:00", appt: booked, want: Review, rules: []string{"hold.dabigatran", "inf_anticoagulant"},
		source: "GIHP 2015 (confirmed) dabigatran bands 50/30; ASRA 2018 6 days with renal impairment (not confirmed)"},
	{name: "lumbar foraminal, prior injections not a number", act: lumbarForam, answers: map[string]string{"prior_injections_12m": "deux"}, want: Incomplete,
		rules: []string{"missing.prior_injections_12m"}, source: "issue 4: an invalid answer counts as unanswered"},

	// Cervical foraminal infiltration (intermediate).
	{name: "cervical foraminal, nothing to declare", act: cervicalFora, want: Clear, source: "seed-facts.md §2"},
	{name: "cervical foraminal, no escort", act: cervicalFora, answers: map[string]string{"accompanying_person": No}, want: Clear, rules: []string{"inf_cervical_escort"},
		source: "clinical-facts.md D: come accompanied (Groupe 3R), instruction"},
	{name: "cervical foraminal, worsening neurological trouble", act: cervicalFora, answers: map[string]string{"neuro_disease_acute": Yes}, want: Review,
		rules: []string{"inf_neuro_disease_acute"}, source: "seed 000 contraindication applied by analogy (inference)"},
	{name: "cervical foraminal, suspected cord compression", act: cervicalFora, answers: map[string]string{"cord_compression_suspected": Yes}, want: Review,
		rules: []string{"inf_spine_condition"}, source: "seed-facts.md §2 (002): specific pre-existing spine conditions"},
	{name: "cervical foraminal, local anaesthetic allergy", act: cervicalFora, answers: map[string]string{"allergy_local_anaesthetic": Yes}, want: Review,
		rules: []string{"inf_local_anaesthetic_allergy"}, source: "seed-facts.md §2 (002): allergy to injected drugs"},

	// Facet-joint infiltration (low).
	{name: "facet, nothing to declare", act: facet, want: Clear, source: "seed-facts.md §3 (004)"},
	{name: "facet, fever", act: facet, answers: map[string]string{"fever_or_infection": Yes}, want: Contraindicated, rules: []string{"inf_infection"},
		source: "seed-facts.md §2 (002) infection; catalogue facet contraindication"},
	{name: "facet, apixaban low-risk rule", act: facet, treatments: []Treatment{takes("apixaban", "")}, appt: booked, want: Review,
		rules: []string{"hold.apixaban", "inf_anticoagulant"}, source: "GIHP 2015 low bleeding risk (confirmed); 002 anticoagulant use asks review"},
	{name: "facet, warfarin shared decision", act: facet, treatments: []Treatment{takes("warfarin", "")}, labs: []LabResult{lab(LabINR, 1.9, "2026-11-23 08:00")}, want: Review,
		rules: []string{"hold.warfarin"}, source: "ASRA 2018 (confirmed): low risk, no stop, shared assessment"},
	{name: "facet, aspirin secondary prevention continued", act: facet, treatments: []Treatment{takes("aspirin_secondary", "")}, want: Review, rules: []string{"hold.aspirin_secondary"},
		source: "clinical-facts.md F.2: aspirin rows seen only through a secondary table, not confirmed"},
	{name: "facet, INR 2.5", act: facet, labs: []LabResult{lab(LabINR, 2.5, "2026-11-23 08:00")}, want: Review, rules: []string{"lab.inr"},
		source: "SIR 2019 low risk: INR 2.0-3.0 or less"},
	{name: "facet, platelets 15", act: facet, labs: []LabResult{lab(LabPlatelets, 15, "2026-11-23 08:00")}, want: Contraindicated, rules: []string{"lab.platelets"},
		source: "SIR 2019 low risk: transfuse under 20 G/L"},

	// Vertebroplasty (high).
	{name: "vertebroplasty, nothing to declare, labs normal", act: vertebro, labs: vertebroLabs, appt: booked, want: Clear,
		source: "seed-facts.md §4 (003) and clinical-facts.md B.1/C"},
	{name: "vertebroplasty, no labs yet", act: vertebro, want: Incomplete, rules: []string{"lab_missing.inr", "lab_missing.platelets", "lab_missing.egfr_or_creatinine"},
		source: "seed-facts.md §4 (003): renal function and coagulation before; SIR 2019 high risk"},
	{name: "vertebroplasty, bleeding disorder", act: vertebro, labs: vertebroLabs, answers: map[string]string{"coagulation_disorder": Yes}, want: Contraindicated,
		rules: []string{"vp_coagulopathy"}, source: "clinical-facts.md E (Fabeck 2008): coagulopathy"},
	{name: "vertebroplasty, fever", act: vertebro, labs: vertebroLabs, answers: map[string]string{"fever_or_infection": Yes}, want: Contraindicated, rules: []string{"vp_infection"},
		source: "seed-facts.md §4 (003) infection risk; analogy with 002 (inference)"},
	{name: "vertebroplasty, renal failure", act: vertebro, labs: vertebroLabs, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"vp_renal_failure"},
		source: "seed-facts.md §4 (003): renal function test"},
	{name: "vertebroplasty, naproxen stopped from today", act: vertebro, labs: vertebroLabs, treatments: []Treatment{takes("naproxen", "")}, appt: booked, want: Review,
		rules: []string{"hold.naproxen"}, source: "clinical-facts.md F.2: ASRA naproxen 4 days through a secondary table, not confirmed"},
	{name: "vertebroplasty, aspirin primary prevention too late", act: vertebro, labs: vertebroLabs, treatments: []Treatment{takes("aspirin_primary", "")}, appt: booked,
		want: Contraindicated, rules: []string{"hold_not_respected.aspirin_primary"}, source: "ASRA 2018 (confirmed): aspirin primary prevention 6 days for high risk"},
	{name: "vertebroplasty, aspirin secondary prevention", act: vertebro, labs: vertebroLabs, treatments: []Treatment{takes("aspirin_secondary", "")}, appt: booked, want: Review,
		rules: []string{"hold.aspirin_secondary"}, source: "ASRA 2018 (confirmed): shared assessment for secondary prevention"},
	{name: "vertebroplasty, platelets 40", act: vertebro, labs: []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 40, "2026-11-23 08:00"), lab(LabEGFR, 85, "2026-11-23 08:00")},
		want: Contraindicated, rules: []string{"lab.platelets"}, source: "SIR 2019 high risk: platelets under 50 G/L"},
	{name: "vertebroplasty, INR 1.7", act: vertebro, labs: []LabResult{lab(LabINR, 1.7, "2026-11-23 08:00"), lab(LabPlatelets, 250, "2026-11-23 08:00"), lab(LabEGFR, 85, "2026-11-23 08:00")},
		want: Review, rules: []string{"lab.inr"}, source: "SIR 2019 high risk: INR 1.5-1.8 or less"},
	{name: "vertebroplasty, weight missing", act: vertebro, labs: vertebroLabs, answers: map[string]string{"weight_kg": "-"}, want: Incomplete, rules: []string{"missing.weight_kg"},
		source: "questions.yaml weight_kg mandatory for vertebroplasty"},
	{name: "vertebroplasty, metformin and renal failure", act: vertebro, labs: vertebroLabs, treatments: []Treatment{takes("metformin", "")}, answers: map[string]string{"renal_failure": Yes},
		want: Review, rules: []string{"metformin_renal", "vp_renal_failure"}, source: "rules/treatments.yaml metformin_renal (ESUR, not confirmed)"},
	{name: "vertebroplasty, fondaparinux", act: vertebro, labs: vertebroLabs, treatments: []Treatment{takes("fondaparinux", "")}, appt: booked, want: Review,
		rules: []string{"hold.fondaparinux"}, source: "clinical-facts.md B.1 fondaparinux about 4 days (not confirmed)"},
}

func (sc scenario) input(t *testing.T, s *Set) Input {
	a := act(t, s, sc.act)
	values := cleanAnswers(s, a)
	for k, v := range sc.answers {
		if v == "-" {
			delete(values, k)
			continue
		}
		values[k] = v
	}
	if len(sc.treatments) > 0 {
		values[QuestionTakesMedicines] = Yes
	}
	now := sc.now
	if now == "" {
		now = defaultNow
	}
	levels := sc.levels
	switch levels {
	case "":
		levels = "L4-L5"
	case "-":
		levels = ""
	}
	p := sc.patient
	if p == (Patient{}) {
		p = Patient{Sex: "F", BirthDate: "1960-05-01"}
	}
	confirmed := map[string]bool{}
	for _, k := range sc.confirmed {
		confirmed[k] = true
	}
	return Input{Act: a, Levels: levels, Patient: p, Confirmed: confirmed, Answers: Answers{Values: values, Treatments: sc.treatments, Labs: sc.labs},
		Appointment: at(sc.appt), Now: at(now), Loc: paris}
}

func TestScenarios(t *testing.T) {
	s := testSet(t)
	acts := map[string]int{}
	for _, sc := range scenarios {
		acts[sc.act]++
		t.Run(sc.name, func(t *testing.T) {
			if sc.source == "" {
				t.Fatal("every scenario names the source of its expectation")
			}
			v := s.Evaluate(sc.input(t, s))
			ids := reasonIDs(v)
			if v.Status != sc.want {
				t.Errorf("status %s, want %s (source: %s); reasons %v", v.Status, sc.want, sc.source, ids)
			}
			for _, r := range sc.rules {
				if !slices.Contains(ids, r) {
					t.Errorf("reason %s missing; got %v", r, ids)
				}
			}
			for _, r := range sc.absent {
				if slices.Contains(ids, r) {
					t.Errorf("reason %s present; got %v", r, ids)
				}
			}
			for _, r := range v.Reasons {
				if r.Source == "" || r.Status == "" || r.Message.In("fr") == "" || r.Message.In("en") == "" {
					t.Errorf("reason %s lacks source, status or message: %+v", r.RuleID, r)
				}
				if _, ok := s.Source(r.Source); !ok {
					t.Errorf("reason %s cites unknown source %q", r.RuleID, r.Source)
				}
			}
		})
	}
	if len(scenarios) < 40 || len(acts) != 6 {
		t.Errorf("%d scenarios over %d acts: want at least 40 over the 6 acts", len(scenarios), len(acts))
	}
}
