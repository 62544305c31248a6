package followup

import (
	"fmt"
	"regexp"
	"sort"

	"repere/internal/catalog"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

var (
	actFacts = map[string]bool{ActFactMonitoring: true, ActFactAccompaniment: true, ActFactNoDriving: true}
	offerOn  = map[string]bool{Failed: true, Recurring: true}
	statuses = map[catalog.Status]bool{catalog.Confirmed: true, catalog.PatientPage: true, catalog.Inference: true, catalog.NotConfirmed: true, catalog.PracticeDefault: true}
)

// maxFollowUpDay matches the store's limit on a pain score's day.
const maxFollowUpDay = 365

type checker struct {
	label    string
	set      *Set
	problems []error
}

func (k *checker) fail(field, format string, args ...any) {
	k.problems = append(k.problems, fmt.Errorf("%s.%s: %s", k.label, field, fmt.Sprintf(format, args...)))
}

func (k *checker) fact(field string, f catalog.Fact) {
	if f.Source == "" {
		k.fail(field+"source", "is required")
	} else if _, ok := k.set.Source(f.Source); !ok {
		k.fail(field+"source", "unknown source %q (add it to sources.yaml)", f.Source)
	}
	if !statuses[f.Status] {
		k.fail(field+"status", "must be one of confirmed, patient_page, inference, not_confirmed, practice_default (got %q)", f.Status)
	}
}

func (k *checker) text(field string, t catalog.Text) {
	for _, lang := range catalog.Languages {
		if t[lang] == "" {
			k.fail(field+"."+lang, "text is missing")
		}
	}
}

func (k *checker) acts(field string, ids []string) {
	for i, id := range ids {
		if _, ok := k.set.cat.Act(id); !ok {
			k.fail(fmt.Sprintf("%s[%d]", field, i), "unknown act %q (not in the catalogue)", id)
		}
	}
}

func (s *Set) validate() []error {
	var problems []error
	for i, c := range s.criteria {
		k := &checker{label: s.criterionFile[i], set: s}
		if !idPattern.MatchString(c.ID) {
			k.fail("id", "must be lower_snake_case (got %q)", c.ID)
		}
		k.text("text", c.Text)
		k.acts("acts", c.Acts)
		switch {
		case c.ActFact == "":
			k.fact("", c.Fact)
		case !actFacts[c.ActFact]:
			k.fail("act_fact", "must be one of %v (got %q)", sortedKeys(actFacts), c.ActFact)
		case c.Source != "" || c.Status != "":
			k.fail("source", "must be empty with act_fact: the act's own source and status are used")
		}
		problems = append(problems, k.problems...)
	}
	if len(s.criteria) == 0 {
		problems = append(problems, fmt.Errorf("follow-up: no discharge criterion found (expected discharge.yaml)"))
	}
	for _, part := range []struct {
		name    string
		missing bool
	}{{"days", s.defaults.Days == nil}, {"rule", s.defaults.Rule == nil}, {"offer", s.defaults.Offer == nil}, {"measures", s.defaults.Measures == nil}} {
		if part.missing {
			problems = append(problems, fmt.Errorf("schedule.yaml: default.%s: is required", part.name))
		}
	}
	k := &checker{label: "default", set: s}
	if f := s.defaultsFile["days"]; s.defaults.Days != nil {
		k.label = f + ": default"
		k.days("days", *s.defaults.Days)
	}
	if f := s.defaultsFile["rule"]; s.defaults.Rule != nil {
		k.label = f + ": default"
		k.rule("rule", *s.defaults.Rule)
	}
	if f := s.defaultsFile["offer"]; s.defaults.Offer != nil {
		k.label = f + ": default"
		k.offer("offer", *s.defaults.Offer)
	}
	if f := s.defaultsFile["measures"]; s.defaults.Measures != nil {
		k.label = f + ": default"
		k.measures("measures", *s.defaults.Measures)
	}
	problems = append(problems, k.problems...)
	for i, p := range s.plans {
		k := &checker{label: s.planFile[i], set: s}
		if len(p.Acts) == 0 {
			k.fail("acts", "at least one act id is required")
		}
		k.acts("acts", p.Acts)
		if p.Days != nil {
			k.days("days", *p.Days)
		}
		if p.Rule != nil {
			k.rule("rule", *p.Rule)
		}
		if p.Offer != nil {
			k.offer("offer", *p.Offer)
		}
		if p.Measures != nil {
			k.measures("measures", *p.Measures)
		}
		problems = append(problems, k.problems...)
	}
	return problems
}

func (k *checker) days(field string, d Days) {
	if len(d.Values) == 0 {
		k.fail(field+".values", "at least one day is required")
	}
	for i, v := range d.Values {
		if v < 1 || v > maxFollowUpDay {
			k.fail(fmt.Sprintf("%s.values[%d]", field, i), "must be between 1 and %d (got %d)", maxFollowUpDay, v)
		} else if i > 0 && v <= d.Values[i-1] {
			k.fail(fmt.Sprintf("%s.values[%d]", field, i), "days must increase (got %d after %d)", v, d.Values[i-1])
		}
	}
	k.fact(field+".", d.Fact)
}

func (k *checker) rule(field string, r Rule) {
	if r.JudgeFromDay < 1 || r.JudgeFromDay > maxFollowUpDay {
		k.fail(field+".judge_from_day", "must be between 1 and %d (got %d)", maxFollowUpDay, r.JudgeFromDay)
	}
	if r.MinDrop < 1 || r.MinDrop > 10 {
		k.fail(field+".min_drop", "must be between 1 and 10 points (got %d)", r.MinDrop)
	}
	if r.MinDropPercent < 0 || r.MinDropPercent > 100 {
		k.fail(field+".min_drop_percent", "must be between 0 and 100 (got %d)", r.MinDropPercent)
	}
	if r.BadAtLeast < 0 || r.BadAtLeast > 10 {
		k.fail(field+".bad_at_least", "must be between 0 (not used) and 10 (got %d)", r.BadAtLeast)
	}
	k.fact(field+".", r.Fact)
}

func (k *checker) offer(field string, o Offer) {
	for i, on := range o.On {
		if !offerOn[on] {
			k.fail(fmt.Sprintf("%s.on[%d]", field, i), "must be failed or recurring (got %q)", on)
		}
	}
	k.text(field+".text", o.Text)
	k.fact(field+".", o.Fact)
}

func (k *checker) measures(field string, m Measures) {
	k.text(field+".improved", m.Improved)
	k.text(field+".repeated", m.Repeated)
	if m.RepeatDays < 1 || m.RepeatDays > 365 {
		k.fail(field+".repeat_days", "must be between 1 and 365 (got %d)", m.RepeatDays)
	}
	if len(m.Published) > 0 {
		k.text(field+".published", m.Published)
	}
	k.fact(field+".", m.Fact)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
