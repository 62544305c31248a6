package app

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/catalog"
	"repere/internal/followup"
	"repere/internal/stats"
	"repere/internal/store"
)

// Proportion is k out of n with its Wilson 95 % interval.
type Proportion struct {
	K, N      int
	Low, High float64
}

func proportion(k, n int) Proportion {
	low, high := stats.Wilson(k, n)
	return Proportion{K: k, N: n, Low: low, High: high}
}

// Rate is K/N, 0 when N is 0.
func (p Proportion) Rate() float64 {
	if p.N == 0 {
		return 0
	}
	return float64(p.K) / float64(p.N)
}

// DayOutcome is the pain scores of one follow-up day against the score
// before the act.
type DayOutcome struct {
	Day        int
	MeanChange float64 // score that day minus the score before (negative: relief)
	Responders Proportion
}

// ComplicationCount is one kind of complication recorded in the act
// records, next to the figure the catalogue publishes for it.
type ComplicationCount struct {
	Key       string
	Label     catalog.Text // the act record's label; empty for a catalogue-only key
	Coded     bool         // the act record codes it: Observed counts it
	Imaging   bool         // a finding on the control images, not a symptom
	Observed  Proportion
	Published *catalog.Complication
	Source    string // the published figure's source title
}

// ActOutcomes is the outcome of one act type over a period.
type ActOutcomes struct {
	ActID, Name  string
	Done         int
	WithBaseline int
	Days         []DayOutcome
	Completion   Proportion // follow-up complete among acts whose last day has passed
	Improved     Proportion // the follow-up rule's verdict "improved" among judged acts
	Repeated     Proportion // acts followed by the same act for the same patient within Measures.RepeatDays
	// Measures define Improved and Repeated for the act (for a blood patch:
	// headache resolution, a second patch) and the published figure beside
	// them, from the follow-up data; Source is its source's title.
	Measures      followup.Measures
	MeasureSource string
	Complications []ComplicationCount
	Records       int // acts with a saved record (complications' denominator)
}

// imagingFindings are the complication keys that are findings on the
// control images rather than symptomatic events: their rates are not the
// symptomatic rates a patient page quotes (a cement leak is seen in a
// quarter of control CTs, JOSR 2019, and is symptomatic in about 1 %).
var imagingFindings = map[string]bool{"cement_leak": true, "intravascular_contrast": true}

// catalogueKey maps the act record's complication keys to the catalogue's.
var catalogueKey = map[string]string{"puncture_site_haematoma": "haematoma"}

