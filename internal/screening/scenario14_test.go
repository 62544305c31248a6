package screening

// Scenarios of issue 14 (clinical content against its sources), one per
// defect fixed, each with the source of its expectation.
func init() { scenarios = append(scenarios, clinicalReviewScenarios...) }

// creatinine80 with a woman of 66 weighing 70 kg gives a clearance of 67.6 mL/min;
// creatinine130, 41.6 mL/min (Cockcroft-Gault).
var (
	creatinine80  = []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 250, "2026-11-23 08:00"), lab(LabCreatinine, 80, "2026-11-23 08:00")}
	creatinine130 = []LabResult{lab(LabINR, 1.0, "2026-11-23 08:00"), lab(LabPlatelets, 250, "2026-11-23 08:00"), lab(LabCreatinine, 130, "2026-11-23 08:00")}
)

var clinicalReviewScenarios = []scenario{
	// A not-confirmed row never gives a clear verdict, "no stop" included.
	{name: "facet, clopidogrel continued", act: facet, treatments: []Treatment{takes("clopidogrel", "")}, appt: booked, want: Review, rules: []string{"hold.clopidogrel"},
		source: "clinical-facts.md F.2: clopidogrel row not found in any readable source; a not-confirmed row never gives a clear verdict"},
	{name: "facet, prasugrel continued", act: facet, treatments: []Treatment{takes("prasugrel", "")}, appt: booked, want: Review, rules: []string{"hold.prasugrel"},
		source: "clinical-facts.md F.2: prasugrel row not confirmed"},
	{name: "facet, ticagrelor continued", act: facet, treatments: []Treatment{takes("ticagrelor", "")}, appt: booked, want: Review, rules: []string{"hold.ticagrelor"},
		source: "clinical-facts.md F.2: ticagrelor row not confirmed"},
	{name: "facet, aspirin + clopidogrel continued", act: facet, treatments: []Treatment{takes("aspirin_clopidogrel", "")}, appt: booked, want: Review,
		rules: []string{"hold.aspirin_clopidogrel.clopidogrel", "hold.aspirin_clopidogrel.aspirin_secondary"}, source: "clinical-facts.md F.2: both rows not confirmed"},
	{name: "facet, clopidogrel, both rows confirmed by the practice", act: facet, treatments: []Treatment{takes("clopidogrel", "")}, appt: booked,
		confirmed: []string{"hold:clopidogrel:low"}, want: Clear, rules: []string{"hold.clopidogrel"},
		source: "issue 14: a practice's recorded decision on a row makes it count as confirmed for that practice"},

	// A cervical facet is not a low-risk act.
	{name: "cervical facet, nothing to declare", act: facet, levels: "C5-C6", want: Clear,
		source: "catalogue facet bleeding_risk_by_region: the class only matters for holds and lab limits"},
	{name: "cervical facet, ibuprofen", act: facet, levels: "C5-C6", treatments: []Treatment{takes("ibuprofen", "")}, appt: booked, want: Review,
		rules: []string{"hold.ibuprofen", "bleeding_class"}, source: "clinical-facts.md B.1/F.2: cervical medial branch block intermediate, cervical facet not explicit (not confirmed)"},
	{name: "cervical facet, apixaban stopped the day before", act: facet, levels: "C5-C6", treatments: []Treatment{takes("apixaban", "2026-11-26 20:00")}, now: "2026-11-26 21:00", appt: booked,
		want: Contraindicated, rules: []string{"hold_not_respected.apixaban"}, source: "intermediate class at a cervical level: apixaban last dose on day -4 (ASRA 3 days), not GIHP's low-risk day -1"},
	{name: "lumbar facet, apixaban stopped the day before", act: facet, levels: "L4-L5", treatments: []Treatment{takes("apixaban", "2026-11-27 08:00")}, now: "2026-11-27 09:00", appt: booked,
		want: Review, rules: []string{"hold.apixaban", "inf_anticoagulant"}, absent: []string{"hold_not_respected.apixaban", "bleeding_class"},
		source: "GIHP 2015 low bleeding risk (confirmed): no dose the evening before nor the morning of the act"},
	{name: "cervical facet, INR 1.7", act: facet, levels: "C6-C7", labs: []LabResult{lab(LabINR, 1.7, "2026-11-23 08:00")}, want: Review, rules: []string{"lab.inr", "bleeding_class"},
		source: "SIR 2019 high risk INR 1.5-1.8 applied to the intermediate class (labs.yaml) at a cervical level"},
	{name: "lumbar facet, INR 1.7", act: facet, levels: "L5-S1", labs: []LabResult{lab(LabINR, 1.7, "2026-11-23 08:00")}, want: Clear, absent: []string{"lab.inr"},
		source: "SIR 2019 low risk: INR 2.0-3.0 or less (confirmed)"},
	{name: "facet, levels not given, ibuprofen", act: facet, levels: "-", treatments: []Treatment{takes("ibuprofen", "")}, appt: booked, want: Review,
		rules: []string{"bleeding_class.levels"}, source: "catalogue facet: without levels the strictest class is applied and the levels asked"},
	{name: "cervical facet, class confirmed by the practice, INR 1.2", act: facet, levels: "C5-C6", confirmed: []string{"class:facet_joint_infiltration:cervical"},
		labs: []LabResult{lab(LabINR, 1.2, "2026-11-23 08:00")}, want: Clear, absent: []string{"bleeding_class"}, source: "issue 14: the practice's decision on the class row"},

	// Heparins before a blood patch: rows seen only second-hand.
	{name: "blood patch, preventive enoxaparin 13 h before", act: bloodPatch, treatments: []Treatment{takes("enoxaparin_prophylactic", "2026-11-27 20:00")}, now: "2026-11-27 21:00", appt: booked,
		want: Review, rules: []string{"hold.enoxaparin_prophylactic"}, source: "clinical-facts.md F.2: ASRA enoxaparin rows not confirmed; blood patch class an inference (B.1)"},
	{name: "blood patch, tinzaparin 25 h before", act: bloodPatch, treatments: []Treatment{takes("tinzaparin", "2026-11-27 08:00")}, now: "2026-11-27 09:00", appt: booked,
		want: Review, rules: []string{"hold.tinzaparin"}, source: "handled like enoxaparin at treatment dose, itself not confirmed (F.2)"},
	{name: "blood patch, nadroparin 25 h before", act: bloodPatch, treatments: []Treatment{takes("nadroparin", "2026-11-27 08:00")}, now: "2026-11-27 09:00", appt: booked,
		want: Review, rules: []string{"hold.nadroparin"}, source: "handled like enoxaparin at treatment dose, itself not confirmed (F.2)"},
	{name: "blood patch, subcutaneous heparin 7 h before", act: bloodPatch, treatments: []Treatment{takes("ufh_sc", "2026-11-28 02:00")}, now: "2026-11-28 03:00", appt: booked,
		want: Review, rules: []string{"hold.ufh_sc"}, source: "clinical-facts.md F.2: SC heparin 24 h / 6 h / 6 h, not confirmed"},
	{name: "blood patch, IV heparin 7 h before", act: bloodPatch, treatments: []Treatment{takes("ufh_iv", "2026-11-28 02:00")}, now: "2026-11-28 03:00", appt: booked,
		want: Review, rules: []string{"hold.ufh_iv"}, source: "clinical-facts.md F.2: IV heparin 6 h, not confirmed"},

	// Renal failure declared, alone.
	{name: "blood patch, renal failure alone", act: bloodPatch, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"renal_failure_declared"},
		source: "ASRA News 2019 (confirmed): renal disease, a patient factor of bleeding; consider coagulation studies"},
	{name: "lumbar epidural, renal failure alone", act: lumbarEpi, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"renal_failure_declared"},
		source: "ASRA News 2019 (confirmed); iodinated contrast about 1 mL locally (emc_cervical_foraminal); ESUR: CKD main risk factor"},
	{name: "lumbar foraminal, renal failure alone", act: lumbarForam, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"renal_failure_declared"},
		source: "ASRA News 2019 (confirmed)"},
	{name: "cervical foraminal, renal failure alone", act: cervicalFora, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"renal_failure_declared"},
		source: "ASRA News 2019 (confirmed)"},
	{name: "facet, renal failure alone", act: facet, answers: map[string]string{"renal_failure": Yes}, want: Review, rules: []string{"renal_failure_declared"},
		source: "ASRA News 2019 (confirmed): severe kidney dysfunction may raise the risk of low-risk procedures"},

	// Dabigatran: GIHP 2015 by creatinine clearance before a high-risk act.
	{name: "vertebroplasty, dabigatran stopped at J-4, clearance 67.6", act: vertebro, labs: creatinine80, treatments: []Treatment{takes("dabigatran", "2026-11-24 20:00")},
		now: "2026-11-25 09:00", appt: booked, want: Clear, rules: []string{"hold.dabigatran"}, absent: []string{"hold_not_respected.dabigatran"},
		source: "clinical-facts.md F.1 GIHP 2015 (confirmed): dabigatran last dose J-4 if CrCl > 50 before a high-risk act"},
	{name: "vertebroplasty, dabigatran stopped at J-4, clearance 41.6", act: vertebro, labs: creatinine130, treatments: []Treatment{takes("dabigatran", "2026-11-24 20:00")},
		now: "2026-11-25 09:00", appt: booked, want: Contraindicated, rules: []string{"hold_not_respected.dabigatran"},
		source: "clinical-facts.md F.1 GIHP 2015: J-5 when CrCl is 30-50"},
	{name: "vertebroplasty, dabigatran stopped at J-5, clearance 41.6", act: vertebro, labs: creatinine130, treatments: []Treatment{takes("dabigatran", "2026-11-23 08:00")},
		now: "2026-11-23 09:00", appt: booked, want: Clear, absent: []string{"hold_not_respected.dabigatran"}, source: "clinical-facts.md F.1 GIHP 2015: J-5 when CrCl is 30-50"},
	{name: "vertebroplasty, apixaban stopped at J-3", act: vertebro, labs: creatinine80, treatments: []Treatment{takes("apixaban", "2026-11-25 08:00")},
		now: "2026-11-25 09:00", appt: booked, want: Clear, rules: []string{"hold.apixaban"}, source: "clinical-facts.md F.1 GIHP 2015: xabans last dose J-3 before a high-risk act"},
	{name: "lumbar epidural, dabigatran stopped at J-6, clearance 67.6", act: lumbarEpi, labs: creatinine80, treatments: []Treatment{takes("dabigatran", "2026-11-22 08:00")},
		answers: map[string]string{"weight_kg": "70"}, now: "2026-11-23 09:00", appt: booked, want: Review, rules: []string{"hold.dabigatran"},
		source: "clinical-facts.md F.1: GIHP suggests longer holds before neuraxial acts without a figure; ASRA not confirmed: the radiologist decides"},

	// Questions that do not apply are not asked.
	{name: "lumbar epidural, a man, pregnancy questions not asked", act: lumbarEpi, patient: Patient{Sex: "M", BirthDate: "1969-10-03"},
		answers: map[string]string{"pregnancy_possible": "-", "breastfeeding": "-"}, want: Clear, absent: []string{"missing.pregnancy_possible", "missing.breastfeeding"},
		source: "issue 14: pregnancy and breastfeeding are not asked of a man"},
	{name: "lumbar epidural, a woman, pregnancy not answered", act: lumbarEpi, answers: map[string]string{"pregnancy_possible": "-"}, want: Incomplete,
		rules: []string{"missing.pregnancy_possible"}, source: "questions.yaml: pregnancy mandatory for every act (X-rays)"},
	{name: "lumbar epidural, sex not recorded, pregnancy not answered", act: lumbarEpi, patient: Patient{Sex: "U", BirthDate: "1980-01-01"},
		answers: map[string]string{"pregnancy_possible": "-"}, want: Incomplete, rules: []string{"missing.pregnancy_possible"},
		source: "questions.yaml sexes [F, U]: asked when the sex is not recorded"},
}
