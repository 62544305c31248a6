package screening

import (
	"sort"
	"strings"

	"repere/internal/catalog"
)

// Question kinds.
const (
	KindYesNo  = "yes_no"
	KindNumber = "number"
	KindText   = "text"
)

// Tri-state answers of a yes_no question (a number question may also be "unknown").
const (
	Yes     = "yes"
	No      = "no"
	Unknown = "unknown"
)

// Question ids the engine itself reads (the others are read only by rules).
const (
	QuestionTakesMedicines  = "takes_medicines"
	QuestionRenalFailure    = "renal_failure"
	QuestionContrastAllergy = "allergy_contrast"
)

// Group is a section heading of the form.
type Group struct {
	ID    string       `yaml:"id"`
	Title catalog.Text `yaml:"title"`
}

// Question is one item of the questionnaire.
type Question struct {
	ID           string       `yaml:"id"`
	Group        string       `yaml:"group"`
	Kind         string       `yaml:"kind"`
	YesMeans     string       `yaml:"yes_means,omitempty"`
	Unit         string       `yaml:"unit,omitempty"`
	Min          *float64     `yaml:"min,omitempty"`
	Max          *float64     `yaml:"max,omitempty"`
	Label        catalog.Text `yaml:"label"`
	Text         catalog.Text `yaml:"text"`
	Help         catalog.Text `yaml:"help,omitempty"`
	AskedFor     []string     `yaml:"asked_for,omitempty"`
	Sexes        []string     `yaml:"sexes,omitempty"`
	MandatoryFor []string     `yaml:"mandatory_for"`
	IfUnknown    string       `yaml:"if_unknown,omitempty"`

	// Mandatory and GroupTitle are filled by QuestionsFor for one act.
	Mandatory  bool         `yaml:"-"`
	GroupTitle catalog.Text `yaml:"-"`
}

func (q *Question) askedFor(act string) bool {
	return len(q.AskedFor) == 0 || contains(q.AskedFor, act)
}

func (q *Question) mandatoryFor(act string) bool { return contains(q.MandatoryFor, act) }

// ShortLabel is the wording of the question in a finding: its label, or
// its text when the data gives none (a practice's own question).
func (q Question) ShortLabel() catalog.Text {
	if len(q.Label) > 0 {
		return q.Label
	}
	return q.Text
}

// appliesTo reports whether the question is asked of this patient: a
// question for some sexes only (pregnancy) is not asked of the others; a
// patient whose sex is not recorded is asked.
func (q *Question) appliesTo(p Patient) bool {
	if len(q.Sexes) == 0 || p.Sex == "" {
		return true
	}
	return contains(q.Sexes, p.Sex)
}

// Drug classes the rules and holds test.
const (
	ClassAntiplatelet   = "antiplatelet"
	ClassVKA            = "vka"
	ClassDOAC           = "doac"
	ClassHeparin        = "heparin"
	ClassFondaparinux   = "fondaparinux"
	ClassNSAID          = "nsaid"
	ClassCorticosteroid = "corticosteroid"
	ClassMetformin      = "metformin"
	ClassAnalgesic      = "analgesic"
)

var drugClasses = set(ClassAntiplatelet, ClassVKA, ClassDOAC, ClassHeparin, ClassFondaparinux, ClassNSAID, ClassCorticosteroid, ClassMetformin, ClassAnalgesic)

// classesNeedingHold are the classes whose drugs must point at a hold row.
var classesNeedingHold = set(ClassAntiplatelet, ClassVKA, ClassDOAC, ClassHeparin, ClassFondaparinux, ClassNSAID)

// Drug is an entry of the treatment list.
type Drug struct {
	ID           string       `yaml:"id"`
	Name         catalog.Text `yaml:"name"`
	Short        catalog.Text `yaml:"short,omitempty"` // for alerts and advice; Name when empty
	Brands       []string     `yaml:"brands"`
	Class        string       `yaml:"class"`
	Holds        []string     `yaml:"holds"`
	catalog.Fact `yaml:",inline"`
}

// Source is a reference cited by the screening data.
type Source struct {
	ID    string       `yaml:"id"`
	Title string       `yaml:"title"`
	Short catalog.Text `yaml:"short,omitempty"` // the short citation staff read
	URL   string       `yaml:"url,omitempty"`
}

