// Package documents writes what the patient receives: the personalised
// convocation (HTML fragment, PDF, iCalendar), the information sheet and the
// consent form of an act, and the frozen PDF of a signed consent.
//
// Clinical content comes from the catalogue; the package only adds short
// plain-language sentences of its own (messages.go). PDFs embed DejaVu Sans so
// French accents print everywhere. Nothing here touches a database, and only
// the blank forms (information sheet, consent form) read the clock, for their
// PDF date: every record-like document takes its dates from the caller, so
// equal inputs give equal bytes.
package documents

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Paris must resolve even on a machine without zoneinfo

	"repere/internal/billing"
	"repere/internal/catalog"
	"repere/internal/i18n"
)

// DefaultArrivalMinutes is how long before the act the patient is asked to
// arrive when the convocation does not say otherwise (practice default).
const DefaultArrivalMinutes = 30

// Patient identifies the person the document is for.
type Patient struct {
	Name      string // display name, e.g. "Mme Jeanne Dupont"
	BirthDate time.Time
	Sex       string // F, M or U: "née" or "né" in French ("né(e)" when not known)
}

// Site is where the act takes place.
type Site struct {
	Name    string
	Address string
	Phone   string
}

// Hold is one treatment the patient declared that matters for the act
// (filled by the application layer from the screening). Exactly one of
// these applies: a last dose (LastDoseBy), a call from the practice before
// CallBy (the hold awaits the radiologist, or the medicine has no rule), or
// Continue (no stop for this act).
type Hold struct {
	DrugName   string
	LastDoseBy time.Time // day of the last dose, or its latest instant with AtTime
	// AtTime: the hold counts hours, so the clock time of LastDoseBy matters.
	AtTime        bool
	RestartAdvice string // when to restart, e.g. "à partir du mardi 24 novembre à 17 h 20"
	// CallBy: do not change this treatment; the practice calls before this day.
	CallBy   time.Time
	Continue bool
}

// Convocation is everything one personalised appointment letter needs.
type Convocation struct {
	AppointmentID        string // stable id: the calendar event's UID derives from it
	UIDHost              string // the practice's host, in the calendar event's UID
	Patient              Patient
	Act                  *catalog.Act
	Variant              string // variant id of the act, or ""
	Start                time.Time
	ArrivalMinutesBefore int // 0 means DefaultArrivalMinutes
	Site                 Site
	Room                 string
	Radiologist          string
	Holds                []Hold
	// TreatmentsPending: the questionnaire is missing or incomplete, so the
	// letter cannot say that nothing is to be stopped; the practice calls
	// before TreatmentsCallBy.
	TreatmentsPending bool
	TreatmentsCallBy  time.Time
	Estimate          *billing.Estimate // nil: no cost section
	Lang              string            // fr (default) or en
	Location          *time.Location    // nil: Europe/Paris
	IssuedAt          time.Time         // when the letter is issued (PDF date, calendar DTSTAMP); zero: Start
}

// Arrival is the time the patient is asked to arrive.
func (c Convocation) Arrival() time.Time {
	minutes := c.ArrivalMinutesBefore
	if minutes <= 0 {
		minutes = DefaultArrivalMinutes
	}
	return c.Start.In(c.location()).Add(-time.Duration(minutes) * time.Minute)
}

func (c Convocation) location() *time.Location { return locationOr(c.Location) }

func (c Convocation) issuedAt() time.Time {
	if c.IssuedAt.IsZero() {
		return c.Start
	}
	return c.IssuedAt
}

var paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}

func locationOr(loc *time.Location) *time.Location {
	if loc == nil {
		return paris
	}
	return loc
}

// FastingFrom returns when the patient must stop eating before an act that
// starts at start: the start minus the act's fasting hours, or midnight of the
// day of the act. It reports false when the act needs no fasting, and also
// when fasting depends on a premedication: the convocation then states the
// condition with the time (see fastingIfPremedicated).
func FastingFrom(act *catalog.Act, start time.Time, loc *time.Location) (time.Time, bool) {
	start = start.In(locationOr(loc))
	switch act.Fasting.Mode {
	case catalog.FastingHours:
		return start.Add(-time.Duration(act.Fasting.Hours) * time.Hour), true
	case catalog.FastingFromMidnight:
		y, m, d := start.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, start.Location()), true
	}
	return time.Time{}, false
}

// fastingIfPremedicated is the fasting start that applies only when a premedication is given.
func fastingIfPremedicated(act *catalog.Act, start time.Time, loc *time.Location) (time.Time, bool) {
	if act.Fasting.Mode != catalog.FastingWithPremedOnly || act.Fasting.Hours <= 0 {
		return time.Time{}, false
	}
	return start.In(locationOr(loc)).Add(-time.Duration(act.Fasting.Hours) * time.Hour), true
}

// lang returns a supported language, French by default.
func lang(l string) string {
	if _, ok := messages[l]; ok {
		return l
	}
	return i18n.Default
}

// msg formats a message of the table; a missing key shows as itself so tests catch it.
func msg(l, key string, args ...any) string {
	s, ok := messages[lang(l)][key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// formatter returns the shared date, time and euro formatting of i18n.
func formatter(l string) *i18n.Localizer { return &i18n.Localizer{Lang: lang(l)} }

// actName is the act's name, followed by the variant's when there is one.
func actName(act *catalog.Act, variant, l string) string {
	name := act.Name.In(l)
	for _, v := range act.Variants {
		if v.ID == variant {
			return name + " – " + v.Name.In(l)
		}
	}
	return name
}
