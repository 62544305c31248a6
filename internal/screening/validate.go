package screening

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"repere/internal/catalog"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

var (
	knownStatuses  = set(string(catalog.Confirmed), string(catalog.PatientPage), string(catalog.Inference), string(catalog.NotConfirmed), string(catalog.PracticeDefault))
	bleedingRisks  = set(catalog.BleedingLow, catalog.BleedingIntermediate, catalog.BleedingHigh)
	ruleOutcomes   = set(OutcomeContraindicated, OutcomeReview, OutcomeInstruction)
	questionKinds  = set(KindYesNo, KindNumber, KindText)
	unknownEffects = set("", OutcomeIncomplete, OutcomeReview)
)

// MaxAlertLen is the longest medical-alert line a worklist console is given.
const MaxAlertLen = 64

func (l *loader) validate() {
	s := l.set
	for _, a := range sortedKeys(s.acts) {
		if _, ok := s.cat.Act(a); !ok {
			l.fail(l.fileOf("questions.yaml", ""), "acts", "unknown act %q (not in the catalogue)", a)
		}
	}
	groups := map[string]bool{}
	for _, g := range s.groups {
		groups[g.ID] = true
		l.text("questions.yaml", "groups["+g.ID+"].title", g.Title)
	}
	for _, q := range s.questions {
		l.question(q, groups)
	}
	for _, need := range []struct{ id, kind string }{{QuestionTakesMedicines, KindYesNo}, {QuestionRenalFailure, KindYesNo}, {QuestionContrastAllergy, KindYesNo}} {
		if q, ok := s.Question(need.id); !ok || q.Kind != need.kind {
			l.fail("questions.yaml", "questions", "the engine needs a %s question %q", need.kind, need.id)
		}
	}
	for _, d := range s.drugs {
		l.drug(d)
	}
	for _, id := range sortedKeys(s.holds) {
		l.holdRow(s.holds[id])
	}
	for _, id := range sortedKeys(s.labs) {
		lab := s.labs[id]
		file, field := l.fileOf("labs.yaml", "lab:"+id), "labs["+id+"]"
		l.id(file, field, id)
		l.text(file, field+".name", lab.Name)
		if lab.MaxAgeDays <= 0 {
			l.fail(file, field+".max_age_days", "must be positive")
		}
		l.fact(file, field, lab.Fact)
	}
	for _, r := range s.requirements {
		l.requirement(r)
	}
	for i, t := range s.thresholds {
		l.threshold(i, t)
	}
	for _, r := range s.rules {
		l.rule(r)
	}
}

func (l *loader) fileOf(def, key string) string {
	if f, ok := l.origin[key]; ok {
		return f
	}
	return def
}

func (l *loader) id(file, field, id string) {
	if !idPattern.MatchString(id) {
		l.fail(file, field+".id", "must be lower_snake_case (got %q)", id)
	}
}

func (l *loader) text(file, field string, t catalog.Text) {
	for _, lang := range catalog.Languages {
		if t[lang] == "" {
			l.fail(file, field+"."+lang, "text is missing")
		}
	}
}

func (l *loader) fact(file, field string, f catalog.Fact) {
	if f.Source == "" {
		l.fail(file, field+".source", "is required")
	} else if _, ok := l.set.Source(f.Source); !ok {
		l.fail(file, field+".source", "unknown source %q (add it to sources.yaml)", f.Source)
	}
	if !knownStatuses[string(f.Status)] {
		l.fail(file, field+".status", "must be one of confirmed, patient_page, inference, not_confirmed, practice_default (got %q)", f.Status)
	}
}

func (l *loader) acts(file, field string, acts []string, allowEmpty bool) {
	if len(acts) == 0 && !allowEmpty {
		l.fail(file, field, "at least one act is required")
	}
	for _, a := range acts {
		if !l.set.acts[a] {
			l.fail(file, field, "unknown act %q (list it under acts in questions.yaml)", a)
		}
	}
}

