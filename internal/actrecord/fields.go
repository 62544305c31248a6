package actrecord

import (
	"slices"

	"repere/internal/catalog"
)

// Kind is how a field is entered and checked.
type Kind string

// Field kinds.
const (
	KindLevels        Kind = "levels"        // several keys of Choices (spine levels)
	KindChoice        Kind = "choice"        // one key of Choices
	KindDrug          Kind = "drug"          // products of DrugClass with a dose in Unit
	KindNumber        Kind = "number"        // a number in Unit
	KindPerLevel      Kind = "per_level"     // a number in Unit for each recorded level
	KindBool          Kind = "bool"          // yes or no
	KindTime          Kind = "time"          // a moment
	KindComplications Kind = "complications" // keys of Choices, "none" alone when none
	KindText          Kind = "text"          // free text
)

var knownKinds = []Kind{KindLevels, KindChoice, KindDrug, KindNumber, KindPerLevel, KindBool, KindTime, KindComplications, KindText}

// Range is a usual range: outside it, Validate warns.
type Range struct {
	Min          *float64 `yaml:"min,omitempty"`
	Max          *float64 `yaml:"max,omitempty"`
	catalog.Fact `yaml:",inline"`
}

// Choice is one allowed value of a field.
type Choice struct {
	Key   string
	Label catalog.Text
}

// CountRange bounds how many levels a variant of the act treats.
type CountRange struct {
	Min int `yaml:"min"`
	Max int `yaml:"max,omitempty"` // 0: no upper bound
}

// Field is one entry of an act's record form.
type Field struct {
	ID       string
	Kind     Kind
	Label    catalog.Text
	Required bool
	Unit     string
	// Min and Max are hard bounds: a value outside them is an error.
	Min, Max *float64
	// Usual is the range outside which a value is accepted with a warning.
	Usual *Range
	// Choices of a choice, levels or complications field.
	Choices []Choice
	// MaxCount is the usual number of levels at most (warning beyond).
	MaxCount int
	// Levels is how many levels the variant implies (levels field only).
	Levels *CountRange
	// DrugClass and Drugs of a drug field.
	DrugClass string
	Drugs     []*Drug
	// Allergy is the screening question of an allergy that a value in this
	// field contradicts (e.g. allergy_contrast for the contrast volume).
	Allergy string
	// Fact is the provenance of the field's choices or requirement.
	Fact catalog.Fact
}

// HasChoice reports whether key is one of the field's choices.
func (f Field) HasChoice(key string) bool {
	return slices.ContainsFunc(f.Choices, func(c Choice) bool { return c.Key == key })
}

// Drug is a product the record may name, with its usual dose.
type Drug struct {
	ID          string       `yaml:"id"`
	Class       string       `yaml:"class"`
	Name        catalog.Text `yaml:"name"`
	Particulate bool         `yaml:"particulate"`
	Usual       *Range       `yaml:"usual,omitempty"`
	Withdrawn   *Notice      `yaml:"withdrawn,omitempty"`
	Cautions    []Caution    `yaml:"cautions,omitempty"`
	Fact        catalog.Fact `yaml:"fact"`
}

// Notice is a sentence shown to the radiologist with its provenance.
type Notice struct {
	Text         catalog.Text `yaml:"text"`
	catalog.Fact `yaml:",inline"`
}

// Caution advises against a drug for some acts and approaches (empty lists
// match any); it warns.
type Caution struct {
	Acts         []string     `yaml:"acts,omitempty"`
	Approaches   []string     `yaml:"approaches,omitempty"`
	Text         catalog.Text `yaml:"text"`
	catalog.Fact `yaml:",inline"`
}

func (c Caution) applies(actID, approach string) bool {
	return (len(c.Acts) == 0 || slices.Contains(c.Acts, actID)) &&
		(len(c.Approaches) == 0 || slices.Contains(c.Approaches, approach))
}

// Set is the validated field data of every act.
type Set struct {
	defs    []fieldDef // in display order
	common  []fieldUse
	acts    map[string][]fieldUse
	levels  map[string][]string
	labels  map[string]catalog.Text
	drugs   map[string]*Drug
	drugIDs []string // in file order
	sources map[string]catalog.Source
}

// Drug returns a drug of the list by id.
func (s *Set) Drug(id string) (*Drug, bool) { d, ok := s.drugs[id]; return d, ok }

// Label returns the label of a choice key (approach, side, complication), or
// the key itself when unknown.
func (s *Set) Label(key string) catalog.Text {
	if t, ok := s.labels[key]; ok {
		return t
	}
	return catalog.Text{"fr": key, "en": key}
}

