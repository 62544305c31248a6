package screening

import (
	"fmt"
	"strings"
	"time"

	"repere/internal/catalog"
)

// defaultLabMaxAge applies to a lab the catalogue asks for but labs.yaml does not define.
const defaultLabMaxAge = 30

// Rule-id prefixes of lab findings.
const (
	RuleLabMissing = "lab_missing" // + "." + lab kinds joined by "_or_"
	RuleLab        = "lab"         // + "." + lab id: a value beyond a threshold
)

// LabNeed is a lab result this patient needs before this act.
type LabNeed struct {
	ID         string         `json:"id"`    // requirement id
	Kinds      []string       `json:"kinds"` // any one of these satisfies it (egfr or creatinine)
	Names      catalog.Text   `json:"names"` // the kinds in words: "Créatinine ou DFG"
	MaxAgeDays int            `json:"max_age_days"`
	Why        catalog.Text   `json:"why"`
	Source     string         `json:"source"`
	Status     catalog.Status `json:"status"`
	// Have is the result that satisfies it, when there is one, and HaveName
	// the name of its lab.
	Have     *LabResult   `json:"have,omitempty"`
	HaveName catalog.Text `json:"have_name,omitempty"`
}

// LabsNeeded lists the labs the patient needs for the act: those of labs.yaml
// whose conditions hold (an unanswered condition counts as met), the act's
// labs_required from the catalogue, and the eGFR a renal-dependent hold needs.
func (s *Set) LabsNeeded(in Input) []LabNeed {
	if in.Act == nil {
		return nil
	}
	var needs []LabNeed
	cls, _ := in.class()
	class := cls.Value
	for _, r := range s.requirements {
		if len(r.Acts) > 0 && !contains(r.Acts, in.Act.ID) || len(r.Classes) > 0 && !contains(r.Classes, class) {
			continue
		}
		if r.When != nil && s.eval(in, *r.When, nil) == triFalse {
			continue
		}
		age := r.MaxAgeDays
		if age == 0 {
			age = s.labMaxAge(r.Labs[0])
		}
		needs = append(needs, LabNeed{ID: r.ID, Kinds: r.Labs, MaxAgeDays: age, Why: r.Why, Source: r.Source, Status: r.Status})
	}
	for _, l := range in.Act.LabsRequired {
		if need, ok := s.catalogLab(in, l); ok {
			needs = append(needs, need)
		}
	}
	for _, t := range in.Answers.Treatments {
		d, ok := s.Drug(t.DrugID)
		if !ok {
			continue
		}
		for _, rowID := range d.Holds {
			hc := s.holds[rowID].forClass(class)
			if hc != nil && hc.Renal != nil && s.egfrNeeded(in, hc.Renal) {
				needs = append(needs, LabNeed{ID: "hold_" + rowID, Kinds: []string{LabCreatinine, LabEGFR}, MaxAgeDays: s.labMaxAge(LabCreatinine),
					Why: bilingual("%s : le délai d'arrêt dépend de la clairance de la créatinine (calculée avec le poids, l'âge et le sexe).",
						"%s: the stop interval depends on the creatinine clearance (computed with the weight, age and sex).", d.displayName("fr"), d.displayName("en")),
					Source: hc.Source, Status: hc.Status})
			}
		}
	}
	needs = mergeNeeds(needs)
	for i := range needs {
		needs[i].Names = text(s.labNames(needs[i].Kinds, "fr", "ou"), s.labNames(needs[i].Kinds, "en", "or"))
		if r, ok := in.satisfies(needs[i]); ok {
			needs[i].Have, needs[i].HaveName = &r, s.LabName(r.Kind)
		}
	}
	return needs
}

// catalogLab reads an act's labs_required entry of the catalogue.
func (s *Set) catalogLab(in Input, l catalog.Lab) (LabNeed, bool) {
	kinds := []string{l.Key}
	if l.Key == "creatinine_egfr" {
		kinds = []string{LabEGFR, LabCreatinine}
	}
	var when *Cond
	switch l.When {
	case "if_vka":
		when = &Cond{Takes: []string{ClassVKA}}
	case "if_anticoagulant":
		when = &Cond{Takes: []string{ClassVKA, ClassDOAC, ClassHeparin, ClassFondaparinux}}
	case "if_bleeding_disorder":
		when = &Cond{Answer: "coagulation_disorder", Is: Yes}
	}
	// "always" and any condition the engine does not know: needed.
	if when != nil && s.eval(in, *when, nil) == triFalse {
		return LabNeed{}, false
	}
	return LabNeed{ID: "catalog_" + l.Key, Kinds: kinds, MaxAgeDays: s.labMaxAge(kinds[0]), Why: l.Text, Source: l.Source, Status: l.Status}, true
}

// labNames names lab kinds for staff: "Créatinine ou DFG".
func (s *Set) labNames(kinds []string, lang, or string) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k
		if l, ok := s.labs[k]; ok {
			names[i] = l.Name.In(lang)
		}
	}
	return strings.Join(names, " "+or+" ")
}

// mergeNeeds keeps one need per set of kinds, the one with the shortest age.
func mergeNeeds(needs []LabNeed) []LabNeed {
	var out []LabNeed
	at := map[string]int{}
	for _, n := range needs {
		key := strings.Join(n.Kinds, "_or_")
		if i, ok := at[key]; ok {
			if n.MaxAgeDays < out[i].MaxAgeDays {
				out[i] = n
			}
			continue
		}
		at[key] = len(out)
		out = append(out, n)
	}
	return out
}

