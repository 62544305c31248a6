// Package catalog holds the interventional acts a practice performs, as data.
//
// Every act is one YAML file under data/acts (embedded in the binary) and can be
// replaced or complemented by a practice's own folder. Every clinical or billing
// fact carries the id of its source (listed in data/sources.yaml) and a status
// saying how sure we are of it, so that the radiologist sees which values still
// need checking. Patient-facing text is written per language (fr, en).
package catalog

import (
	"sort"
	"time"
)

// Status says how a fact was established.
type Status string

const (
	// Confirmed: read in the cited source.
	Confirmed Status = "confirmed"
	// PatientPage: stated by a practice's patient-information page (the brief).
	PatientPage Status = "patient_page"
	// Inference: derived from a source by arithmetic or analogy.
	Inference Status = "inference"
	// NotConfirmed: not found in a primary source; must be checked before relied upon.
	NotConfirmed Status = "not_confirmed"
	// PracticeDefault: an organisational default chosen by Repère for the practice to adjust.
	PracticeDefault Status = "practice_default"
)

var knownStatuses = map[Status]bool{Confirmed: true, PatientPage: true, Inference: true, NotConfirmed: true, PracticeDefault: true}

// Languages every patient-facing text must be written in; the first is the default.
var Languages = []string{"fr", "en"}

// Text is a patient-facing text per language code.
type Text map[string]string

// In returns the text in lang, falling back to French.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return t[Languages[0]]
}

// Fact is the provenance every clinical or billing value carries.
type Fact struct {
	Source string `yaml:"source"`
	Status Status `yaml:"status"`
	Note   string `yaml:"note,omitempty"`
}

// NeedsCheck reports whether the value must be verified before it is relied upon.
func (f Fact) NeedsCheck() bool { return f.Status == NotConfirmed }

// Minutes is a duration in minutes with its provenance.
type Minutes struct {
	Value int `yaml:"value"`
	Fact  `yaml:",inline"`
}

// Duration returns the value as a time.Duration.
func (m Minutes) Duration() time.Duration { return time.Duration(m.Value) * time.Minute }

// Monitoring places after an act.
const (
	PlaceNone          = "none"
	PlaceRecoveryChair = "recovery_chair"
	PlaceRecoveryBed   = "recovery_bed"
	PlaceWardOvernight = "ward_overnight"
)

// Monitoring is how long and where the patient is watched after the act.
type Monitoring struct {
	Minutes int    `yaml:"minutes"`
	Place   string `yaml:"place"`
	Fact    `yaml:",inline"`
}

// Fasting modes.
const (
	FastingNone           = "none"
	FastingHours          = "hours"
	FastingWithPremedOnly = "only_with_premedication"
	FastingFromMidnight   = "from_midnight"
)

// Fasting says whether and how long the patient must not eat before the act.
type Fasting struct {
	Mode  string `yaml:"mode"`
	Hours int    `yaml:"hours,omitempty"`
	Fact  `yaml:",inline"`
}

// Anaesthesia kinds.
const (
	AnaesthesiaLocal     = "local"
	AnaesthesiaLocalOrGA = "local_or_general"
	AnaesthesiaGeneral   = "general"
)

// Choice is a keyed value with its provenance (anaesthesia, bleeding risk...).
type Choice struct {
	Value string `yaml:"value"`
	Fact  `yaml:",inline"`
}

// Bleeding-risk classes of the ASRA 2018 interventional pain guidelines.
const (
	BleedingLow          = "low"
	BleedingIntermediate = "intermediate"
	BleedingHigh         = "high"
)

// Tariff is a base tariff valid from a date (a new tariff year is a new row).
type Tariff struct {
	From   string  `yaml:"from"`
	BaseEU float64 `yaml:"base_eur"`
	Fact   `yaml:",inline"`
}

// BillingCode is one CCAM code of an act with its tariffs over time.
// A code not yet confirmed has an empty Code and a NotConfirmed status.
//
// The tariffs of the built-in codes live in the billing package's tariff
// table (dated, replaceable by an import); Tariffs here serve a practice's
// own code that the table does not hold.
type BillingCode struct {
	Code    string   `yaml:"code"`
	Label   string   `yaml:"label"`
	Tariffs []Tariff `yaml:"tariffs,omitempty"`
	// Association: how the code is paid after the main one (see billing.go).
	Association *Association `yaml:"association,omitempty"`
	Fact        `yaml:",inline"`
}

// TariffOn returns the tariff in force on day (YYYY-MM-DD), if any.
func (b BillingCode) TariffOn(day string) (Tariff, bool) {
	var best Tariff
	found := false
	for _, t := range b.Tariffs {
		if t.From <= day && (!found || t.From > best.From) {
			best, found = t, true
		}
	}
	return best, found
}

// Item is a keyed element of a list (document, lab, contraindication,
// complication, warning sign...) with its patient-facing wording and provenance.
type Item struct {
	Key  string `yaml:"key"`
	Text Text   `yaml:"text"`
	Fact `yaml:",inline"`
}

// Lab is a blood test required before the act.
type Lab struct {
	Key  string `yaml:"key"` // inr, platelets, creatinine_egfr, ...
	When string `yaml:"when"`
	Text Text   `yaml:"text"`
	Fact `yaml:",inline"`
}

