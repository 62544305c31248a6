package screening

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"repere/internal/catalog"
	"repere/internal/datafile"
)

//go:embed data
var embedded embed.FS

// Builtin returns the screening data shipped in the binary.
func Builtin() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// Load reads the built-in screening data, then the practice's folder if dir is
// not empty, and checks it against the catalogue. The folder has the same
// layout as data/ (questions.yaml, drugs.yaml, holds.yaml, labs.yaml,
// sources.yaml, rules/*.yaml), every file optional: an entry whose id is
// already known replaces it, a new id is added.
func Load(cat *catalog.Catalog, dir string) (*Set, error) {
	layers, names, err := datafile.Layers(Builtin(), "built-in screening", "screening", dir)
	if err != nil {
		return nil, err
	}
	return LoadFS(cat, layers, names)
}

// LoadFS loads screening layers in order, later layers overriding earlier ones;
// names label the layers in error messages.
func LoadFS(cat *catalog.Catalog, layers []fs.FS, names []string) (*Set, error) {
	if cat == nil {
		return nil, errors.New("screening: a catalogue is required")
	}
	l := &loader{set: &Set{cat: cat, acts: map[string]bool{}, holds: map[string]HoldRow{}, labs: map[string]LabDef{}, sources: map[string]Source{}}, origin: map[string]string{}}
	for i, layer := range layers {
		l.layer(layer, names[i])
	}
	if len(l.problems) == 0 {
		l.validate()
	}
	if len(l.problems) > 0 {
		return nil, &Error{Problems: l.problems}
	}
	l.set.writeQuestionTexts()
	return l.set, nil
}

type loader struct {
	set      *Set
	origin   map[string]string // "kind:id" -> file it was read from, for messages
	problems []error
}

func (l *loader) layer(layer fs.FS, name string) {
	var q struct {
		Acts      []string   `yaml:"acts"`
		Groups    []Group    `yaml:"groups"`
		Questions []Question `yaml:"questions"`
	}
	if file, ok := l.read(layer, name, "questions.yaml", &q); ok {
		for _, a := range q.Acts {
			l.set.acts[a] = true
		}
		l.set.groups = merge(l.set.groups, q.Groups, func(g Group) string { return g.ID })
		l.set.questions = merge(l.set.questions, q.Questions, func(q Question) string { return q.ID })
		noteOrigin(l, "question", file, q.Questions, func(q Question) string { return q.ID })
	}
	var d struct {
		Drugs []Drug `yaml:"drugs"`
	}
	if file, ok := l.read(layer, name, "drugs.yaml", &d); ok {
		l.set.drugs = merge(l.set.drugs, d.Drugs, func(d Drug) string { return d.ID })
		noteOrigin(l, "drug", file, d.Drugs, func(d Drug) string { return d.ID })
	}
	var h struct {
		Holds []HoldRow `yaml:"holds"`
	}
	if file, ok := l.read(layer, name, "holds.yaml", &h); ok {
		for _, row := range h.Holds {
			l.set.holds[row.ID] = row
		}
		noteOrigin(l, "hold", file, h.Holds, func(r HoldRow) string { return r.ID })
	}
	var lb struct {
		Labs         []LabDef      `yaml:"labs"`
		Requirements []Requirement `yaml:"requirements"`
		Thresholds   []Threshold   `yaml:"thresholds"`
	}
	if file, ok := l.read(layer, name, "labs.yaml", &lb); ok {
		for _, x := range lb.Labs {
			l.set.labs[x.ID] = x
		}
		noteOrigin(l, "lab", file, lb.Labs, func(x LabDef) string { return x.ID })
		l.set.requirements = merge(l.set.requirements, lb.Requirements, func(r Requirement) string { return r.ID })
		noteOrigin(l, "requirement", file, lb.Requirements, func(r Requirement) string { return r.ID })
		l.set.thresholds = mergeThresholds(l.set.thresholds, lb.Thresholds)
		noteOrigin(l, "threshold", file, lb.Thresholds, func(t Threshold) string { return t.Lab })
	}
	var s struct {
		Sources []Source `yaml:"sources"`
	}
	if file, ok := l.read(layer, name, "sources.yaml", &s); ok {
		for i, src := range s.Sources {
			if src.ID == "" || src.Title == "" {
				l.fail(file, fmt.Sprintf("sources[%d]", i), "id and title are required")
				continue
			}
			l.set.sources[src.ID] = src
		}
	}
	files, err := fs.Glob(layer, "rules/*.yaml")
	if err != nil {
		l.problems = append(l.problems, err)
		return
	}
	sort.Strings(files)
	for _, f := range files {
		var r struct {
			Rules []Rule `yaml:"rules"`
		}
		if file, ok := l.read(layer, name, f, &r); ok {
			for i := range r.Rules {
				r.Rules[i].file = file
			}
			l.set.rules = merge(l.set.rules, r.Rules, func(r Rule) string { return r.ID })
		}
	}
}

// read decodes one optional file of a layer strictly; ok is false when the
// file is absent or broken (the problem is recorded).
func (l *loader) read(layer fs.FS, layerName, name string, into any) (string, bool) {
	file := path.Join(layerName, name)
	data, err := fs.ReadFile(layer, name)
	if errors.Is(err, fs.ErrNotExist) {
		return file, false
	}
	if err != nil {
		l.problems = append(l.problems, fmt.Errorf("%s: %w", file, err))
		return file, false
	}
	if err := datafile.Decode(data, into); err != nil {
		l.problems = append(l.problems, fmt.Errorf("%s: %w", file, err))
		return file, false
	}
	return file, true
}

func (l *loader) fail(file, field, format string, args ...any) {
	l.problems = append(l.problems, fmt.Errorf("%s: %s: %s", file, field, fmt.Sprintf(format, args...)))
}

// noteOrigin remembers which file each entry came from, for messages.
func noteOrigin[T any](l *loader, kind, file string, items []T, id func(T) string) {
	for _, it := range items {
		l.origin[kind+":"+id(it)] = file
	}
}

// merge replaces the entries of base whose id reappears in add, in place, and
// appends the new ones, so the file order is kept.
func merge[T any](base, add []T, id func(T) string) []T {
	at := map[string]int{}
	for i, b := range base {
		at[id(b)] = i
	}
	for _, a := range add {
		if i, ok := at[id(a)]; ok {
			base[i] = a
			continue
		}
		at[id(a)] = len(base)
		base = append(base, a)
	}
	return base
}

// mergeThresholds lets a later layer replace every threshold of a lab it lists.
func mergeThresholds(base, add []Threshold) []Threshold {
	replaced := map[string]bool{}
	for _, t := range add {
		replaced[t.Lab] = true
	}
	var out []Threshold
	for _, t := range base {
		if !replaced[t.Lab] {
			out = append(out, t)
		}
	}
	return append(out, add...)
}

// Error lists every problem found in the screening data, each naming its file and field.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("screening data has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