func (in Input) satisfies(n LabNeed) (LabResult, bool) {
	for _, k := range n.Kinds {
		if r, ok := in.latestLab(k, n.MaxAgeDays); ok {
			return r, true
		}
	}
	return LabResult{}, false
}

// evaluateLabs lists missing labs and checks recent values against the
// thresholds; it reports whether a value was judged against one.
func (s *Set) evaluateLabs(in Input, v *Verdict) (judged bool) {
	v.Labs = s.LabsNeeded(in)
	for _, n := range v.Labs {
		if n.Have != nil {
			continue
		}
		v.Missing = append(v.Missing, "lab:"+n.Kinds[0])
		v.Reasons = append(v.Reasons, Reason{
			RuleID: RuleLabMissing + "." + strings.Join(n.Kinds, "_or_"), Outcome: OutcomeIncomplete,
			Message: bilingual("%s Résultat manquant ou datant de plus de %d jours.", "%s Result missing or older than %d days.", n.Why.In("fr"), n.MaxAgeDays, n.Why.In("en"), n.MaxAgeDays),
			Answer:  "no result of " + strings.Join(n.Kinds, " or ") + fmt.Sprintf(" within %d days", n.MaxAgeDays),
			Said: bilingual("Aucun résultat de %s de moins de %d jours", "No result of %s within %d days",
				s.labNames(n.Kinds, "fr", "ou"), n.MaxAgeDays, s.labNames(n.Kinds, "en", "or"), n.MaxAgeDays),
			Source: n.Source, Status: n.Status,
		})
	}
	cls, _ := in.class()
	class := cls.Value
	for _, id := range sortedKeys(s.labs) {
		r, ok := in.latestLab(id, s.labs[id].MaxAgeDays)
		if !ok {
			continue
		}
		for _, t := range s.thresholds {
			if t.Lab != id || !contains(t.Classes, class) {
				continue
			}
			judged = true
			key := ThresholdKey(t.Lab, t.Classes)
			outcome, limit := t.judge(r.Value)
			if outcome == "" && t.Status == catalog.NotConfirmed && !in.Confirmed[key] {
				// Within a limit nobody confirmed: not a reason to be clear.
				lab := s.labs[id]
				v.Reasons = append(v.Reasons, Reason{RuleID: RuleLab + "." + id + ".limit", Outcome: OutcomeReview,
					Message: bilingual("%s dans la limite retenue, mais cette limite n'est pas confirmée dans une source primaire : le radiologue la valide.",
						"%s within the limit used, but that limit is not confirmed in a primary source: the radiologist validates it.", lab.Name.In("fr"), lab.Name.In("en")),
					Answer: fmt.Sprintf("%s = %g", id, r.Value), Said: labSaid(lab, r, in.loc()), Source: t.Source, Status: t.Status, Row: key})
			}
			if outcome != "" {
				lab := s.labs[id]
				v.Reasons = append(v.Reasons, Reason{
					RuleID: RuleLab + "." + id, Outcome: outcome,
					Message: labMessage(lab, r, outcome, limit),
					Answer:  fmt.Sprintf("%s = %g (%s)", id, r.Value, r.TakenOn.In(in.loc()).Format("2006-01-02")),
					Said:    labSaid(lab, r, in.loc()),
					Source:  t.Source, Status: t.Status, Row: key, Decided: in.Confirmed[key],
				})
			}
		}
	}
	return judged
}

// labSaid is a result in words: "INR : 1,6 (23/11/2026)".
func labSaid(lab LabDef, r LabResult, loc *time.Location) catalog.Text {
	unit := ""
	if lab.Unit != "" {
		unit = " " + lab.Unit
	}
	day := r.TakenOn.In(loc)
	return bilingual("%s : %s%s (%s)", "%s: %s%s (%s)", lab.Name.In("fr"), frNumber(r.Value), unit, frDay(day), lab.Name.In("en"), fmt.Sprintf("%g", r.Value), unit, enDay(day))
}

// judge returns the outcome of a value, "" when within limits, and the limit crossed.
func (t Threshold) judge(x float64) (string, float64) {
	if t.Max != nil && x > *t.Max {
		if t.ReviewUpTo != nil && x <= *t.ReviewUpTo {
			return OutcomeReview, *t.Max
		}
		return OutcomeContraindicated, *t.Max
	}
	if t.Min != nil && x < *t.Min {
		if t.ReviewDownTo != nil && x >= *t.ReviewDownTo {
			return OutcomeReview, *t.Min
		}
		return OutcomeContraindicated, *t.Min
	}
	return "", 0
}

func labMessage(lab LabDef, r LabResult, outcome string, limit float64) catalog.Text {
	unit := ""
	if lab.Unit != "" {
		unit = " " + lab.Unit
	}
	if outcome == OutcomeReview {
		return bilingual("%s à %g%s, au-delà de %g : le radiologue décide s'il faut corriger avant le geste.",
			"%s at %g%s, beyond %g: the radiologist decides whether it must be corrected before the act.",
			lab.Name.In("fr"), r.Value, unit, limit, lab.Name.In("en"), r.Value, unit, limit)
	}
	return bilingual("%s à %g%s, au-delà de la limite de %g pour ce geste : pas de geste avant correction.",
		"%s at %g%s, beyond the limit of %g for this act: no act until corrected.",
		lab.Name.In("fr"), r.Value, unit, limit, lab.Name.In("en"), r.Value, unit, limit)
}
