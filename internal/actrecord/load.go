package actrecord

import (
	"embed"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"repere/internal/catalog"
	"repere/internal/datafile"
)

//go:embed data/fields.yaml
var embedded embed.FS

// fileDoc is the layout of fields.yaml.
type fileDoc struct {
	Sources []catalog.Source        `yaml:"sources"`
	Levels  map[string][]string     `yaml:"levels"`
	Labels  map[string]catalog.Text `yaml:"labels"`
	Drugs   []*Drug                 `yaml:"drugs"`
	Fields  []fieldDef              `yaml:"fields"`
	Common  []fieldUse              `yaml:"common"`
	Acts    map[string][]fieldUse   `yaml:"acts"`
}

// Load reads the built-in field data, then dir/fields.yaml when dir is not
// empty and the file exists: its sources, level lists, labels and drugs add to
// or replace the built-in ones by id, its acts replace an act's whole list,
// and its fields and common list, when given, replace the built-in ones. The
// result is checked against the catalogue; every problem is reported.
func Load(cat *catalog.Catalog, dir string) (*Set, error) {
	data, err := embedded.ReadFile("data/fields.yaml")
	if err != nil {
		return nil, err
	}
	var doc fileDoc
	if err := datafile.Decode(data, &doc); err != nil {
		return nil, fmt.Errorf("actrecord: built-in fields.yaml: %w", err)
	}
	if dir != "" {
		// A folder that does not exist is an error, not a silent default.
		layers, _, err := datafile.Layers(nil, "", "act record", dir)
		if err != nil {
			return nil, fmt.Errorf("actrecord: %w", err)
		}
		var over fileDoc
		found, err := datafile.Read(layers[1], "fields.yaml", &over)
		if err != nil {
			return nil, fmt.Errorf("actrecord: %s: %w", filepath.Join(dir, "fields.yaml"), err)
		}
		if found {
			doc.overlay(over)
		}
	}
	s := build(doc)
	if problems := s.check(cat, doc); len(problems) > 0 {
		return nil, fmt.Errorf("actrecord: field data has %d problem(s):\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	return s, nil
}

func (d *fileDoc) overlay(o fileDoc) {
	d.Sources = append(d.Sources, o.Sources...) // later ids win in build
	for k, v := range o.Levels {
		d.Levels[k] = v
	}
	for k, v := range o.Labels {
		d.Labels[k] = v
	}
	for _, drug := range o.Drugs {
		if i := slices.IndexFunc(d.Drugs, func(x *Drug) bool { return x.ID == drug.ID }); i >= 0 {
			d.Drugs[i] = drug
		} else {
			d.Drugs = append(d.Drugs, drug)
		}
	}
	if o.Fields != nil {
		d.Fields = o.Fields
	}
	if o.Common != nil {
		d.Common = o.Common
	}
	for k, v := range o.Acts {
		d.Acts[k] = v
	}
}

func build(doc fileDoc) *Set {
	s := &Set{defs: doc.Fields, common: doc.Common, acts: doc.Acts, levels: doc.Levels, labels: doc.Labels,
		drugs: map[string]*Drug{}, sources: map[string]catalog.Source{}}
	for _, src := range doc.Sources {
		s.sources[src.ID] = src
	}
	for _, d := range doc.Drugs {
		if _, dup := s.drugs[d.ID]; !dup {
			s.drugIDs = append(s.drugIDs, d.ID)
		}
		s.drugs[d.ID] = d
	}
	return s
}

var knownStatuses = []catalog.Status{catalog.Confirmed, catalog.PatientPage, catalog.Inference, catalog.NotConfirmed, catalog.PracticeDefault}

// check lists every problem of the field data, each naming where it is.
func (s *Set) check(cat *catalog.Catalog, doc fileDoc) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	fact := func(where string, f catalog.Fact, optional bool) {
		if f.Source == "" && f.Status == "" && optional {
			return
		}
		if _, ok := cat.Source(f.Source); !ok {
			if _, ok := s.sources[f.Source]; !ok {
				bad("%s: unknown source %q", where, f.Source)
			}
		}
		if !slices.Contains(knownStatuses, f.Status) {
			bad("%s: unknown status %q", where, f.Status)
		}
	}
	for key, t := range s.labels {
		if t["fr"] == "" || t["en"] == "" {
			bad("labels.%s: fr and en are required", key)
		}
	}
	defs := map[string]fieldDef{}
	for i, d := range s.defs {
		where := fmt.Sprintf("fields[%d] %s", i, d.ID)
		if _, dup := defs[d.ID]; dup || d.ID == "" {
			bad("%s: missing or repeated id", where)
		}
		defs[d.ID] = d
		if !slices.Contains(knownKinds, d.Kind) {
			bad("%s: unknown kind %q", where, d.Kind)
		}
		if d.Label["fr"] == "" || d.Label["en"] == "" {
			bad("%s: label fr and en are required", where)
		}
		if d.Kind == KindDrug && d.DrugClass != ClassSteroid && d.DrugClass != ClassLocalAnaesthetic {
			bad("%s: drug_class must be %s or %s", where, ClassSteroid, ClassLocalAnaesthetic)
		}
	}
	for _, id := range s.drugIDs {
		d := s.drugs[id]
		where := "drugs." + id
		if d.Class != ClassSteroid && d.Class != ClassLocalAnaesthetic {
			bad("%s: unknown class %q", where, d.Class)
		}
		if d.Name["fr"] == "" || d.Name["en"] == "" {
			bad("%s: name fr and en are required", where)
		}
		fact(where+".fact", d.Fact, false)
		if d.Usual != nil {
			fact(where+".usual", d.Usual.Fact, false)
		}
		if d.Withdrawn != nil {
			fact(where+".withdrawn", d.Withdrawn.Fact, false)
		}
		for i, c := range d.Cautions {
			fact(fmt.Sprintf("%s.cautions[%d]", where, i), c.Fact, false)
			for _, a := range c.Acts {
				if _, ok := cat.Act(a); !ok {
					bad("%s.cautions[%d]: unknown act %q", where, i, a)
				}
			}
		}
	}
	checkUses := func(where string, act *catalog.Act, uses []fieldUse) {
		for i, u := range uses {
			w := fmt.Sprintf("%s[%d] %s", where, i, u.ID)
			if _, ok := defs[u.ID]; !ok {
				bad("%s: field not defined under fields", w)
			}
			fact(w, u.Fact, true)
			if u.Usual != nil {
				fact(w+".usual", u.Usual.Fact, false)
			}
			for _, c := range u.Choices {
				if _, ok := s.labels[c]; !ok && defs[u.ID].Unit == "" {
					bad("%s: choice %q has no label", w, c)
				}
			}
			for _, l := range u.Levels {
				if _, ok := s.levels[l]; !ok {
					bad("%s: unknown level list %q", w, l)
				}
			}
			if u.Option != "" && (act == nil || !slices.ContainsFunc(act.Options, func(o catalog.Option) bool { return o.ID == u.Option })) {
				bad("%s: the act has no option %q", w, u.Option)
			}
		}
	}
	checkUses("common", nil, s.common)
	for id, uses := range s.acts {
		act, ok := cat.Act(id)
		if !ok {
			bad("acts.%s: not an act of the catalogue", id)
			continue
		}
		checkUses("acts."+id, act, uses)
	}
	slices.Sort(problems)
	return problems
}

// Builtin returns the built-in field data without checking it against a
// catalogue (the package's tests do): enough for labels and drug names when
// no loaded Set is at hand. It panics only if the embedded file is broken.
func Builtin() *Set {
	data, err := embedded.ReadFile("data/fields.yaml")
	if err != nil {
		panic(err)
	}
	var doc fileDoc
	if err := datafile.Decode(data, &doc); err != nil {
		panic(fmt.Sprintf("actrecord: built-in fields.yaml: %v", err))
	}
	return build(doc)
}
