package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"repere/internal/datafile"
)

//go:embed data
var embedded embed.FS

// Builtin returns the catalogue shipped in the binary.
func Builtin() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// Load reads the built-in catalogue, then the practice's folder if dir is not
// empty. The folder has the same layout (sources.yaml, acts/*.yaml): an act with
// an id already known replaces it, a new id adds an act, new sources are added.
func Load(dir string) (*Catalog, error) {
	layers := []fs.FS{Builtin()}
	names := []string{"built-in catalogue"}
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("catalog folder %s: %w", dir, err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("catalog folder %s: not a directory", dir)
		}
		layers = append(layers, os.DirFS(dir))
		names = append(names, dir)
	}
	return LoadFS(layers, names)
}

// LoadFS loads catalogue layers in order, later layers overriding earlier ones.
// names label the layers in error messages.
func LoadFS(layers []fs.FS, names []string) (*Catalog, error) {
	c := &Catalog{acts: map[string]*Act{}, bySlug: map[string]*Act{}, sources: map[string]Source{}}
	var problems []error
	for i, layer := range layers {
		if err := c.readSources(layer, names[i]); err != nil {
			problems = append(problems, err)
		}
		files, err := fs.Glob(layer, "acts/*.yaml")
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			act, err := readAct(layer, f, path.Join(names[i], f))
			if err != nil {
				problems = append(problems, err)
				continue
			}
			c.acts[act.ID] = act
		}
	}
	if len(problems) == 0 {
		problems = c.validate()
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	for _, a := range c.acts {
		c.bySlug[a.Slug] = a
	}
	return c, nil
}

func (c *Catalog) readSources(layer fs.FS, layerName string) error {
	data, err := fs.ReadFile(layer, "sources.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var doc struct {
		Sources []Source `yaml:"sources"`
	}
	file := path.Join(layerName, "sources.yaml")
	if err := datafile.Decode(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for i, s := range doc.Sources {
		if s.ID == "" || s.Title == "" {
			return fmt.Errorf("%s: sources[%d]: id and title are required", file, i)
		}
		c.sources[s.ID] = s
	}
	return nil
}

func readAct(layer fs.FS, name, label string) (*Act, error) {
	data, err := fs.ReadFile(layer, name)
	if err != nil {
		return nil, err
	}
	var act Act
	if err := datafile.Decode(data, &act); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	act.file = label
	return &act, nil
}

// Error lists every problem found in the catalogue, each naming its file and field.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("catalogue has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}
