package followup

import (
	"fmt"
	"slices"
	"time"

	"repere/internal/catalog"
)

// Outcome statuses.
const (
	Pending   = "pending"
	Improved  = "improved"
	Failed    = "failed"
	Recurring = "recurring"
)

// Days lists the days after the act a score is asked, with provenance.
type Days struct {
	Values       []int `yaml:"values"`
	catalog.Fact `yaml:",inline"`
}

// Rule says how follow-up scores are read against the score before the act.
type Rule struct {
	JudgeFromDay   int `yaml:"judge_from_day"`
	MinDrop        int `yaml:"min_drop"`
	MinDropPercent int `yaml:"min_drop_percent,omitempty"` // 0: not used
	BadAtLeast     int `yaml:"bad_at_least,omitempty"`     // 0: not used
	catalog.Fact   `yaml:",inline"`
}

// Offer says for which outcomes a new act is offered.
type Offer struct {
	On           []string     `yaml:"on"`
	Text         catalog.Text `yaml:"text"`
	catalog.Fact `yaml:",inline"`
}

// Measures define the act's outcome figures: what the rule's "improved"
// means for it (for a blood patch, the headache gone or clearly better),
// what the same act again within RepeatDays is (a second patch), and the
// published figure they are shown next to, if a source gives one.
type Measures struct {
	Improved     catalog.Text `yaml:"improved"`
	Repeated     catalog.Text `yaml:"repeated"`
	RepeatDays   int          `yaml:"repeat_days"`
	Published    catalog.Text `yaml:"published,omitempty"`
	catalog.Fact `yaml:",inline"`
}

// Plan is the follow-up of one act: each part falls back to the default.
type Plan struct {
	Acts     []string  `yaml:"acts,omitempty"`
	Days     *Days     `yaml:"days,omitempty"`
	Rule     *Rule     `yaml:"rule,omitempty"`
	Offer    *Offer    `yaml:"offer,omitempty"`
	Measures *Measures `yaml:"measures,omitempty"`
}

// Score is one pain score.
type Score struct {
	Day   int // 0 = before the act
	Value int // 0-10
	At    time.Time
	By    string // "patient" or a staff login
}

// Outcome is what the scores show so far.
type Outcome struct {
	Status      string // pending, improved, failed, recurring
	OfferNewAct bool
	Reason      catalog.Text
	// Source and SourceStatus are those of the rule that read the scores;
	// OfferSource is that of the offer (or of not offering).
	Source       string
	SourceStatus catalog.Status
	OfferSource  string
	// Day is the follow-up day judged (0 when pending).
	Day int
	// Final: the last scheduled day has a score.
	Final bool
}

// plan returns the act's plan with every part filled.
func (s *Set) plan(act *catalog.Act) Plan {
	p := s.defaults
	if act == nil {
		return p
	}
	for _, e := range s.plans {
		if !contains(e.Acts, act.ID) {
			continue
		}
		if e.Days != nil {
			p.Days = e.Days
		}
		if e.Rule != nil {
			p.Rule = e.Rule
		}
		if e.Offer != nil {
			p.Offer = e.Offer
		}
		if e.Measures != nil {
			p.Measures = e.Measures
		}
	}
	return p
}

// FollowUpDays returns the days after the act when a pain score is asked.
func (s *Set) FollowUpDays(act *catalog.Act) []int {
	return append([]int(nil), s.plan(act).Days.Values...)
}

// Rules returns the act's plan (days, rule, offer, measures) with its sources, for
// display; it shares the set's data and must not be modified.
func (s *Set) Rules(act *catalog.Act) Plan { return s.plan(act) }

