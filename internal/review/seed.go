package review

import (
	"embed"
	"fmt"

	"repere/internal/catalog"
	"repere/internal/datafile"
)

//go:embed data/seed_differences.yaml
var seedFile embed.FS

// SeedDifference is a place where the catalogue differs from a seed page.
type SeedDifference struct {
	ID     string       `yaml:"id"`
	Act    string       `yaml:"act"`
	Facts  []string     `yaml:"facts"`
	Seed   SeedSays     `yaml:"seed"`
	Reason catalog.Text `yaml:"reason"`
}

// SeedSays is what the seed page says, with its source.
type SeedSays struct {
	Says         catalog.Text `yaml:"says"`
	catalog.Fact `yaml:",inline"`
}

// comparable catalogue facts of a seed difference.
var seedFacts = map[string]bool{"room_minutes": true, "monitoring": true, "fasting": true, "name": true}

// LoadSeedDifferences reads the built-in differences and checks them
// against the catalogue.
func LoadSeedDifferences(cat *catalog.Catalog) ([]SeedDifference, error) {
	data, err := seedFile.ReadFile("data/seed_differences.yaml")
	if err != nil {
		return nil, err
	}
	var f struct {
		Differences []SeedDifference `yaml:"differences"`
	}
	if err := datafile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("review: seed_differences.yaml: %w", err)
	}
	seen := map[string]bool{}
	for _, d := range f.Differences {
		where := "review: seed_differences.yaml: " + d.ID
		if _, ok := cat.Act(d.Act); !ok {
			continue // the practice's catalogue dropped the act: nothing to compare
		}
		if seen[d.ID] || d.ID == "" {
			return nil, fmt.Errorf("%s: missing or duplicate id", where)
		}
		seen[d.ID] = true
		for _, fact := range d.Facts {
			if !seedFacts[fact] {
				return nil, fmt.Errorf("%s: unknown fact %q", where, fact)
			}
		}
		if _, ok := cat.Source(d.Seed.Source); !ok {
			return nil, fmt.Errorf("%s: unknown source %q", where, d.Seed.Source)
		}
		for _, lang := range catalog.Languages {
			if d.Seed.Says[lang] == "" || d.Reason[lang] == "" {
				return nil, fmt.Errorf("%s: text missing in %s", where, lang)
			}
		}
	}
	out := f.Differences[:0]
	for _, d := range f.Differences {
		if _, ok := cat.Act(d.Act); ok {
			out = append(out, d)
		}
	}
	return out, nil
}
