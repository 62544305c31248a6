package followup

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"repere/internal/catalog"
	"repere/internal/datafile"
)

//go:embed data
var embedded embed.FS

// Builtin returns the follow-up data shipped in the binary.
func Builtin() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// Source is a reference cited by criteria and schedules.
type Source struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	URL   string `yaml:"url,omitempty"`
}

// Set is the validated follow-up data.
type Set struct {
	cat      *catalog.Catalog
	criteria []Criterion
	defaults Plan
	plans    []Plan
	sources  map[string]Source

	criterionFile []string // where each criterion was read, for messages
	planFile      []string
	defaultsFile  map[string]string // part -> file that set it

	watchDefault Watch   // monitoring.yaml's default
	watches      []Watch // and its act entries, in reading order
}

// Source returns a cited source, from this package's list or the catalogue's.
func (s *Set) Source(id string) (Source, bool) {
	if src, ok := s.sources[id]; ok {
		return src, true
	}
	if c, ok := s.cat.Source(id); ok {
		return Source{ID: c.ID, Title: c.Title, URL: c.URL}, true
	}
	return Source{}, false
}

// Load reads the built-in follow-up data, then the practice's folder if dir
// is not empty, and checks it against the catalogue. The folder has the same
// layout (discharge.yaml, schedule.yaml, sources.yaml), every file optional: a
// criterion whose id is known replaces it in place, a new one is added; the
// schedule's default parts replace the built-in ones and its act entries are
// read after the built-in ones.
func Load(cat *catalog.Catalog, dir string) (*Set, error) {
	layers, names, err := datafile.Layers(Builtin(), "built-in follow-up", "follow-up", dir)
	if err != nil {
		return nil, err
	}
	return LoadFS(cat, layers, names)
}

// LoadFS loads follow-up layers in order, later layers overriding earlier
// ones; names label the layers in error messages.
func LoadFS(cat *catalog.Catalog, layers []fs.FS, names []string) (*Set, error) {
	if cat == nil {
		return nil, errors.New("follow-up: a catalogue is required")
	}
	s := &Set{cat: cat, sources: map[string]Source{}, defaultsFile: map[string]string{}}
	var problems []error
	for i, layer := range layers {
		problems = append(problems, s.readLayer(layer, names[i])...)
		problems = append(problems, s.readWatches(layer, names[i])...)
	}
	if len(problems) == 0 {
		problems = s.validate()
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return s, nil
}

func (s *Set) readLayer(layer fs.FS, name string) []error {
	var problems []error
	fail := func(err error) { problems = append(problems, err) }

	var srcDoc struct {
		Sources []Source `yaml:"sources"`
	}
	file := path.Join(name, "sources.yaml")
	if found, err := datafile.Read(layer, "sources.yaml", &srcDoc); err != nil {
		fail(fmt.Errorf("%s: %w", file, err))
	} else if found {
		for i, src := range srcDoc.Sources {
			if src.ID == "" || src.Title == "" {
				fail(fmt.Errorf("%s: sources[%d]: id and title are required", file, i))
				continue
			}
			s.sources[src.ID] = src
		}
	}

	var critDoc struct {
		Criteria []Criterion `yaml:"criteria"`
	}
	file = path.Join(name, "discharge.yaml")
	if found, err := datafile.Read(layer, "discharge.yaml", &critDoc); err != nil {
		fail(fmt.Errorf("%s: %w", file, err))
	} else if found {
		inFile := map[string]bool{}
		for i, c := range critDoc.Criteria {
			label := fmt.Sprintf("%s: criteria[%d]", file, i)
			if inFile[c.ID] {
				fail(fmt.Errorf("%s.id: duplicate id %q in the same file", label, c.ID))
				continue
			}
			inFile[c.ID] = true
			if at := s.criterionIndex(c.ID); at >= 0 {
				s.criteria[at], s.criterionFile[at] = c, label
				continue
			}
			s.criteria = append(s.criteria, c)
			s.criterionFile = append(s.criterionFile, label)
		}
	}

	var schedDoc struct {
		Default Plan   `yaml:"default"`
		Acts    []Plan `yaml:"acts"`
	}
	file = path.Join(name, "schedule.yaml")
	if found, err := datafile.Read(layer, "schedule.yaml", &schedDoc); err != nil {
		fail(fmt.Errorf("%s: %w", file, err))
	} else if found {
		d := schedDoc.Default
		if len(d.Acts) > 0 {
			fail(fmt.Errorf("%s: default.acts: the default applies to every act; name acts under acts", file))
		}
		if d.Days != nil {
			s.defaults.Days, s.defaultsFile["days"] = d.Days, file
		}
		if d.Rule != nil {
			s.defaults.Rule, s.defaultsFile["rule"] = d.Rule, file
		}
		if d.Offer != nil {
			s.defaults.Offer, s.defaultsFile["offer"] = d.Offer, file
		}
		if d.Measures != nil {
			s.defaults.Measures, s.defaultsFile["measures"] = d.Measures, file
		}
		for i, p := range schedDoc.Acts {
			s.plans = append(s.plans, p)
			s.planFile = append(s.planFile, fmt.Sprintf("%s: acts[%d]", file, i))
		}
	}
	return problems
}

func (s *Set) criterionIndex(id string) int {
	for i, c := range s.criteria {
		if c.ID == id && id != "" {
			return i
		}
	}
	return -1
}

// Error lists every problem found in the follow-up data, each naming its file and field.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("follow-up data has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
