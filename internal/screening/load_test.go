package screening

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"repere/internal/catalog"
)

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func testSet(t testing.TB) *Set {
	t.Helper()
	s, err := Load(testCatalog(t), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmbeddedDataLoads(t *testing.T) {
	s := testSet(t)
	if len(s.rules) == 0 || len(s.drugs) == 0 || len(s.holds) == 0 {
		t.Fatalf("empty set: %d rules, %d drugs, %d holds", len(s.rules), len(s.drugs), len(s.holds))
	}
	for _, a := range s.cat.Acts() {
		if !s.Screens(a) {
			t.Errorf("built-in act %s has no screening rules", a.ID)
		}
	}
}

// Every contraindication of the source pages (seed-facts.md) has a rule or a
// mechanism that enforces it.
func TestSeedContraindicationsCovered(t *testing.T) {
	s := testSet(t)
	ids := map[string]Rule{}
	for _, r := range s.rules {
		ids[r.ID] = r
	}
	for _, c := range []struct{ rule, outcome, why string }{
		{"bp_fever_or_infection", OutcomeContraindicated, "000 fever or active infection"},
		{"bp_coagulation_disorder", OutcomeReview, "000 severe coagulation disorder (lab thresholds contraindicate)"},
		{"bp_neuro_disease_acute", OutcomeContraindicated, "000 acute progressive neurological disease"},
		{"bp_cord_compression", OutcomeContraindicated, "000 suspected spinal cord compression"},
		{"bp_intracranial_hypertension", OutcomeContraindicated, "000 intracranial hypertension not investigated"},
		{"inf_infection", OutcomeContraindicated, "002 local or systemic infection"},
		{"inf_coagulopathy", OutcomeContraindicated, "002 coagulopathy"},
		{"inf_anticoagulant", OutcomeReview, "002 anticoagulant use (holds computed)"},
		{"inf_contrast_allergy", OutcomeReview, "002 allergy to contrast"},
		{"inf_corticosteroid_allergy", OutcomeReview, "002 allergy to injected drugs"},
		{"inf_local_anaesthetic_allergy", OutcomeReview, "002 allergy to injected drugs"},
		{"inf_spine_condition", OutcomeReview, "002 specific pre-existing spine conditions"},
		{"inf_spine_surgery", OutcomeReview, "001 previous spine surgery"},
		{"inf_latex_allergy", OutcomeReview, "001 latex allergy"},
	} {
		r, ok := ids[c.rule]
		if !ok || r.Outcome != c.outcome {
			t.Errorf("%s: rule %s missing or not %s", c.why, c.rule, c.outcome)
		}
	}
	// 000 "uncontrolled anticoagulation" is the holds' hold_not_respected (TestDoneWhenBloodPatchApixaban).
}

func TestPracticeFolderOverrides(t *testing.T) {
	cat := testCatalog(t)
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "rules"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "rules", "practice.yaml"), []byte(`rules:
  - id: breastfeeding
    acts: [facet_joint_infiltration]
    when: {answer: breastfeeding, is: "yes"}
    outcome: instruction
    message: {fr: "Allaitement : à signaler au radiologue.", en: "Breastfeeding: tell the radiologist."}
    source: practice_protocol
    status: practice_default
`), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte("sources:\n  - {id: practice_protocol, title: \"Practice protocol 2026\"}\n"), 0o644))
	s, err := Load(cat, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := act(t, s, facet)
	values := cleanAnswers(s, a)
	values["breastfeeding"] = Yes
	if v := s.Evaluate(Input{Act: a, Answers: Answers{Values: values}, Now: at(defaultNow), Loc: paris}); v.Status != Clear || !v.HasReason("breastfeeding") {
		t.Errorf("override not applied: %s %v", v.Status, reasonIDs(v))
	}
	if _, err := Load(cat, filepath.Join(dir, "nope")); err == nil {
		t.Error("a missing folder was accepted")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBrokenDataNamesFileAndField(t *testing.T) {
	cat := testCatalog(t)
	cases := []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"misspelt key", fstest.MapFS{"rules/x.yaml": {Data: []byte("rules:\n  - id: x\n    acts: [facet_joint_infiltration]\n    when: {answer: diabetes, is: \"yes\"}\n    outcom: review\n")}},
			[]string{"broken/rules/x.yaml", "outcom"}},
		{"unknown source", fstest.MapFS{"rules/x.yaml": {Data: []byte(rule("x", "instruction", "diabetes", "nowhere"))}},
			[]string{"broken/rules/x.yaml", "rules[x].source", "nowhere"}},
		{"review on an optional question", fstest.MapFS{"rules/x.yaml": {Data: []byte(rule("x", "review", "accompanying_person", "repere_default"))}},
			[]string{"broken/rules/x.yaml", "rules[x].when", "accompanying_person", "mandatory"}},
		{"unknown question", fstest.MapFS{"rules/x.yaml": {Data: []byte(rule("x", "instruction", "nope", "repere_default"))}},
			[]string{"broken/rules/x.yaml", "rules[x].when.answer"}},
		{"drug pointing at no hold", fstest.MapFS{"drugs.yaml": {Data: []byte("drugs:\n  - {id: newdoac, name: {fr: N, en: N}, brands: [], class: doac, holds: [nope], source: general_knowledge, status: not_confirmed}\n")}},
			[]string{"broken/drugs.yaml", "drugs[newdoac].holds", "nope"}},
		{"hold with two stop forms", fstest.MapFS{"holds.yaml": {Data: []byte("holds:\n  - id: apixaban\n    low: {stop: {hours: 6, no_hold: true}, source: asra2018, status: confirmed}\n    intermediate: {stop: {hours: 6}, source: asra2018, status: confirmed}\n    high: {stop: {hours: 6}, source: asra2018, status: bogus}\n")}},
			[]string{"broken/holds.yaml", "holds[apixaban].low.stop", "holds[apixaban].high.status"}},
		{"act not in the catalogue", fstest.MapFS{"questions.yaml": {Data: []byte("acts: [no_such_act]\n")}},
			[]string{"questions.yaml", "acts", "no_such_act"}},
		{"alert too long", fstest.MapFS{"rules/x.yaml": {Data: []byte(strings.Replace(rule("x", "instruction", "diabetes", "repere_default"), "    source:", "    alert: {fr: \""+strings.Repeat("a", 70)+"\", en: b}\n    source:", 1))}},
			[]string{"rules[x].alert.fr", "longer than 64"}},
		{"not YAML", fstest.MapFS{"labs.yaml": {Data: []byte("labs: [\n")}}, []string{"broken/labs.yaml", "invalid YAML"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFS(cat, []fs.FS{Builtin(), c.files}, []string{"built-in", "broken"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want a screening Error, got %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
	if _, err := LoadFS(nil, []fs.FS{Builtin()}, []string{"b"}); err == nil {
		t.Error("no catalogue accepted")
	}
}

func rule(id, outcome, question, source string) string {
	return "rules:\n  - id: " + id + "\n    acts: [facet_joint_infiltration]\n    when: {answer: " + question + ", is: \"yes\"}\n    outcome: " + outcome +
		"\n    message: {fr: \"m\", en: \"m\"}\n    source: " + source + "\n    status: practice_default\n"
}

func TestActWithoutRulesIsNeverClear(t *testing.T) {
	s := testSet(t)
	practice := *act(t, s, facet)
	practice.ID = "practice_only_act"
	v := s.Evaluate(Input{Act: &practice, Answers: Answers{Values: map[string]string{"coagulation_disorder": No}}, Now: at(defaultNow), Loc: paris})
	if v.Status != Review || !v.HasReason(RuleActNotScreened) {
		t.Errorf("act unknown to the screening: %s %v", v.Status, reasonIDs(v))
	}
	if v := s.Evaluate(Input{Now: at(defaultNow)}); v.Status != Incomplete {
		t.Errorf("no act: %s", v.Status)
	}
}

// Staff read the built-in data in words: every question has its short label,
// every source its short citation.
func TestBuiltinDataHasStaffWording(t *testing.T) {
	s := testSet(t)
	for _, q := range s.questions {
		if len(q.Label) == 0 {
			t.Errorf("question %s has no label", q.ID)
		}
	}
	for id, src := range s.sources {
		if src.Short.In("fr") == "" || src.Short.In("en") == "" {
			t.Errorf("source %s has no short citation", id)
		}
	}
}
