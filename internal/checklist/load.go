package checklist

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"repere/internal/datafile"
)

//go:embed data
var embedded embed.FS

// Builtin returns the checklist shipped in the binary.
func Builtin() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// Source is a reference cited by items.
type Source struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	URL   string `yaml:"url,omitempty"`
}

// Set is the validated checklist.
type Set struct {
	items   []Item
	origin  []string // file each item was read from, for messages
	sources map[string]Source
}

// Items returns every item of the checklist, in data order.
func (s *Set) Items() []Item { return append([]Item(nil), s.items...) }

// Source returns a cited source.
func (s *Set) Source(id string) (Source, bool) { src, ok := s.sources[id]; return src, ok }

// Load reads the built-in checklist, then the practice's folder if dir is not
// empty. The folder has the same layout (items.yaml, sources.yaml), both
// optional: an item whose id is known replaces it in place, a new id is added
// at the end of its phase, new sources are added.
func Load(dir string) (*Set, error) {
	layers, names, err := datafile.Layers(Builtin(), "built-in checklist", "checklist", dir)
	if err != nil {
		return nil, err
	}
	return LoadFS(layers, names)
}

// LoadFS loads checklist layers in order, later layers overriding earlier
// ones; names label the layers in error messages.
func LoadFS(layers []fs.FS, names []string) (*Set, error) {
	s := &Set{sources: map[string]Source{}}
	var problems []error
	for i, layer := range layers {
		problems = append(problems, s.readLayer(layer, names[i])...)
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
	var srcDoc struct {
		Sources []Source `yaml:"sources"`
	}
	file := path.Join(name, "sources.yaml")
	if found, err := datafile.Read(layer, "sources.yaml", &srcDoc); err != nil {
		problems = append(problems, fmt.Errorf("%s: %w", file, err))
	} else if found {
		for i, src := range srcDoc.Sources {
			if src.ID == "" || src.Title == "" {
				problems = append(problems, fmt.Errorf("%s: sources[%d]: id and title are required", file, i))
				continue
			}
			s.sources[src.ID] = src
		}
	}
	var itemDoc struct {
		Items []Item `yaml:"items"`
	}
	file = path.Join(name, "items.yaml")
	found, err := datafile.Read(layer, "items.yaml", &itemDoc)
	if err != nil {
		return append(problems, fmt.Errorf("%s: %w", file, err))
	}
	if !found {
		return problems
	}
	inFile := map[string]bool{}
	for i, it := range itemDoc.Items {
		label := fmt.Sprintf("%s: items[%d]", file, i)
		if inFile[it.ID] {
			problems = append(problems, fmt.Errorf("%s.id: duplicate id %q in the same file", label, it.ID))
			continue
		}
		inFile[it.ID] = true
		if at := s.index(it.ID); at >= 0 && it.ID != "" {
			s.items[at], s.origin[at] = it, label
			continue
		}
		s.items = append(s.items, it)
		s.origin = append(s.origin, label)
	}
	return problems
}

func (s *Set) index(id string) int {
	for i, it := range s.items {
		if it.ID == id {
			return i
		}
	}
	return -1
}

// Error lists every problem found in the checklist data, each naming its file and field.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("checklist has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
