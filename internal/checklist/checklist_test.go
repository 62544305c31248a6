package checklist

import (
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/catalog"
	"repere/internal/screening"
)

var (
	loadOnce sync.Once
	testCat  *catalog.Catalog
	testSet  *Set
	loadErr  error
)

func fixtures(t *testing.T) (*catalog.Catalog, *Set) {
	t.Helper()
	loadOnce.Do(func() {
		testCat, loadErr = catalog.Load("")
		if loadErr == nil {
			testSet, loadErr = Load("")
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return testCat, testSet
}

func act(t *testing.T, id string) *catalog.Act {
	t.Helper()
	cat, _ := fixtures(t)
	a, ok := cat.Act(id)
	if !ok {
		t.Fatalf("act %s not in the catalogue", id)
	}
	return a
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

func ids(items []Item) map[string]Item {
	m := map[string]Item{}
	for _, it := range items {
		m[it.ID] = it
	}
	return m
}

func baseFacts(a *catalog.Act) Facts {
	return Facts{Act: a, PatientSex: "M", PatientAge: 50, Loc: paris,
		Now: time.Date(2026, 11, 25, 8, 0, 0, 0, paris), Appointment: time.Date(2026, 11, 25, 10, 30, 0, 0, paris)}
}

func TestItemsPerAct(t *testing.T) {
	// Fasting follows the real catalogue: blood patch 6 h (page 000), cervical
	// foraminal 4 h (groupe3r), vertebroplasty from midnight (HUG), lumbar
	// infiltrations none (page 001), facet only with a premedication (page 004).
	tests := []struct {
		act        string
		want, none []string
		fastingHas string
	}{
		{"vertebroplasty", []string{"fasting", "anaesthesia_check", "accompaniment"}, []string{"fasting_if_premedication"}, "minuit"},
		{"cervical_foraminal_infiltration", []string{"fasting", "accompaniment"}, []string{"fasting_if_premedication", "anaesthesia_check"}, "6 h 30 au plus tard (4 h"},
		{"epidural_blood_patch", []string{"fasting", "accompaniment"}, []string{"anaesthesia_check"}, "4 h 30 au plus tard (6 h"},
		{"lumbar_epidural_infiltration", nil, []string{"fasting", "fasting_if_premedication", "accompaniment", "anaesthesia_check"}, ""},
		{"lumbar_foraminal_infiltration", nil, []string{"fasting", "fasting_if_premedication", "accompaniment"}, ""},
		{"facet_joint_infiltration", []string{"fasting_if_premedication"}, []string{"fasting", "accompaniment"}, ""},
	}
	_, set := fixtures(t)
	always := []string{"identity", "act_level_side_patient", "consent", "screening_validated", "allergy_premedication", "prior_imaging", "products_checked", "level_on_localisation_scan", "team_time_out"}
	for _, tt := range tests {
		t.Run(tt.act, func(t *testing.T) {
			got := ids(set.ItemsFor(baseFacts(act(t, tt.act))))
			for _, id := range append(always, tt.want...) {
				if _, ok := got[id]; !ok {
					t.Errorf("item %s missing", id)
				}
			}
			for _, id := range tt.none {
				if _, ok := got[id]; ok {
					t.Errorf("item %s should not apply", id)
				}
			}
			if tt.fastingHas != "" && !strings.Contains(got["fasting"].Suggested.Why.In("fr"), tt.fastingHas) {
				t.Errorf("fasting suggestion %q, want it to contain %q", got["fasting"].Suggested.Why.In("fr"), tt.fastingHas)
			}
		})
	}
}

func TestItemsForKeepsPhaseOrder(t *testing.T) {
	_, set := fixtures(t)
	rank := map[string]int{PhaseBeforeRoom: 0, PhaseInRoom: 1, PhaseTimeOut: 2}
	last := 0
	for _, it := range set.ItemsFor(baseFacts(act(t, "vertebroplasty"))) {
		if rank[it.Phase] < last {
			t.Fatalf("item %s (%s) after a later phase", it.ID, it.Phase)
		}
		last = rank[it.Phase]
	}
}

func TestPregnancyOnlyForWomenInTheAgeBand(t *testing.T) {
	_, set := fixtures(t)
	tests := []struct {
		sex  string
		age  int
		want bool
	}{
		{"F", 30, true}, {"F", 12, true}, {"F", 55, true},
		{"F", 11, false}, {"F", 56, false}, {"F", 70, false},
		{"M", 30, false},
		{"U", 30, true}, {"", 30, true}, // unknown sex never hides the item
		{"F", 0, true}, // unknown age never hides it either
	}
	for _, tt := range tests {
		f := baseFacts(act(t, "lumbar_foraminal_infiltration"))
		f.PatientSex, f.PatientAge = tt.sex, tt.age
		_, got := ids(set.ItemsFor(f))["pregnancy_excluded"]
		if got != tt.want {
			t.Errorf("sex %q age %d: pregnancy item %v, want %v", tt.sex, tt.age, got, tt.want)
		}
	}
	f := baseFacts(act(t, "lumbar_foraminal_infiltration"))
	f.PatientSex, f.PatientAge = "F", 30
	f.Verdict.Reasons = []screening.Reason{{RuleID: "pregnancy", Outcome: screening.OutcomeReview}}
	if s := ids(set.ItemsFor(f))["pregnancy_excluded"].Suggested; s.State != StateNotOK {
		t.Errorf("declared pregnancy: suggestion %+v, want not_ok", s)
	}
}

func TestHoldsAndLabsItemsOnlyWhenTheVerdictHasThem(t *testing.T) {
	_, set := fixtures(t)
	f := baseFacts(act(t, "lumbar_epidural_infiltration"))
	got := ids(set.ItemsFor(f))
	if _, ok := got["holds_respected"]; ok {
		t.Error("holds item without holds")
	}
	if _, ok := got["labs_in_range"]; ok {
		t.Error("labs item without labs")
	}

	lastDose := time.Date(2026, 11, 22, 23, 59, 59, 0, paris)
	f.Verdict.Holds = []screening.Hold{{DrugID: "apixaban", DrugName: catalog.Text{"fr": "Apixaban", "en": "Apixaban"}, LastDoseBy: lastDose, DayOnly: true, Respected: true}}
	inr := catalog.Text{"fr": "INR", "en": "INR"}
	f.Verdict.Labs = []screening.LabNeed{{ID: "catalog_inr", Kinds: []string{"inr"}, Names: inr, HaveName: inr, Have: &screening.LabResult{Kind: "inr", Value: 1.1, TakenOn: time.Date(2026, 11, 20, 9, 0, 0, 0, paris)}}}
	got = ids(set.ItemsFor(f))
	holds, labs := got["holds_respected"].Suggested, got["labs_in_range"].Suggested
	if holds.State != "" || !strings.Contains(holds.Why.In("fr"), "Apixaban : dernière prise au plus tard le 22/11") {
		t.Errorf("respected hold: suggestion %+v: the patient is asked, the date shown", holds)
	}
	if labs.State != StateOK || !strings.Contains(labs.Why.In("fr"), "INR 1,1 (20/11)") {
		t.Errorf("labs in range: suggestion %+v", labs)
	}

	f.Verdict.Holds[0].Respected = false
	f.Verdict.Labs[0].Have = nil
	got = ids(set.ItemsFor(f))
	if s := got["holds_respected"].Suggested; s.State != StateNotOK {
		t.Errorf("hold not respected: suggestion %+v, want not_ok", s)
	}
	if s := got["labs_in_range"].Suggested; s.State != StateNotOK || !strings.Contains(s.Why.In("en"), "INR: result missing") {
		t.Errorf("missing lab: suggestion %+v, want not_ok", s)
	}

	f.Verdict.Labs[0].Have = &screening.LabResult{Kind: "inr", Value: 2.4, TakenOn: time.Date(2026, 11, 20, 9, 0, 0, 0, paris)}
	f.Verdict.Reasons = []screening.Reason{{RuleID: "lab.inr", Outcome: screening.OutcomeContraindicated, Answer: "inr = 2.4 (2026-11-20)", Said: catalog.Text{"fr": "INR : 2,4 (20/11/2026)", "en": "INR: 2.4 (20 Nov 2026)"}}}
	if s := ids(set.ItemsFor(f))["labs_in_range"].Suggested; s.State != StateNotOK || !strings.Contains(s.Why.In("fr"), "hors limite : INR : 2,4") || strings.Contains(s.Why.In("fr"), "inr =") {
		t.Errorf("lab out of range: suggestion %+v, want not_ok, in words", s)
	}
	f.Verdict.Reasons[0].Overridden = true
	if s := ids(set.ItemsFor(f))["labs_in_range"].Suggested; s.State != StateOK || !strings.Contains(s.Why.In("fr"), "accepté par le radiologue") {
		t.Errorf("lab out of range, overridden: suggestion %+v, want ok with the override shown", s)
	}
}

func TestSuggestionsFromRecords(t *testing.T) {
	_, set := fixtures(t)
	f := baseFacts(act(t, "epidural_blood_patch"))
	got := ids(set.ItemsFor(f))
	for _, id := range []string{"consent", "screening_validated"} {
		if s := got[id].Suggested; s.State != StateNotOK {
			t.Errorf("%s without a record: suggestion %+v, want not_ok", id, s)
		}
	}
	if s := got["identity"].Suggested; s.State != "" {
		t.Errorf("identity not checked: suggestion %+v, want none", s)
	}

	f.ConsentSigned, f.ConsentSignedAt = true, time.Date(2026, 11, 24, 10, 2, 0, 0, paris)
	f.ScreeningSigned, f.Verdict.Status = true, screening.Review
	f.IdentityChecked, f.IdentityCheckedAt, f.IdentityCheckedBy = true, time.Date(2026, 11, 25, 10, 1, 0, 0, paris), "mlefevre"
	f.Verdict.Reasons = []screening.Reason{{RuleID: "contrast_allergy_premedication", Questions: []string{"allergy_contrast"}, Message: catalog.Text{"fr": "Allergie au contraste", "en": "Contrast allergy"}}}
	f.Premedication = "prednisolone 50 mg"
	got = ids(set.ItemsFor(f))
	if s := got["consent"].Suggested; s.State != StateOK || s.Why.In("fr") != "Consentement signé le 24/11 10 h 02." || s.Why.In("en") != "Consent signed on 24 Nov 10:02." {
		t.Errorf("consent: %+v", s)
	}
	if s := got["identity"].Suggested; s.State != StateOK || !strings.Contains(s.Why.In("fr"), "le 25/11 10 h 01 par mlefevre") {
		t.Errorf("identity: %+v", s)
	}
	if s := got["screening_validated"].Suggested; s.State != StateOK {
		t.Errorf("screening signed, review: %+v", s)
	}
	if s := got["allergy_premedication"].Suggested; s.State != "" || !strings.Contains(s.Why.In("fr"), "Allergie au contraste") || !strings.Contains(s.Why.In("fr"), "prednisolone 50 mg") {
		t.Errorf("allergy: %+v", s)
	}
	f.Verdict.Status = screening.Contraindicated
	if s := ids(set.ItemsFor(f))["screening_validated"].Suggested; s.State != StateNotOK {
		t.Errorf("signed but still contraindicated: %+v, want not_ok", s)
	}
}

// TestSuggestionsWriteFrenchTimes: the French record lines write a time as
// the checklist page around them does (9 h 05), not 09:05; English keeps 09:05.
func TestSuggestionsWriteFrenchTimes(t *testing.T) {
	_, set := fixtures(t)
	f := baseFacts(act(t, "cervical_foraminal_infiltration"))
	f.Appointment = time.Date(2026, 11, 25, 9, 5, 0, 0, paris)
	f.ConsentSigned, f.ConsentSignedAt = true, time.Date(2026, 11, 24, 8, 2, 0, 0, paris)
	got := ids(set.ItemsFor(f))
	for _, c := range []struct{ item, lang, want string }{
		{"fasting", "fr", "À jeun depuis 5 h 05 au plus tard (4 h avant le geste de 9 h 05)."},
		{"fasting", "en", "Fasting since 05:05 at the latest (4 h before the act at 09:05)."},
		{"consent", "fr", "Consentement signé le 24/11 8 h 02."},
		{"consent", "en", "Consent signed on 24 Nov 08:02."},
	} {
		if s := got[c.item].Suggested.Why.In(c.lang); s != c.want {
			t.Errorf("%s (%s): %q, want %q", c.item, c.lang, s, c.want)
		}
	}
	f = baseFacts(act(t, "vertebroplasty"))
	f.Appointment = time.Date(2026, 11, 25, 8, 30, 0, 0, paris)
	if s := ids(set.ItemsFor(f))["fasting"].Suggested.Why.In("fr"); s != "À jeun depuis minuit (geste à 8 h 30)." {
		t.Errorf("fasting from midnight: %q", s)
	}
}