// Source returns a source cited by the field data.
func (s *Set) Source(id string) (catalog.Source, bool) { src, ok := s.sources[id]; return src, ok }

// FieldsFor returns the fields of an act's record, in display order. A field
// tied to an option (the biopsy) is included only when options name it.
func (s *Set) FieldsFor(act *catalog.Act, variant string, options []string) []Field {
	uses := map[string]fieldUse{}
	for _, u := range s.common {
		uses[u.ID] = u
	}
	actUses, known := s.acts[act.ID]
	if !known {
		actUses = []fieldUse{{ID: "levels", Required: true, Levels: s.allLevelSets()}}
	}
	for _, u := range actUses {
		if base, ok := uses[u.ID]; ok {
			u = base.overriddenBy(u)
		}
		uses[u.ID] = u
	}
	var out []Field
	for _, def := range s.defs {
		u, ok := uses[def.ID]
		if !ok || (u.Option != "" && !slices.Contains(options, u.Option)) {
			continue
		}
		out = append(out, s.field(def, u, variant))
	}
	return out
}

func (s *Set) field(def fieldDef, u fieldUse, variant string) Field {
	f := Field{ID: def.ID, Kind: def.Kind, Label: def.Label, Required: u.Required, Unit: def.Unit,
		Min: def.Min, Max: def.Max, Usual: u.Usual, MaxCount: u.MaxCount, DrugClass: def.DrugClass, Allergy: def.Allergy, Fact: u.Fact}
	for _, key := range u.Choices {
		label, ok := s.labels[key]
		if !ok && def.Unit != "" { // a number such as a needle gauge: "22 G"
			label = catalog.Text{"fr": key + " " + def.Unit, "en": key + " " + def.Unit}
		} else if !ok {
			label = s.Label(key)
		}
		f.Choices = append(f.Choices, Choice{Key: key, Label: label})
	}
	for _, set := range u.Levels {
		for _, level := range s.levels[set] {
			f.Choices = append(f.Choices, Choice{Key: level, Label: catalog.Text{"fr": level, "en": level}})
		}
	}
	if c, ok := u.VariantLevels[variant]; ok {
		f.Levels = &c
	}
	if def.Kind == KindDrug {
		for _, id := range s.drugIDs {
			if d := s.drugs[id]; d.Class == def.DrugClass {
				f.Drugs = append(f.Drugs, d)
			}
		}
	}
	return f
}

func (s *Set) allLevelSets() []string {
	names := make([]string, 0, len(s.levels))
	for name := range s.levels {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// fieldDef is a field's definition in the data file.
type fieldDef struct {
	ID        string       `yaml:"id"`
	Kind      Kind         `yaml:"kind"`
	Label     catalog.Text `yaml:"label"`
	Unit      string       `yaml:"unit,omitempty"`
	Min       *float64     `yaml:"min,omitempty"`
	Max       *float64     `yaml:"max,omitempty"`
	DrugClass string       `yaml:"drug_class,omitempty"`
	// Allergy names the screening question whose "yes" (or "unknown")
	// contradicts a value in this field.
	Allergy string `yaml:"allergy,omitempty"`
}

// fieldUse is how an act (or every act) uses a defined field.
type fieldUse struct {
	ID            string                `yaml:"id"`
	Required      bool                  `yaml:"required,omitempty"`
	Choices       []string              `yaml:"choices,omitempty"`
	Levels        []string              `yaml:"levels,omitempty"` // names of level lists
	MaxCount      int                   `yaml:"max_count,omitempty"`
	VariantLevels map[string]CountRange `yaml:"variant_levels,omitempty"`
	Usual         *Range                `yaml:"usual,omitempty"`
	Option        string                `yaml:"option,omitempty"` // catalogue option the field belongs to
	catalog.Fact  `yaml:",inline"`
}

// overriddenBy returns the common use u refined by an act's own entry: the
// act's non-empty values win.
func (u fieldUse) overriddenBy(a fieldUse) fieldUse {
	if a.Required {
		u.Required = true
	}
	if a.Choices != nil {
		u.Choices = a.Choices
	}
	if a.Levels != nil {
		u.Levels = a.Levels
	}
	if a.MaxCount != 0 {
		u.MaxCount = a.MaxCount
	}
	if a.VariantLevels != nil {
		u.VariantLevels = a.VariantLevels
	}
	if a.Usual != nil {
		u.Usual = a.Usual
	}
	if a.Option != "" {
		u.Option = a.Option
	}
	if a.Source != "" {
		u.Fact = a.Fact
	}
	return u
}