func (l *loader) question(q Question, groups map[string]bool) {
	file, field := l.fileOf("questions.yaml", "question:"+q.ID), "questions["+q.ID+"]"
	l.id(file, field, q.ID)
	if !groups[q.Group] {
		l.fail(file, field+".group", "unknown group %q", q.Group)
	}
	if !questionKinds[q.Kind] {
		l.fail(file, field+".kind", "must be yes_no, number or text (got %q)", q.Kind)
	}
	if q.Kind == KindYesNo && q.YesMeans != "risk" && q.YesMeans != "ability" {
		l.fail(file, field+".yes_means", "must be risk or ability for a yes_no question (got %q)", q.YesMeans)
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		l.fail(file, field+".min", "is above max")
	}
	l.text(file, field+".text", q.Text)
	if len(q.Label) > 0 {
		l.text(file, field+".label", q.Label)
	}
	for _, sex := range q.Sexes {
		if sex != "F" && sex != "M" && sex != "U" {
			l.fail(file, field+".sexes", "must be F, M or U (got %q)", sex)
		}
	}
	if len(q.Help) > 0 {
		l.text(file, field+".help", q.Help)
	}
	l.acts(file, field+".asked_for", q.AskedFor, true)
	l.acts(file, field+".mandatory_for", q.MandatoryFor, true)
	for _, a := range q.MandatoryFor {
		if !q.askedFor(a) {
			l.fail(file, field+".mandatory_for", "act %q is not in asked_for", a)
		}
	}
	if !unknownEffects[q.IfUnknown] {
		l.fail(file, field+".if_unknown", "must be incomplete or review (got %q)", q.IfUnknown)
	}
	if q.Kind == KindText && len(q.MandatoryFor) > 0 {
		l.fail(file, field+".mandatory_for", "a text question cannot be mandatory (no rule reads it)")
	}
}

func (l *loader) drug(d Drug) {
	file, field := l.fileOf("drugs.yaml", "drug:"+d.ID), "drugs["+d.ID+"]"
	l.id(file, field, d.ID)
	l.text(file, field+".name", d.Name)
	if !drugClasses[d.Class] {
		l.fail(file, field+".class", "unknown class %q", d.Class)
	}
	if classesNeedingHold[d.Class] && len(d.Holds) == 0 {
		l.fail(file, field+".holds", "a %s needs at least one row of holds.yaml", d.Class)
	}
	for _, h := range d.Holds {
		if _, ok := l.set.holds[h]; !ok {
			l.fail(file, field+".holds", "unknown hold row %q", h)
		}
	}
	l.fact(file, field, d.Fact)
}

func (l *loader) holdRow(r HoldRow) {
	file, field := l.fileOf("holds.yaml", "hold:"+r.ID), "holds["+r.ID+"]"
	l.id(file, field, r.ID)
	for _, c := range []struct {
		name string
		hc   *HoldClass
	}{{"low", r.Low}, {"intermediate", r.Intermediate}, {"high", r.High}} {
		f := field + "." + c.name
		if c.hc == nil {
			l.fail(file, f, "is required")
			continue
		}
		l.stop(file, f+".stop", c.hc.Stop, true)
		if c.hc.Stop.Review {
			l.text(file, f+".message", c.hc.Message)
		}
		if rs := c.hc.Restart; rs != nil {
			if rs.MinHours < 0 || (rs.MaxHours != 0 && rs.MaxHours < rs.MinHours) {
				l.fail(file, f+".restart", "needs 0 <= min_hours <= max_hours")
			}
			if rs.Source != "" || rs.Status != "" {
				l.fact(file, f+".restart", rs.Fact)
			}
		}
		if rn := c.hc.Renal; rn != nil {
			l.renal(file, f+".renal", rn)
		}
		for i, a := range c.hc.Also {
			l.text(file, fmt.Sprintf("%s.also[%d].says", f, i), a.Says)
			l.fact(file, fmt.Sprintf("%s.also[%d]", f, i), a.Fact)
		}
		if c.hc.AlwaysReview {
			l.text(file, f+".message", c.hc.Message)
		}
		l.fact(file, f, c.hc.Fact)
	}
}

