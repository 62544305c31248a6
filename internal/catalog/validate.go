package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"time"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ccamPattern = regexp.MustCompile(`^[A-Z]{4}[0-9]{3}$`)
)

var (
	places        = set(PlaceNone, PlaceRecoveryChair, PlaceRecoveryBed, PlaceWardOvernight)
	fastingModes  = set(FastingNone, FastingHours, FastingWithPremedOnly, FastingFromMidnight)
	anaesthesias  = set(AnaesthesiaLocal, AnaesthesiaLocalOrGA, AnaesthesiaGeneral)
	bleedingRisks = set(BleedingLow, BleedingIntermediate, BleedingHigh)
	contraKinds   = set(Absolute, Relative)
)

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// checker collects problems for one act file, each prefixed with file and field path.
type checker struct {
	file     string
	sources  map[string]Source
	problems []error
}

func (k *checker) fail(field, format string, args ...any) {
	k.problems = append(k.problems, fmt.Errorf("%s: %s: %s", k.file, field, fmt.Sprintf(format, args...)))
}

func (k *checker) fact(field string, f Fact) {
	if f.Source == "" {
		k.fail(field+".source", "is required")
	} else if _, ok := k.sources[f.Source]; !ok {
		k.fail(field+".source", "unknown source %q (add it to sources.yaml)", f.Source)
	}
	if !knownStatuses[f.Status] {
		k.fail(field+".status", "must be one of confirmed, patient_page, inference, not_confirmed, practice_default (got %q)", f.Status)
	}
}

func (k *checker) text(field string, t Text) {
	for _, lang := range Languages {
		if t[lang] == "" {
			k.fail(field+"."+lang, "text is missing")
		}
	}
}

func (k *checker) oneOf(field, value string, allowed map[string]bool) {
	if !allowed[value] {
		keys := make([]string, 0, len(allowed))
		for a := range allowed {
			keys = append(keys, a)
		}
		sort.Strings(keys)
		k.fail(field, "must be one of %v (got %q)", keys, value)
	}
}

func (k *checker) billing(field string, codes []BillingCode) {
	for i, b := range codes {
		f := fmt.Sprintf("%s[%d]", field, i)
		k.fact(f, b.Fact)
		if b.Code == "" && b.Status != NotConfirmed {
			k.fail(f+".code", "is required unless status is not_confirmed")
		}
		if b.Code != "" && !ccamPattern.MatchString(b.Code) {
			k.fail(f+".code", "%q is not a CCAM code (4 letters, 3 digits)", b.Code)
		}
		for j, t := range b.Tariffs {
			tf := fmt.Sprintf("%s.tariffs[%d]", f, j)
			if _, err := time.Parse(time.DateOnly, t.From); err != nil {
				k.fail(tf+".from", "must be a date YYYY-MM-DD (got %q)", t.From)
			}
			if t.BaseEU <= 0 {
				k.fail(tf+".base_eur", "must be positive")
			}
			k.fact(tf, t.Fact)
		}
		k.association(f+".association", b.Association)
	}
}

func (k *checker) items(field string, items []Item) {
	seen := map[string]bool{}
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		k.key(f, it.Key, seen)
		k.text(f+".text", it.Text)
		k.fact(f, it.Fact)
	}
}

func (k *checker) key(field, key string, seen map[string]bool) {
	if !idPattern.MatchString(key) {
		k.fail(field+".key", "must be lower_snake_case (got %q)", key)
	}
	if seen[key] {
		k.fail(field+".key", "duplicate key %q", key)
	}
	seen[key] = true
}

func (c *Catalog) validate() []error {
	var problems []error
	slugs := map[string]string{}
	ids := make([]string, 0, len(c.acts))
	for id := range c.acts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := c.acts[id]
		k := &checker{file: a.file, sources: c.sources}
		k.act(a)
		if other, dup := slugs[a.Slug]; dup && a.Slug != "" {
			k.fail("slug", "%q is already used by %s", a.Slug, other)
		}
		slugs[a.Slug] = a.file
		problems = append(problems, k.problems...)
	}
	if len(c.acts) == 0 {
		problems = append(problems, fmt.Errorf("catalogue: no act found (expected acts/*.yaml)"))
	}
	return problems
}