// Contraindication kinds.
const (
	Absolute = "absolute"
	Relative = "relative"
)

// Contraindication is a condition that forbids (absolute) or questions (relative) the act.
type Contraindication struct {
	Key  string `yaml:"key"`
	Kind string `yaml:"kind"`
	Text Text   `yaml:"text"`
	Fact `yaml:",inline"`
}

// Complication is a possible adverse event with how often it happens.
type Complication struct {
	Key       string `yaml:"key"`
	Text      Text   `yaml:"text"`
	Frequency Text   `yaml:"frequency"`
	Fact      `yaml:",inline"`
}

// Flag is a yes/no fact (accompaniment, no driving).
type Flag struct {
	Value bool `yaml:"value"`
	Fact  `yaml:",inline"`
}

// Variant is a form of the act with its own duration and codes (e.g. number of vertebrae).
type Variant struct {
	ID          string        `yaml:"id"`
	Name        Text          `yaml:"name"`
	RoomMinutes Minutes       `yaml:"room_minutes"`
	Billing     []BillingCode `yaml:"billing"`
	// BillingChoice: how the variant is billed where CCAM has no code for it.
	BillingChoice *BillingChoice `yaml:"billing_choice,omitempty"`
}

// Option is an add-on performed during the act (e.g. bone biopsy through the trocar).
type Option struct {
	ID               string        `yaml:"id"`
	Name             Text          `yaml:"name"`
	ExtraRoomMinutes Minutes       `yaml:"extra_room_minutes"`
	Billing          []BillingCode `yaml:"billing"`
}

// PatientInfo is the fresh plain-language text of the public information page.
type PatientInfo struct {
	WhatItIs    Text `yaml:"what_it_is"`
	Preparation Text `yaml:"preparation"`
	Course      Text `yaml:"course"`
	After       Text `yaml:"after"`
}

// Act is one interventional procedure of the catalogue.
type Act struct {
	ID      string `yaml:"id"`
	Slug    string `yaml:"slug"`
	Name    Text   `yaml:"name"`
	Summary Text   `yaml:"summary"`
	Region  string `yaml:"region"` // lumbar, cervical, spine

	Billing []BillingCode `yaml:"billing"`
	// BillingChoice: how the act is billed where CCAM has no code for it as performed.
	BillingChoice *BillingChoice `yaml:"billing_choice,omitempty"`
	Variants      []Variant      `yaml:"variants,omitempty"`
	Options       []Option       `yaml:"options,omitempty"`

	RoomMinutes  Minutes    `yaml:"room_minutes"`
	Monitoring   Monitoring `yaml:"monitoring"`
	Fasting      Fasting    `yaml:"fasting"`
	Anaesthesia  Choice     `yaml:"anaesthesia"`
	BleedingRisk Choice     `yaml:"bleeding_risk"`
	// BleedingRiskByRegion replaces BleedingRisk when the referral's levels
	// reach that region (a cervical facet is not a lumbar one); see BleedingRiskAt.
	BleedingRiskByRegion map[string]Choice `yaml:"bleeding_risk_by_region,omitempty"`

	Accompaniment Flag `yaml:"accompaniment_required"`
	NoDriving     Flag `yaml:"no_driving"`

	DocumentsToBring  []Item             `yaml:"documents_to_bring"`
	LabsRequired      []Lab              `yaml:"labs_required"`
	Contraindications []Contraindication `yaml:"contraindications"`
	Aftercare         []Item             `yaml:"aftercare"`
	WarningSigns      []Item             `yaml:"warning_signs"`
	Complications     []Complication     `yaml:"complications"`

	Patient PatientInfo `yaml:"patient"`

	file string // where the act was loaded from, for error messages
}

// File returns the file the act was read from.
func (a *Act) File() string { return a.file }

// TotalMinutes is the time the patient spends in the practice for the act
// (room plus monitoring); an overnight stay counts its monitoring minutes too.
func (a *Act) TotalMinutes() int { return a.RoomMinutes.Value + a.Monitoring.Minutes }

// Source is a reference cited by facts.
type Source struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	URL   string `yaml:"url,omitempty"`
}

// Catalog is the validated set of acts and sources.
type Catalog struct {
	acts    map[string]*Act
	bySlug  map[string]*Act
	sources map[string]Source
}

// Acts returns the acts sorted by their French name.
func (c *Catalog) Acts() []*Act {
	out := make([]*Act, 0, len(c.acts))
	for _, a := range c.acts {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name.In("fr") < out[j].Name.In("fr") })
	return out
}

// Act returns the act with the given id.
func (c *Catalog) Act(id string) (*Act, bool) { a, ok := c.acts[id]; return a, ok }

// BySlug returns the act published under slug.
func (c *Catalog) BySlug(slug string) (*Act, bool) { a, ok := c.bySlug[slug]; return a, ok }

// Source returns a cited source.
func (c *Catalog) Source(id string) (Source, bool) { s, ok := c.sources[id]; return s, ok }

// OptionIDs lists the ids of the act's options.
func (a *Act) OptionIDs() []string {
	ids := make([]string, 0, len(a.Options))
	for _, o := range a.Options {
		ids = append(ids, o.ID)
	}
	return ids
}