// Outcomes computes, per act type, the pain outcomes, the responders
// (relief of at least 50 %), follow-up completion, repeat acts and
// complications, each proportion with its Wilson 95 % interval.
func (a *App) Outcomes(ctx context.Context, from, to time.Time) ([]ActOutcomes, error) {
	acts, err := a.store.OutcomeActs(ctx, from, to)
	if err != nil {
		return nil, err
	}
	byAct := map[string][]store.OutcomeAct{}
	for _, o := range acts {
		byAct[o.ActID] = append(byAct[o.ActID], o)
	}
	var out []ActOutcomes
	for actID, list := range byAct {
		act, ok := a.catalog.Act(actID)
		if !ok {
			continue
		}
		out = append(out, a.actOutcomes(act, list))
	}
	slices.SortFunc(out, func(x, y ActOutcomes) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

func (a *App) actOutcomes(act *catalog.Act, list []store.OutcomeAct) ActOutcomes {
	o := ActOutcomes{ActID: act.ID, Name: act.Name.In("fr"), Done: len(list)}
	days := a.followup.FollowUpDays(act)
	rules := a.followup.Rules(act)
	o.Measures = *rules.Measures
	o.MeasureSource = a.sourceTitle(rules.Measures.Source)
	now := a.Now()
	completeK, completeN, improvedK, improvedN, repeated := 0, 0, 0, 0, 0
	for _, d := range days {
		var change float64
		responders, n := 0, 0
		for _, x := range list {
			base, okBase := x.Scores[0]
			v, ok := x.Scores[d]
			if !okBase || !ok {
				continue
			}
			n++
			change += float64(v - base)
			if base > 0 && float64(base-v) >= 0.5*float64(base) {
				responders++
			}
		}
		day := DayOutcome{Day: d, Responders: proportion(responders, n)}
		if n > 0 {
			day.MeanChange = change / float64(n)
		}
		o.Days = append(o.Days, day)
	}
	complications := map[string]int{}
	byPatient := map[int64][]store.OutcomeAct{}
	for _, x := range list {
		byPatient[x.PatientID] = append(byPatient[x.PatientID], x)
	}
	for _, x := range list {
		if _, ok := x.Scores[0]; ok {
			o.WithBaseline++
		}
		if len(days) > 0 && !x.Start.AddDate(0, 0, days[len(days)-1]+1).After(now) {
			completeN++
			if _, ok := x.Scores[days[len(days)-1]]; ok {
				completeK++
			}
		}
		if status := a.followup.Status(act, scoresOf(x.Scores)); status != followup.Pending {
			improvedN++
			if status == followup.Improved {
				improvedK++
			}
		}
		if repeatedWithin(x, byPatient[x.PatientID], o.Measures.RepeatDays) {
			repeated++
		}
		switch {
		case x.NoComplication:
			o.Records++
		case len(x.Record) > 0:
			var rec actrecord.Record
			if json.Unmarshal(x.Record, &rec) == nil && len(rec.Complications) > 0 {
				o.Records++
				for _, c := range rec.Complications {
					if c != actrecord.ComplicationNone {
						complications[c]++
					}
				}
			}
		}
	}
	o.Completion, o.Improved, o.Repeated = proportion(completeK, completeN), proportion(improvedK, improvedN), proportion(repeated, len(list))
	o.Complications = a.complicationCounts(act, complications, o.Records)
	return o
}

func (a *App) complicationCounts(act *catalog.Act, counts map[string]int, records int) []ComplicationCount {
	keys := make([]string, 0, len(act.Complications)+len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	for _, c := range act.Complications {
		recordKey := c.Key
		for rk, ck := range catalogueKey {
			if ck == c.Key {
				recordKey = rk
			}
		}
		if !slices.Contains(keys, recordKey) {
			keys = append(keys, recordKey)
		}
	}
	sort.Strings(keys)
	labels := map[string]catalog.Text{}
	for _, f := range a.records.FieldsFor(act, "", act.OptionIDs()) {
		if f.Kind == actrecord.KindComplications {
			for _, c := range f.Choices {
				labels[c.Key] = c.Label
			}
		}
	}
	var out []ComplicationCount
	for _, k := range keys {
		label, coded := labels[k]
		cc := ComplicationCount{Key: k, Label: label, Coded: coded, Imaging: imagingFindings[k], Observed: proportion(counts[k], records)}
		ck := k
		if mapped, ok := catalogueKey[k]; ok {
			ck = mapped
		}
		for i := range act.Complications {
			if act.Complications[i].Key == ck {
				cc.Published = &act.Complications[i]
				cc.Source = a.sourceTitle(cc.Published.Source)
			}
		}
		out = append(out, cc)
	}
	return out
}

func (a *App) sourceTitle(id string) string {
	if s, ok := a.catalog.Source(id); ok {
		return s.Title
	}
	if s, ok := a.followup.Source(id); ok {
		return s.Title
	}
	return id
}

func scoresOf(byDay map[int]int) []followup.Score {
	out := make([]followup.Score, 0, len(byDay))
	for d, v := range byDay {
		out = append(out, followup.Score{Day: d, Value: v})
	}
	return out
}

// repeatedWithin reports whether the same patient had the same act again
// within days after x (list: the patient's acts of that type).
func repeatedWithin(x store.OutcomeAct, list []store.OutcomeAct, days int) bool {
	for _, y := range list {
		if y.ID != x.ID && y.PatientID == x.PatientID && y.Start.After(x.Start) && !y.Start.After(x.Start.AddDate(0, 0, days)) {
			return true
		}
	}
	return false
}