func (k *checker) act(a *Act) {
	if !idPattern.MatchString(a.ID) {
		k.fail("id", "must be lower_snake_case (got %q)", a.ID)
	}
	if !slugPattern.MatchString(a.Slug) {
		k.fail("slug", "must be lower-kebab-case (got %q)", a.Slug)
	}
	k.text("name", a.Name)
	k.text("summary", a.Summary)
	k.billing("billing", a.Billing)
	k.billingChoice("billing_choice", a.BillingChoice)
	if len(a.Billing) == 0 {
		k.fail("billing", "at least one billing code (or a not_confirmed placeholder) is required")
	}
	k.minutes("room_minutes", a.RoomMinutes)
	k.monitoring(a.Monitoring)
	k.fasting(a.Fasting)
	k.oneOf("anaesthesia.value", a.Anaesthesia.Value, anaesthesias)
	k.fact("anaesthesia", a.Anaesthesia.Fact)
	k.oneOf("bleeding_risk.value", a.BleedingRisk.Value, bleedingRisks)
	k.fact("bleeding_risk", a.BleedingRisk.Fact)
	for _, region := range sortedRegions(a.BleedingRiskByRegion) {
		f := "bleeding_risk_by_region." + region
		k.oneOf(f, region, regions)
		k.oneOf(f+".value", a.BleedingRiskByRegion[region].Value, bleedingRisks)
		k.fact(f, a.BleedingRiskByRegion[region].Fact)
	}
	k.fact("accompaniment_required", a.Accompaniment.Fact)
	k.fact("no_driving", a.NoDriving.Fact)
	k.items("documents_to_bring", a.DocumentsToBring)
	k.items("aftercare", a.Aftercare)
	k.items("warning_signs", a.WarningSigns)
	k.labs(a.LabsRequired)
	k.contraindications(a.Contraindications)
	k.complications(a.Complications)
	k.variants(a)
	for _, p := range []struct {
		field string
		text  Text
	}{{"patient.what_it_is", a.Patient.WhatItIs}, {"patient.preparation", a.Patient.Preparation}, {"patient.course", a.Patient.Course}, {"patient.after", a.Patient.After}} {
		k.text(p.field, p.text)
	}
	for field, n := range map[string]int{"documents_to_bring": len(a.DocumentsToBring), "contraindications": len(a.Contraindications), "warning_signs": len(a.WarningSigns), "complications": len(a.Complications), "aftercare": len(a.Aftercare)} {
		if n == 0 {
			k.fail(field, "at least one entry is required")
		}
	}
}

func (k *checker) minutes(field string, m Minutes) {
	if m.Value <= 0 || m.Value > 24*60 {
		k.fail(field+".value", "must be between 1 and 1440 minutes (got %d)", m.Value)
	}
	k.fact(field, m.Fact)
}

func (k *checker) monitoring(m Monitoring) {
	k.oneOf("monitoring.place", m.Place, places)
	if m.Minutes < 0 || m.Minutes > 48*60 {
		k.fail("monitoring.minutes", "must be between 0 and 2880 (got %d)", m.Minutes)
	}
	if m.Place != PlaceNone && m.Minutes == 0 {
		k.fail("monitoring.minutes", "must be positive when place is %q", m.Place)
	}
	k.fact("monitoring", m.Fact)
}

func (k *checker) fasting(f Fasting) {
	k.oneOf("fasting.mode", f.Mode, fastingModes)
	needsHours := f.Mode == FastingHours || f.Mode == FastingWithPremedOnly
	if needsHours && (f.Hours <= 0 || f.Hours > 24) {
		k.fail("fasting.hours", "must be between 1 and 24 when mode is %q (got %d)", f.Mode, f.Hours)
	}
	if !needsHours && f.Hours != 0 {
		k.fail("fasting.hours", "must be empty when mode is %q", f.Mode)
	}
	k.fact("fasting", f.Fact)
}

func (k *checker) labs(labs []Lab) {
	seen := map[string]bool{}
	for i, l := range labs {
		f := fmt.Sprintf("labs_required[%d]", i)
		k.key(f, l.Key, seen)
		if l.When == "" {
			k.fail(f+".when", "is required (always, if_anticoagulant, ...)")
		}
		k.text(f+".text", l.Text)
		k.fact(f, l.Fact)
	}
}

func (k *checker) contraindications(list []Contraindication) {
	seen := map[string]bool{}
	for i, c := range list {
		f := fmt.Sprintf("contraindications[%d]", i)
		k.key(f, c.Key, seen)
		k.oneOf(f+".kind", c.Kind, contraKinds)
		k.text(f+".text", c.Text)
		k.fact(f, c.Fact)
	}
}

func (k *checker) complications(list []Complication) {
	seen := map[string]bool{}
	for i, c := range list {
		f := fmt.Sprintf("complications[%d]", i)
		k.key(f, c.Key, seen)
		k.text(f+".text", c.Text)
		k.text(f+".frequency", c.Frequency)
		k.fact(f, c.Fact)
	}
}

func (k *checker) variants(a *Act) {
	seen := map[string]bool{}
	for i, v := range a.Variants {
		f := fmt.Sprintf("variants[%d]", i)
		if !idPattern.MatchString(v.ID) || seen[v.ID] {
			k.fail(f+".id", "must be a unique lower_snake_case id (got %q)", v.ID)
		}
		seen[v.ID] = true
		k.text(f+".name", v.Name)
		k.minutes(f+".room_minutes", v.RoomMinutes)
		k.billing(f+".billing", v.Billing)
		k.billingChoice(f+".billing_choice", v.BillingChoice)
	}
	for i, o := range a.Options {
		f := fmt.Sprintf("options[%d]", i)
		if !idPattern.MatchString(o.ID) || seen[o.ID] {
			k.fail(f+".id", "must be a unique lower_snake_case id (got %q)", o.ID)
		}
		seen[o.ID] = true
		k.text(f+".name", o.Name)
		if o.ExtraRoomMinutes.Value < 0 {
			k.fail(f+".extra_room_minutes.value", "must not be negative")
		}
		k.fact(f+".extra_room_minutes", o.ExtraRoomMinutes.Fact)
		k.billing(f+".billing", o.Billing)
	}
}
