package screening

import (
	"strconv"
	"strings"
	"time"

	"repere/internal/catalog"
)

// Answers is what the patient or staff filled in for one referral. It is
// stored as JSON: keep the tags stable.
type Answers struct {
	// Values maps a question id to "yes", "no", "unknown" or a number as
	// text ("72.5"); an absent id is unanswered.
	Values     map[string]string `json:"values"`
	Treatments []Treatment       `json:"treatments"`
	Labs       []LabResult       `json:"labs"`
}

// Treatment is one current medicine.
type Treatment struct {
	DrugID string `json:"drug_id"`
	// OtherName is the free-text name of a medicine not in the list: it
	// always asks a radiologist review.
	OtherName string `json:"other_name,omitempty"`
	// LastDose is when the last dose was taken; zero means not given, read as
	// "still taken now".
	LastDose time.Time `json:"last_dose"`
}

// Lab kinds recorded by the questionnaire (ids of labs.yaml).
const (
	LabINR        = "inr"
	LabPlatelets  = "platelets"
	LabEGFR       = "egfr"
	LabCreatinine = "creatinine"
)

// LabResult is one laboratory result.
type LabResult struct {
	Kind    string    `json:"kind"`
	Value   float64   `json:"value"`
	TakenOn time.Time `json:"taken_on"`
}

// Patient is what the screening reads of the patient's record.
type Patient struct {
	Sex       string // F, M, or U / "" when not known
	BirthDate string // YYYY-MM-DD, "" when not known
}

// Input is everything Evaluate reads. It must not be changed while Evaluate runs.
type Input struct {
	Act     *catalog.Act
	Variant string
	// Levels are the referral's levels ("C5-C6"): a cervical level may give
	// the act another bleeding-risk class (catalogue bleeding_risk_by_region).
	Levels  string
	Patient Patient
	Answers Answers
	// Confirmed holds the keys of the data rows (RuleKey, HoldKey, ClassKey,
	// ThresholdKey) the practice confirmed: a not-confirmed row the practice
	// confirmed counts as confirmed, and no longer forces a review.
	Confirmed map[string]bool
	// Appointment is the start of the act; zero when not booked yet.
	Appointment time.Time
	Now         time.Time
	// Loc is the practice's time zone; calendar-day rules and lab ages use it.
	// Nil means Europe/Paris (UTC if the zone database is missing).
	Loc *time.Location
}

// value returns the raw answer of a question, trimmed and lower-cased; "" when unanswered.
func (in Input) value(id string) string {
	return strings.ToLower(strings.TrimSpace(in.Answers.Values[id]))
}

// number parses a number answer; ok is false when unanswered, "unknown" or not a number.
// A decimal comma is accepted ("72,5").
func (in Input) number(id string) (float64, bool) { return in.Answers.Number(id) }

// Number parses a number answer (a weight, a lab value): ok is false when
// unanswered, "unknown" or not a number. A decimal comma is accepted
// ("72,5"), as the questionnaire takes it.
func (a Answers) Number(id string) (float64, bool) {
	v := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(a.Values[id])), ",", ".")
	if v == "" || v == Unknown {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != f { // NaN is not an answer
		return 0, false
	}
	return f, true
}

var defaultLoc = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func (in Input) loc() *time.Location {
	if in.Loc != nil {
		return in.Loc
	}
	return defaultLoc
}

// referenceDay is the calendar day lab ages count from: the act's day once
// booked, today before.
func (in Input) referenceDay() time.Time {
	if !in.Appointment.IsZero() {
		return dayOf(in.Appointment, in.loc())
	}
	return dayOf(in.Now, in.loc())
}

// dayOf returns midnight of t's calendar day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// daysBetween counts calendar days from a to b (both midnights in the same zone).
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ua := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	ub := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// latestLab returns the most recent result of kind taken at most maxAge
// calendar days before the reference day and not after Now.
func (in Input) latestLab(kind string, maxAge int) (LabResult, bool) {
	ref := in.referenceDay()
	var best LabResult
	found := false
	for _, r := range in.Answers.Labs {
		if r.Kind != kind || r.TakenOn.IsZero() || r.TakenOn.After(in.Now) || r.Value != r.Value {
			continue
		}
		age := daysBetween(dayOf(r.TakenOn, in.loc()), ref)
		if age < 0 || age > maxAge {
			continue
		}
		if !found || r.TakenOn.After(best.TakenOn) {
			best, found = r, true
		}
	}
	return best, found
}

// actEnd is when the needle is out: the appointment plus the room time of the
// act (or of the chosen variant).
func (in Input) actEnd() time.Time {
	minutes := in.Act.RoomMinutes.Value
	for _, v := range in.Act.Variants {
		if v.ID == in.Variant {
			minutes = v.RoomMinutes.Value
		}
	}
	return in.Appointment.Add(time.Duration(minutes) * time.Minute)
}
