// Package privacy holds the rules on keeping and erasing patient data: a
// patient's record may be anonymised at their request only while it holds
// no medical record (no act performed, no consent signed); once it does,
// it is kept for the legal duration. The rules are data with their source.
package privacy

import (
	_ "embed"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed data/retention.yaml
var retentionYAML []byte

// Rule is one retention rule with its provenance.
type Rule struct {
	Years       int    `yaml:"years,omitempty"`
	CountedFrom string `yaml:"counted_from,omitempty"`
	Erasable    bool   `yaml:"erasable,omitempty"`
	AppliesWhen string `yaml:"applies_when"`
	Source      string `yaml:"source"`
	Status      string `yaml:"status"`
	Note        string `yaml:"note,omitempty"`
}

// Rules are the retention rules of the practice.
type Rules struct {
	MedicalRecord Rule `yaml:"medical_record"`
	IdentityOnly  Rule `yaml:"identity_only"`
}

// Load reads the embedded rules.
func Load() (Rules, error) {
	var r Rules
	if err := yaml.Unmarshal(retentionYAML, &r); err != nil {
		return r, fmt.Errorf("privacy: retention.yaml: %w", err)
	}
	if r.MedicalRecord.Years <= 0 || r.MedicalRecord.Source == "" || r.IdentityOnly.Source == "" {
		return r, errors.New("privacy: retention.yaml: every rule needs its duration and source")
	}
	return r, nil
}

// Record is what decides whether a patient's data may be erased.
type Record struct {
	ActsPerformed  int // appointments done
	ConsentsSigned int
}

// ErrRetained is returned when the law requires keeping the record.
var ErrRetained = errors.New("privacy: the patient's medical record must be kept")

// CanErase tells whether a patient's data may be anonymised, and by which rule.
func (r Rules) CanErase(rec Record) (Rule, error) {
	if rec.ActsPerformed > 0 || rec.ConsentsSigned > 0 {
		return r.MedicalRecord, ErrRetained
	}
	return r.IdentityOnly, nil
}