// Citation is the short citation of a source in lang: its short form, or
// the start of its title (up to the first colon, parenthesis or full stop).
func (s Source) Citation(lang string) string {
	if c := s.Short.In(lang); c != "" {
		return c
	}
	t := s.Title
	if i := strings.IndexAny(t, ":(."); i > 10 {
		t = t[:i]
	}
	if r := []rune(strings.TrimSpace(t)); len(r) > 70 {
		return string(r[:69]) + "…"
	}
	return strings.TrimSpace(t)
}

// Outcomes of a rule or finding.
const (
	OutcomeContraindicated = "contraindicated"
	OutcomeReview          = "review"
	OutcomeInstruction     = "instruction"
	OutcomeIncomplete      = "incomplete" // only produced by the engine: something is missing
)

// Rule is one screening rule read from rules/*.yaml.
type Rule struct {
	ID           string       `yaml:"id"`
	Acts         []string     `yaml:"acts"`
	When         Cond         `yaml:"when"`
	Outcome      string       `yaml:"outcome"`
	Message      catalog.Text `yaml:"message"`
	Alert        catalog.Text `yaml:"alert,omitempty"`
	catalog.Fact `yaml:",inline"`

	file string
}

// Cond is a condition on the answers; exactly one of its forms is set.
type Cond struct {
	Answer  string   `yaml:"answer,omitempty"` // yes_no question id, with Is
	Is      string   `yaml:"is,omitempty"`
	Number  string   `yaml:"number,omitempty"` // number question id, with AtLeast and/or Below
	Lab     string   `yaml:"lab,omitempty"`    // lab id, with AtLeast and/or Below
	AtLeast *float64 `yaml:"at_least,omitempty"`
	Below   *float64 `yaml:"below,omitempty"`
	Takes   []string `yaml:"takes,omitempty"` // drug classes
	All     []Cond   `yaml:"all,omitempty"`
	Any     []Cond   `yaml:"any,omitempty"`
}

// Stop is when the last dose must be taken.
type Stop struct {
	NoHold         bool   `yaml:"no_hold,omitempty"`
	Review         bool   `yaml:"review,omitempty"`
	Hours          int    `yaml:"hours,omitempty"`
	LastDoseDay    int    `yaml:"last_dose_day,omitempty"`
	LastDoseBefore string `yaml:"last_dose_before,omitempty"`
}

// Restart is when the drug may be taken again after the end of the act.
type Restart struct {
	MinHours     int `yaml:"min_hours"`
	MaxHours     int `yaml:"max_hours,omitempty"`
	catalog.Fact `yaml:",inline"`
}

// Band is one renal-function band of a hold: Over (clearance > value) or
// From (clearance >= value), in mL/min.
type Band struct {
	Over *float64 `yaml:"over,omitempty"`
	From *float64 `yaml:"from,omitempty"`
	Stop Stop     `yaml:"stop"`
}

// Renal says how renal function changes a hold. The bands are creatinine
// clearances (Cockcroft-Gault, as GIHP 2015 and SIR 2019 give them); the
// eGFR stands in, with a review, when the clearance cannot be computed.
type Renal struct {
	// EGFRNeeded says when the renal function must be known: always, or
	// if_renal_failure (declared, unknown or not answered).
	EGFRNeeded string `yaml:"egfr_needed"`
	Bands      []Band `yaml:"bands"`
}

// HoldClass is the hold of a drug for one bleeding-risk class.
type HoldClass struct {
	Stop    Stop         `yaml:"stop"`
	Message catalog.Text `yaml:"message,omitempty"`
	Restart *Restart     `yaml:"restart,omitempty"`
	Renal   *Renal       `yaml:"renal,omitempty"`
	// Also are other sources on the same hold, shown with it (e.g. GIHP 2015
	// beside an ASRA 2018 row).
	Also []Also `yaml:"also,omitempty"`
	// AlwaysReview: the radiologist decides each time, even once the
	// practice confirmed the row (e.g. GIHP 2015 asks longer holds before
	// neuraxial acts without a figure); Message says why.
	AlwaysReview bool `yaml:"always_review,omitempty"`
	catalog.Fact `yaml:",inline"`
}

// Also is what another source says about a hold.
type Also struct {
	Says         catalog.Text `yaml:"says" json:"says"`
	catalog.Fact `yaml:",inline"`
}