func (l *loader) stop(file, field string, s Stop, allowNoInterval bool) {
	forms := 0
	for _, set := range []bool{s.NoHold, s.Review, s.Hours != 0, s.LastDoseDay != 0} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		l.fail(file, field, "exactly one of no_hold, review, hours, last_dose_day is required")
		return
	}
	if !allowNoInterval && (s.NoHold || s.Review) {
		l.fail(file, field, "a renal band needs hours or last_dose_day")
	}
	if s.Hours < 0 || s.Hours > 30*24 {
		l.fail(file, field+".hours", "must be between 1 and 720")
	}
	if s.LastDoseDay > 0 || s.LastDoseDay < -30 {
		l.fail(file, field+".last_dose_day", "must be between -30 and -1 (got %d)", s.LastDoseDay)
	}
	if s.LastDoseBefore != "" {
		if _, err := time.Parse("15:04", s.LastDoseBefore); err != nil || s.LastDoseDay == 0 {
			l.fail(file, field+".last_dose_before", "must be HH:MM and go with last_dose_day (got %q)", s.LastDoseBefore)
		}
	}
}

func (l *loader) renal(file, field string, r *Renal) {
	if r.EGFRNeeded != "always" && r.EGFRNeeded != "if_renal_failure" {
		l.fail(file, field+".egfr_needed", "must be always or if_renal_failure (got %q)", r.EGFRNeeded)
	}
	if len(r.Bands) == 0 {
		l.fail(file, field+".bands", "at least one band is required")
	}
	prev := 1e9
	for i, b := range r.Bands {
		f := fmt.Sprintf("%s.bands[%d]", field, i)
		if (b.Over == nil) == (b.From == nil) {
			l.fail(file, f, "exactly one of over, from is required")
			continue
		}
		limit := b.lower()
		if limit >= prev {
			l.fail(file, f, "bands must go from the highest clearance down")
		}
		prev = limit
		l.stop(file, f+".stop", b.Stop, false)
	}
}

func (b Band) lower() float64 {
	if b.Over != nil {
		return *b.Over
	}
	return *b.From
}

func (b Band) matches(clearance float64) bool {
	if b.Over != nil {
		return clearance > *b.Over
	}
	return clearance >= *b.From
}

func (l *loader) requirement(r Requirement) {
	file, field := l.fileOf("labs.yaml", "requirement:"+r.ID), "requirements["+r.ID+"]"
	l.id(file, field, r.ID)
	if len(r.Labs) == 0 {
		l.fail(file, field+".labs", "at least one lab is required")
	}
	for _, lab := range r.Labs {
		if _, ok := l.set.labs[lab]; !ok {
			l.fail(file, field+".labs", "unknown lab %q", lab)
		}
	}
	l.acts(file, field+".acts", r.Acts, true)
	l.classes(file, field+".classes", r.Classes, true)
	if r.When != nil {
		l.cond(file, field+".when", *r.When, nil)
	}
	if r.MaxAgeDays < 0 {
		l.fail(file, field+".max_age_days", "must not be negative")
	}
	l.text(file, field+".why", r.Why)
	l.fact(file, field, r.Fact)
}

func (l *loader) classes(file, field string, classes []string, allowEmpty bool) {
	if len(classes) == 0 && !allowEmpty {
		l.fail(file, field, "at least one bleeding-risk class is required")
	}
	for _, c := range classes {
		if !bleedingRisks[c] {
			l.fail(file, field, "unknown bleeding-risk class %q", c)
		}
	}
}

