package checklist

import (
	"time"

	"repere/internal/catalog"
	"repere/internal/screening"
)

// Phases of the checklist, in the order they are run.
const (
	PhaseBeforeRoom = "before_room" // accueil
	PhaseInRoom     = "in_room"     // avant le geste
	PhaseTimeOut    = "time_out"    // temps de pause
)

// Phases lists the phases in order.
var Phases = []string{PhaseBeforeRoom, PhaseInRoom, PhaseTimeOut}

// PhaseNames are the phase headings shown to users.
var PhaseNames = map[string]catalog.Text{
	PhaseBeforeRoom: {"fr": "Accueil", "en": "Check-in"},
	PhaseInRoom:     {"fr": "Avant le geste", "en": "Before the act"},
	PhaseTimeOut:    {"fr": "Temps de pause", "en": "Time-out"},
}

// Check states.
const (
	StateOK    = "ok"
	StateNotOK = "not_ok"
	StateNA    = "na"
)

// What the system can pre-fill (an item's auto).
const (
	AutoIdentity  = "identity_two_identifiers"
	AutoConsent   = "consent_signed"
	AutoScreening = "screening_signed"
	AutoFasting   = "fasting_since"
	AutoHolds     = "holds_respected"
	AutoLabs      = "labs_in_range"
	AutoAllergies = "allergies_from_screening"
	AutoPregnancy = "pregnancy_from_screening"
)

// patientSexUnset is the patient record's "unknown" sex.
const patientSexUnset = "U"

// AgeBand is an inclusive age range in years with its provenance.
type AgeBand struct {
	Min          int `yaml:"min"`
	Max          int `yaml:"max"`
	catalog.Fact `yaml:",inline"`
}

// Condition says when an item applies; every field given must hold.
type Condition struct {
	Acts          []string `yaml:"acts,omitempty"`          // act ids
	Regions       []string `yaml:"regions,omitempty"`       // act regions (lumbar, cervical, spine)
	FastingModes  []string `yaml:"fasting_modes,omitempty"` // the act's fasting mode is one of these
	Anaesthesia   []string `yaml:"anaesthesia,omitempty"`   // the act's anaesthesia is one of these
	Accompaniment bool     `yaml:"accompaniment_required,omitempty"`
	HasHolds      bool     `yaml:"has_holds,omitempty"` // the verdict lists a treatment hold
	HasLabs       bool     `yaml:"has_labs,omitempty"`  // the verdict lists labs needed
	// Sex lists the patient sexes (F, M); an unknown sex (U or empty) counts as met.
	Sex []string `yaml:"sex,omitempty"`
	// Age, when given, is the patient's age band; an unknown age (0) counts as met.
	Age *AgeBand `yaml:"age,omitempty"`
}

// Suggestion is what the system proposes for an item from the facts it holds.
type Suggestion struct {
	State string       `json:"state"` // ok, not_ok, or "" when a person must find out
	Why   catalog.Text `json:"why"`
}

// Item is one line of the checklist.
type Item struct {
	ID           string       `yaml:"id" json:"id"`
	Phase        string       `yaml:"phase" json:"phase"`
	Text         catalog.Text `yaml:"text" json:"text"`
	Help         catalog.Text `yaml:"help,omitempty" json:"help,omitempty"`
	Blocking     bool         `yaml:"blocking" json:"blocking"`
	AllowNA      bool         `yaml:"allow_na,omitempty" json:"allow_na,omitempty"`
	AppliesWhen  Condition    `yaml:"applies_when,omitempty" json:"-"`
	Auto         string       `yaml:"auto,omitempty" json:"auto,omitempty"`
	catalog.Fact `yaml:",inline"`

	// Suggested is filled by ItemsFor.
	Suggested Suggestion `yaml:"-" json:"suggested"`
}

// Facts is what ItemsFor reads about one appointment.
type Facts struct {
	Act     *catalog.Act
	Variant string
	// PatientSex is F, M or U (unknown); PatientAge is in whole years, 0 when unknown.
	PatientSex string
	PatientAge int
	// Verdict is the screening verdict with the radiologist's overrides applied.
	Verdict         screening.Verdict
	ScreeningSigned bool
	ConsentSigned   bool
	IdentityChecked bool
	Now             time.Time
	Appointment     time.Time

	// Optional details that make the suggestions more precise.
	ScreeningSignedAt time.Time
	ConsentSignedAt   time.Time
	IdentityCheckedAt time.Time
	IdentityCheckedBy string
	// Premedication is the radiologist's prescription given when signing the screening.
	Premedication string
	// Loc is the practice's time zone for shown times; nil means Europe/Paris.
	Loc *time.Location
}

// ItemsFor returns the items that apply to these facts, phase by phase in the
// order of the data, each with its suggestion.
func (s *Set) ItemsFor(f Facts) []Item {
	var out []Item
	for _, phase := range Phases {
		for _, it := range s.items {
			if it.Phase != phase || !it.AppliesWhen.holds(f) {
				continue
			}
			it.Suggested = suggest(it, f)
			out = append(out, it)
		}
	}
	return out
}

func (c Condition) holds(f Facts) bool {
	act := f.Act
	if act == nil {
		// Without an act every act-dependent item applies: nothing is hidden.
		act = &catalog.Act{}
	}
	switch {
	case len(c.Acts) > 0 && act.ID != "" && !contains(c.Acts, act.ID),
		len(c.Regions) > 0 && act.Region != "" && !contains(c.Regions, act.Region),
		len(c.FastingModes) > 0 && act.Fasting.Mode != "" && !contains(c.FastingModes, act.Fasting.Mode),
		len(c.Anaesthesia) > 0 && act.Anaesthesia.Value != "" && !contains(c.Anaesthesia, act.Anaesthesia.Value),
		c.Accompaniment && f.Act != nil && !act.Accompaniment.Value,
		c.HasHolds && len(f.Verdict.Holds) == 0,
		c.HasLabs && len(f.Verdict.Labs) == 0:
		return false
	}
	if len(c.Sex) > 0 && f.PatientSex != "" && f.PatientSex != patientSexUnset && !contains(c.Sex, f.PatientSex) {
		return false
	}
	if c.Age != nil && f.PatientAge > 0 && (f.PatientAge < c.Age.Min || f.PatientAge > c.Age.Max) {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