// HoldRow is one row of holds.yaml: a drug's holds for the three classes.
type HoldRow struct {
	ID           string     `yaml:"id"`
	Low          *HoldClass `yaml:"low"`
	Intermediate *HoldClass `yaml:"intermediate"`
	High         *HoldClass `yaml:"high"`
}

func (r HoldRow) forClass(class string) *HoldClass {
	switch class {
	case catalog.BleedingLow:
		return r.Low
	case catalog.BleedingIntermediate:
		return r.Intermediate
	default:
		return r.High // an unknown class takes the strictest row
	}
}

// LabDef is a laboratory result the questionnaire records.
type LabDef struct {
	ID           string       `yaml:"id"`
	Name         catalog.Text `yaml:"name"`
	Unit         string       `yaml:"unit"`
	MaxAgeDays   int          `yaml:"max_age_days"`
	catalog.Fact `yaml:",inline"`
}

// Requirement says when a lab result is needed.
type Requirement struct {
	ID           string       `yaml:"id"`
	Labs         []string     `yaml:"labs"`
	Acts         []string     `yaml:"acts,omitempty"`
	Classes      []string     `yaml:"classes,omitempty"`
	When         *Cond        `yaml:"when,omitempty"`
	MaxAgeDays   int          `yaml:"max_age_days,omitempty"`
	Why          catalog.Text `yaml:"why"`
	catalog.Fact `yaml:",inline"`
}

// Threshold is a lab limit for some bleeding-risk classes.
type Threshold struct {
	Lab          string   `yaml:"lab"`
	Classes      []string `yaml:"classes"`
	Max          *float64 `yaml:"max,omitempty"`
	ReviewUpTo   *float64 `yaml:"review_up_to,omitempty"`
	Min          *float64 `yaml:"min,omitempty"`
	ReviewDownTo *float64 `yaml:"review_down_to,omitempty"`
	catalog.Fact `yaml:",inline"`
}

// Set is the validated screening data, bound to a catalogue.
type Set struct {
	cat          *catalog.Catalog
	acts         map[string]bool
	groups       []Group
	questions    []Question
	drugs        []Drug
	holds        map[string]HoldRow
	labs         map[string]LabDef
	requirements []Requirement
	thresholds   []Threshold
	rules        []Rule
	sources      map[string]Source
	// texts holds each question's fixed sentences, written once at load
	// rather than at every evaluation (the worklist evaluates hundreds).
	texts map[string]questionTexts
}

// QuestionsFor returns the questions of act's form, in order, with Mandatory
// set for that act, whoever the patient.
func (s *Set) QuestionsFor(act *catalog.Act) []Question {
	return s.QuestionsForPatient(act, Patient{})
}

// QuestionsForPatient returns the questions of act's form asked of this
// patient (no pregnancy question for a man), in order.
func (s *Set) QuestionsForPatient(act *catalog.Act, p Patient) []Question {
	titles := map[string]catalog.Text{}
	for _, g := range s.groups {
		titles[g.ID] = g.Title
	}
	var out []Question
	for _, q := range s.questions {
		if !q.askedFor(act.ID) || !q.appliesTo(p) {
			continue
		}
		q.Mandatory = q.mandatoryFor(act.ID)
		q.GroupTitle = titles[q.Group]
		out = append(out, q)
	}
	return out
}

// Question returns a question by id.
func (s *Set) Question(id string) (Question, bool) {
	for _, q := range s.questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Screens reports whether the screening has rules for the act.
func (s *Set) Screens(act *catalog.Act) bool { return act != nil && s.acts[act.ID] }

// Drugs returns the treatment list in file order.
func (s *Set) Drugs() []Drug { return append([]Drug(nil), s.drugs...) }

// Drug returns a drug of the list.
func (s *Set) Drug(id string) (Drug, bool) {
	for _, d := range s.drugs {
		if d.ID == id {
			return d, true
		}
	}
	return Drug{}, false
}

// Source returns a cited source, falling back to the catalogue's sources.
func (s *Set) Source(id string) (Source, bool) {
	if src, ok := s.sources[id]; ok {
		return src, true
	}
	if s.cat != nil {
		if c, ok := s.cat.Source(id); ok {
			return Source{ID: c.ID, Title: c.Title, URL: c.URL}, true
		}
	}
	return Source{}, false
}

// Lab returns a lab definition.
func (s *Set) Lab(id string) (LabDef, bool) { l, ok := s.labs[id]; return l, ok }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