func (l *loader) threshold(i int, t Threshold) {
	file, field := l.fileOf("labs.yaml", "threshold:"+t.Lab), fmt.Sprintf("thresholds[%d]", i)
	if _, ok := l.set.labs[t.Lab]; !ok {
		l.fail(file, field+".lab", "unknown lab %q", t.Lab)
	}
	l.classes(file, field+".classes", t.Classes, false)
	if t.Max == nil && t.Min == nil {
		l.fail(file, field, "max or min is required")
	}
	if t.ReviewUpTo != nil && (t.Max == nil || *t.ReviewUpTo < *t.Max) {
		l.fail(file, field+".review_up_to", "needs max and must not be below it")
	}
	if t.ReviewDownTo != nil && (t.Min == nil || *t.ReviewDownTo > *t.Min) {
		l.fail(file, field+".review_down_to", "needs min and must not be above it")
	}
	l.fact(file, field, t.Fact)
}

func (l *loader) rule(r Rule) {
	file, field := r.file, "rules["+r.ID+"]"
	l.id(file, field, r.ID)
	l.acts(file, field+".acts", r.Acts, false)
	if !ruleOutcomes[r.Outcome] {
		l.fail(file, field+".outcome", "must be contraindicated, review or instruction (got %q)", r.Outcome)
	}
	l.text(file, field+".message", r.Message)
	if len(r.Alert) > 0 {
		l.text(file, field+".alert", r.Alert)
		for lang, a := range r.Alert {
			if utf8.RuneCountInString(a) > MaxAlertLen {
				l.fail(file, field+".alert."+lang, "is longer than %d characters", MaxAlertLen)
			}
		}
	}
	l.fact(file, field, r.Fact)
	var read []string
	l.cond(file, field+".when", r.When, &read)
	if r.Outcome == OutcomeInstruction {
		return
	}
	// A rule that can stop or question the act must never be skipped because
	// its question was left blank.
	for _, qid := range read {
		q, _ := l.set.Question(qid)
		for _, a := range r.Acts {
			if !q.mandatoryFor(a) {
				l.fail(file, field+".when", "question %q must be mandatory for %q (the rule can %s the act)", qid, a, r.Outcome)
			}
		}
	}
}

// cond checks a condition; read (if not nil) collects the questions it reads.
func (l *loader) cond(file, field string, c Cond, read *[]string) {
	forms := 0
	for _, set := range []bool{c.Answer != "", c.Number != "", c.Lab != "", len(c.Takes) > 0, len(c.All) > 0, len(c.Any) > 0} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		l.fail(file, field, "exactly one of answer, number, lab, takes, all, any is required")
		return
	}
	switch {
	case c.Answer != "":
		q, ok := l.set.Question(c.Answer)
		if !ok || q.Kind != KindYesNo {
			l.fail(file, field+".answer", "%q is not a yes_no question", c.Answer)
		}
		if c.Is != Yes && c.Is != No {
			l.fail(file, field+".is", "must be yes or no (got %q)", c.Is)
		}
		if read != nil {
			*read = append(*read, c.Answer)
		}
	case c.Number != "":
		q, ok := l.set.Question(c.Number)
		if !ok || q.Kind != KindNumber {
			l.fail(file, field+".number", "%q is not a number question", c.Number)
		}
		if c.AtLeast == nil && c.Below == nil {
			l.fail(file, field, "at_least or below is required")
		}
		if read != nil {
			*read = append(*read, c.Number)
		}
	case c.Lab != "":
		if _, ok := l.set.labs[c.Lab]; !ok {
			l.fail(file, field+".lab", "unknown lab %q", c.Lab)
		}
		if c.AtLeast == nil && c.Below == nil {
			l.fail(file, field, "at_least or below is required")
		}
	case len(c.Takes) > 0:
		for _, cl := range c.Takes {
			if !drugClasses[cl] {
				l.fail(file, field+".takes", "unknown drug class %q", cl)
			}
		}
	default:
		for i, sub := range append(c.All, c.Any...) {
			l.cond(file, fmt.Sprintf("%s[%d]", field, i), sub, read)
		}
	}
}
