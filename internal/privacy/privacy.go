// Package privacy holds the rules on keeping and erasing a patient's data,
// as data with their sources (data/retention.yaml): an erasure request keeps
// the medical record for its legal duration (Code de la santé publique,
// R1112-7) with the identity it carries, and erases what no rule requires
// keeping (contact details, portal codes, questionnaire links, emails...).
// Plan says, table by table, what a request would keep, until when and why;
// Export writes all of a patient's data as a ZIP.
package privacy

import (
	_ "embed"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed data/retention.yaml
var retentionYAML []byte

// Text is a text in each interface language.
type Text map[string]string

// In returns the text in lang, falling back to French.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t["fr"]
}

// Source is a text a rule rests on, with how far it was checked.
type Source struct {
	ID     string `yaml:"-"`
	Cite   string `yaml:"cite"`
	Says   Text   `yaml:"says"`
	Scope  Text   `yaml:"scope,omitempty"`
	Status string `yaml:"status"` // confirmed (the text itself was read) or not_confirmed
	ReadIn string `yaml:"read_in"`
}

// Action is what an erasure request does to a part of the patient's data.
type Action string

const (
	Keep      Action = "keep"      // kept as is: a rule requires it
	Erase     Action = "erase"     // rows deleted or fields emptied
	Anonymise Action = "anonymise" // rows kept for activity figures, naming nobody
	Nothing   Action = "none"      // holds nothing about the patient
)

// Part is one table, or one group of a table's columns, holding the patient.
type Part struct {
	ID            string `yaml:"id"`
	Table         string `yaml:"table"`
	What          Text   `yaml:"what"`
	Why           Text   `yaml:"why"`
	WithRecord    Action `yaml:"with_record"`
	WithoutRecord Action `yaml:"without_record"`
	KeepSource    string `yaml:"keep_source,omitempty"`
	EraseSource   string `yaml:"erase_source,omitempty"`
	OwnRetention  bool   `yaml:"own_retention,omitempty"` // kept on its own rule, not until the medical record's date
}

// MedicalRecordRule is how long the medical record is kept.
type MedicalRecordRule struct {
	Years           int      `yaml:"years"`
	UntilAge        int      `yaml:"until_age"`
	AfterDeathYears int      `yaml:"after_death_years"`
	Evidence        []string `yaml:"evidence"`
	Source          string   `yaml:"source"`
	Also            []string `yaml:"also"`
	Note            Text     `yaml:"note"`
}

// Rules are the practice's retention rules.
type Rules struct {
	Sources       map[string]Source `yaml:"sources"`
	MedicalRecord MedicalRecordRule `yaml:"medical_record"`
	Parts         []Part            `yaml:"parts"`
}

// defaultEraseSource is the rule that lets a part go when no other is named.
const defaultEraseSource = "rgpd_art17"

// Load reads the embedded rules and checks that every part has its actions
// and every rule its source.
func Load() (Rules, error) {
	var r Rules
	if err := yaml.Unmarshal(retentionYAML, &r); err != nil {
		return r, fmt.Errorf("privacy: retention.yaml: %w", err)
	}
	return r, r.validate()
}

func (r Rules) validate() error {
	var errs []error
	for id, s := range r.Sources {
		s.ID = id
		r.Sources[id] = s
		if s.Cite == "" || s.Says["fr"] == "" || s.Says["en"] == "" || s.ReadIn == "" || (s.Status != "confirmed" && s.Status != "not_confirmed") {
			errs = append(errs, fmt.Errorf("source %s: needs cite, says (fr, en), read_in and a status confirmed or not_confirmed", id))
		}
	}
	m := r.MedicalRecord
	if m.Years <= 0 || m.UntilAge <= 0 || len(m.Evidence) == 0 {
		errs = append(errs, errors.New("medical_record: needs years, until_age and evidence"))
	}
	for _, id := range append([]string{m.Source, defaultEraseSource}, m.Also...) {
		if _, ok := r.Sources[id]; !ok {
			errs = append(errs, fmt.Errorf("medical_record: unknown source %q", id))
		}
	}
	seen := map[string]bool{}
	for _, p := range r.Parts {
		if p.ID == "" || p.Table == "" || seen[p.ID] || p.What["fr"] == "" || p.What["en"] == "" || p.Why["fr"] == "" || p.Why["en"] == "" {
			errs = append(errs, fmt.Errorf("part %q: needs a unique id, a table, what and why in fr and en", p.ID))
		}
		seen[p.ID] = true
		for _, a := range []Action{p.WithRecord, p.WithoutRecord} {
			if a != Keep && a != Erase && a != Anonymise && a != Nothing {
				errs = append(errs, fmt.Errorf("part %s: unknown action %q", p.ID, a))
			}
		}
		for _, id := range []string{p.KeepSource, p.EraseSource} {
			if _, ok := r.Sources[id]; id != "" && !ok {
				errs = append(errs, fmt.Errorf("part %s: unknown source %q", p.ID, id))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("privacy: retention.yaml: %w", errors.Join(errs...))
	}
	return nil
}

// Source returns a source by id.
func (r Rules) Source(id string) Source { return r.Sources[id] }

// Tables lists the tables the rules decide on.
func (r Rules) Tables() map[string]bool {
	out := map[string]bool{}
	for _, p := range r.Parts {
		out[p.Table] = true
	}
	return out
}