// Outcome reads the scores of one act. Per day only the latest score counts;
// values outside 0-10 are ignored.
func (s *Set) Outcome(act *catalog.Act, scores []Score) Outcome {
	p := s.plan(act)
	rule := *p.Rule
	j := judge(p, scores)
	out := Outcome{Status: j.status, Source: rule.Source, SourceStatus: rule.Status, OfferSource: p.Offer.Source, Final: j.final}
	switch {
	case !j.hasBase:
		out.Reason = text("Score de douleur avant le geste manquant : pas d'évaluation possible.", "Pain score before the act missing: no assessment possible.")
		return out
	case j.status == Pending:
		out.Reason = text(fmt.Sprintf("En attente du score à J%d ou après.", max(rule.JudgeFromDay, 1)), fmt.Sprintf("Waiting for the score on day %d or later.", max(rule.JudgeFromDay, 1)))
		return out
	}
	last, base := j.last, j.base
	out.Day = last.Day
	now := fmt.Sprintf("%d/10 à J%d (%d/10 avant le geste)", last.Value, last.Day, base.Value)
	nowEN := fmt.Sprintf("%d/10 on day %d (%d/10 before the act)", last.Value, last.Day, base.Value)
	switch j.status {
	case Improved:
		out.Reason = text("Amélioration : douleur "+now+".", "Improved: pain "+nowEN+".")
	case Recurring:
		out.Reason = text(fmt.Sprintf("Douleur revenue après une amélioration à J%d : %s.", j.goodBefore, now), fmt.Sprintf("Pain back after an improvement on day %d: %s.", j.goodBefore, nowEN))
	default:
		out.Reason = text("Pas d'amélioration suffisante : douleur "+now+".", "Not enough improvement: pain "+nowEN+".")
	}
	if out.Status != Improved {
		out.OfferNewAct = contains(p.Offer.On, out.Status)
		out.Reason["fr"] += " " + p.Offer.Text.In("fr")
		out.Reason["en"] += " " + p.Offer.Text.In("en")
	}
	return out
}

// Status is the status Outcome gives, without its wording: the outcome
// figures judge tens of thousands of acts and need only that.
func (s *Set) Status(act *catalog.Act, scores []Score) string {
	return judge(s.plan(act), scores).status
}

// judgement is what the scores decide, before it is put into words.
type judgement struct {
	status     string
	final      bool // the last scheduled day has a score
	hasBase    bool
	base, last Score
	goodBefore int // the day of an earlier good score, for a recurrence
}

func judge(p Plan, scores []Score) judgement {
	rule := *p.Rule
	j := judgement{status: Pending}
	byDay := latestByDay(scores)
	if days := p.Days.Values; len(days) > 0 {
		_, j.final = scoreOn(byDay, days[len(days)-1])
	}
	if j.base, j.hasBase = scoreOn(byDay, 0); !j.hasBase {
		return j
	}
	judged := byDay[:0:0]
	for _, sc := range byDay {
		if sc.Day > 0 && sc.Day >= rule.JudgeFromDay {
			judged = append(judged, sc)
		}
	}
	if len(judged) == 0 {
		return j
	}
	j.last = judged[len(judged)-1]
	for _, sc := range judged[:len(judged)-1] {
		if rule.good(j.base.Value, sc.Value) {
			j.goodBefore = sc.Day
		}
	}
	switch {
	case rule.good(j.base.Value, j.last.Value):
		j.status = Improved
	case j.goodBefore > 0:
		j.status = Recurring
	default:
		j.status = Failed
	}
	return j
}

// good reports whether a follow-up score shows enough relief from base.
func (r Rule) good(base, v int) bool {
	if r.BadAtLeast > 0 && v >= r.BadAtLeast {
		return false
	}
	if v == 0 {
		return true
	}
	drop := base - v
	return drop >= r.MinDrop || r.MinDropPercent > 0 && base > 0 && drop*100 >= r.MinDropPercent*base
}

// latestByDay keeps the latest valid score of each day (later in the list on equal times).
func latestByDay(scores []Score) []Score {
	out := make([]Score, 0, len(scores))
	for _, sc := range scores {
		if sc.Day < 0 || sc.Value < 0 || sc.Value > 10 {
			continue
		}
		i := slices.IndexFunc(out, func(x Score) bool { return x.Day == sc.Day })
		switch {
		case i < 0:
			out = append(out, sc)
		case !sc.At.Before(out[i].At):
			out[i] = sc
		}
	}
	slices.SortFunc(out, func(x, y Score) int { return x.Day - y.Day })
	return out
}

// scoreOn is the score of day in byDay (see latestByDay).
func scoreOn(byDay []Score, day int) (Score, bool) {
	if i := slices.IndexFunc(byDay, func(x Score) bool { return x.Day == day }); i >= 0 {
		return byDay[i], true
	}
	return Score{}, false
}

func text(fr, en string) catalog.Text { return catalog.Text{"fr": fr, "en": en} }
