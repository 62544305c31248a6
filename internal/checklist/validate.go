package checklist

import (
	"fmt"
	"regexp"
	"sort"

	"repere/internal/catalog"
)

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

var (
	phases       = set(Phases...)
	autos        = set(AutoIdentity, AutoConsent, AutoScreening, AutoFasting, AutoHolds, AutoLabs, AutoAllergies, AutoPregnancy)
	fastingModes = set(catalog.FastingNone, catalog.FastingHours, catalog.FastingWithPremedOnly, catalog.FastingFromMidnight)
	anaesthesias = set(catalog.AnaesthesiaLocal, catalog.AnaesthesiaLocalOrGA, catalog.AnaesthesiaGeneral)
	sexes        = set("F", "M")
	statuses     = set(string(catalog.Confirmed), string(catalog.PatientPage), string(catalog.Inference), string(catalog.NotConfirmed), string(catalog.PracticeDefault))
)

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// checker collects problems, each prefixed with the item's file and index.
type checker struct {
	label    string
	sources  map[string]Source
	problems []error
}

func (k *checker) fail(field, format string, args ...any) {
	k.problems = append(k.problems, fmt.Errorf("%s.%s: %s", k.label, field, fmt.Sprintf(format, args...)))
}

func (k *checker) fact(field string, f catalog.Fact) {
	prefix := ""
	if field != "" {
		prefix = field + "."
	}
	if f.Source == "" {
		k.fail(prefix+"source", "is required")
	} else if _, ok := k.sources[f.Source]; !ok {
		k.fail(prefix+"source", "unknown source %q (add it to sources.yaml)", f.Source)
	}
	if !statuses[string(f.Status)] {
		k.fail(prefix+"status", "must be one of %v (got %q)", keys(statuses), f.Status)
	}
}

func (k *checker) text(field string, t catalog.Text, required bool) {
	if !required && len(t) == 0 {
		return
	}
	for _, lang := range catalog.Languages {
		if t[lang] == "" {
			k.fail(field+"."+lang, "text is missing")
		}
	}
}

func (k *checker) each(field string, values []string, allowed map[string]bool) {
	for i, v := range values {
		if !allowed[v] {
			k.fail(fmt.Sprintf("%s[%d]", field, i), "must be one of %v (got %q)", keys(allowed), v)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Set) validate() []error {
	var problems []error
	seen := map[string]string{}
	for i, it := range s.items {
		k := &checker{label: s.origin[i], sources: s.sources}
		if !idPattern.MatchString(it.ID) {
			k.fail("id", "must be lower_snake_case (got %q)", it.ID)
		} else if other, dup := seen[it.ID]; dup {
			k.fail("id", "duplicate id %q (also %s)", it.ID, other)
		}
		seen[it.ID] = s.origin[i]
		if !phases[it.Phase] {
			k.fail("phase", "must be one of %v (got %q)", Phases, it.Phase)
		}
		k.text("text", it.Text, true)
		k.text("help", it.Help, false)
		if it.Auto != "" && !autos[it.Auto] {
			k.fail("auto", "must be one of %v (got %q)", keys(autos), it.Auto)
		}
		if it.AllowNA && !it.Blocking {
			k.fail("allow_na", "only matters for a blocking item")
		}
		k.fact("", it.Fact)
		k.condition(it.AppliesWhen)
		problems = append(problems, k.problems...)
	}
	if len(s.items) == 0 {
		problems = append(problems, fmt.Errorf("checklist: no item found (expected items.yaml)"))
	}
	return problems
}

func (k *checker) condition(c Condition) {
	const f = "applies_when"
	k.each(f+".fasting_modes", c.FastingModes, fastingModes)
	k.each(f+".anaesthesia", c.Anaesthesia, anaesthesias)
	k.each(f+".sex", c.Sex, sexes)
	for i, id := range c.Acts {
		if !idPattern.MatchString(id) {
			k.fail(fmt.Sprintf("%s.acts[%d]", f, i), "must be an act id (got %q)", id)
		}
	}
	if c.Age != nil {
		if c.Age.Min < 0 || c.Age.Max > 130 || c.Age.Min > c.Age.Max {
			k.fail(f+".age", "min and max must satisfy 0 <= min <= max <= 130 (got %d-%d)", c.Age.Min, c.Age.Max)
		}
		k.fact(f+".age", c.Age.Fact)
	}
}
