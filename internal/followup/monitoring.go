package followup

import (
	"fmt"
	"path"
	"slices"
	"time"

	"io/fs"

	"repere/internal/catalog"
	"repere/internal/datafile"
)

// Kinds of observation during monitoring.
const (
	BloodPressure = "blood_pressure" // systolic and diastolic, mmHg, with the heart rate if taken
	PainScore     = "pain"           // 0-10
	NeuroCheck    = "neuro"          // legs, arms and bladder as before the act, or what changed
)

// ObservationKinds are the kinds a watch may ask, in the order a form shows them.
var ObservationKinds = []string{BloodPressure, PainScore, NeuroCheck}

// Neurological check results.
const (
	NeuroAsBefore = "as_before"
	NeuroChanged  = "changed"
)

// Watch is what the team records during an act's monitoring, and how often.
type Watch struct {
	Acts         []string `yaml:"acts,omitempty"`
	Kinds        []string `yaml:"kinds"`
	EveryMinutes int      `yaml:"every_minutes"`
	catalog.Fact `yaml:",inline"`
}

// Asks reports whether the watch asks an observation of that kind.
func (w Watch) Asks(kind string) bool { return slices.Contains(w.Kinds, kind) }

// Observation is one set of values recorded during monitoring; a value not
// taken is zero (Pain nil).
type Observation struct {
	At                             time.Time
	By                             string
	Systolic, Diastolic, HeartRate int // mmHg, beats per minute
	Pain                           *int
	Neuro                          string // NeuroAsBefore, NeuroChanged or ""
	Note                           string
}

// WatchOf returns the monitoring watch of an act: the last entry naming it,
// else the default.
func (s *Set) WatchOf(act *catalog.Act) Watch {
	w := s.watchDefault
	for _, e := range s.watches {
		if act != nil && slices.Contains(e.Acts, act.ID) {
			w = e
		}
	}
	return w
}

func (s *Set) readWatches(layer fs.FS, name string) []error {
	var doc struct {
		Default *Watch  `yaml:"default"`
		Acts    []Watch `yaml:"acts"`
	}
	file := path.Join(name, "monitoring.yaml")
	found, err := datafile.Read(layer, "monitoring.yaml", &doc)
	if err != nil {
		return []error{fmt.Errorf("%s: %w", file, err)}
	}
	if !found {
		return nil
	}
	var problems []error
	check := func(label string, w Watch, needActs bool) {
		switch {
		case needActs && len(w.Acts) == 0:
			problems = append(problems, fmt.Errorf("%s.acts: name at least one act", label))
		case !needActs && len(w.Acts) > 0:
			problems = append(problems, fmt.Errorf("%s.acts: the default applies to every act; name acts under acts", label))
		}
		for _, id := range w.Acts {
			if _, ok := s.cat.Act(id); !ok {
				problems = append(problems, fmt.Errorf("%s.acts: unknown act %q", label, id))
			}
		}
		if len(w.Kinds) == 0 {
			problems = append(problems, fmt.Errorf("%s.kinds: name at least one kind (%v)", label, ObservationKinds))
		}
		for _, k := range w.Kinds {
			if !slices.Contains(ObservationKinds, k) {
				problems = append(problems, fmt.Errorf("%s.kinds: unknown kind %q (%v)", label, k, ObservationKinds))
			}
		}
		if w.EveryMinutes < 5 || w.EveryMinutes > 240 {
			problems = append(problems, fmt.Errorf("%s.every_minutes: %d not between 5 and 240", label, w.EveryMinutes))
		}
		if _, ok := s.Source(w.Source); !ok {
			problems = append(problems, fmt.Errorf("%s.source: unknown source %q", label, w.Source))
		}
		// No clinical source sets monitoring observations yet: every entry
		// says it is the practice's default until one does.
		if w.Status != catalog.PracticeDefault {
			problems = append(problems, fmt.Errorf("%s.status: %q; monitoring observations are practice_default until a clinical source is cited", label, w.Status))
		}
	}
	if doc.Default != nil {
		check(file+": default", *doc.Default, false)
		s.watchDefault = *doc.Default
	}
	for i, w := range doc.Acts {
		check(fmt.Sprintf("%s: acts[%d]", file, i), w, true)
		s.watches = append(s.watches, w)
	}
	return problems
}
