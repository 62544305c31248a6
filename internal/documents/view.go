package documents

import (
	"errors"
	"time"

	"repere/internal/catalog"
)

// doc is a document laid out as headed sections; the HTML and the PDF both
// render it, so they always say the same thing.
type doc struct {
	Lang     string
	Header   []string // practice name first, then its address and phone
	Title    string
	Subtitle []string
	Sections []section
	Footer   string
	Compact  bool // the convocation: tighter spacing, so it fits on one page
}

type section struct {
	Heading    string
	Strong     []string // the sentences not to miss (date, arrival, fasting), in bold
	Paragraphs []string
	Items      []string
	Rows       []amountRow // label and amount, for the estimate
	After      []string
	SmallAfter bool // the estimate's notes, in a smaller font
}

type amountRow struct {
	Label, Value string
	Strong       bool
}

// convocationDoc builds the content of a convocation.
func convocationDoc(c Convocation) (doc, error) {
	if c.Act == nil {
		return doc{}, errors.New("documents: convocation without an act")
	}
	if c.Start.IsZero() {
		return doc{}, errors.New("documents: convocation without a start time")
	}
	l := lang(c.Lang)
	f := formatter(l)
	loc := c.location()
	start := c.Start.In(loc)

	d := doc{Lang: l, Title: msg(l, "convocation.title"), Footer: msg(l, "footer.convocation"), Compact: true}
	d.Header = nonEmpty(c.Site.Name, c.Site.Address, c.Site.Phone)
	if c.Patient.Name != "" {
		if c.Patient.BirthDate.IsZero() {
			d.Subtitle = append(d.Subtitle, c.Patient.Name)
		} else {
			key := "patient.line"
			if c.Patient.Sex == "F" || c.Patient.Sex == "M" {
				key += "." + c.Patient.Sex
			}
			d.Subtitle = append(d.Subtitle, msg(l, key, c.Patient.Name, f.ShortDate(c.Patient.BirthDate)))
		}
	}

	appt := section{Heading: msg(l, "appointment.heading")}
	appt.Strong = []string{
		msg(l, "appointment.date", f.Date(start)),
		msg(l, "appointment.arrival", f.Time(c.Arrival()), f.Time(start)),
	}
	appt.Paragraphs = append(appt.Paragraphs, msg(l, "appointment.act", actName(c.Act, c.Variant, l)))
	if c.Site.Name != "" || c.Site.Address != "" {
		appt.Paragraphs = append(appt.Paragraphs, msg(l, "appointment.place", c.Site.Name, c.Site.Address))
	}
	if c.Room != "" {
		appt.Paragraphs = append(appt.Paragraphs, msg(l, "appointment.room", c.Room))
	}
	if c.Radiologist != "" {
		appt.Paragraphs = append(appt.Paragraphs, msg(l, "appointment.radiologist", c.Radiologist))
	}
	d.Sections = append(d.Sections, appt, fastingSection(c, l), holdsSection(c, l))

	bring := section{Heading: msg(l, "bring.heading"), Items: []string{msg(l, "bring.convocation")}}
	for _, it := range c.Act.DocumentsToBring {
		bring.Items = append(bring.Items, it.Text.In(l))
	}
	d.Sections = append(d.Sections, bring)

	var back section
	if c.Act.Accompaniment.Value {
		back.Paragraphs = append(back.Paragraphs, msg(l, "return.accompaniment"))
	}
	if c.Act.NoDriving.Value {
		back.Paragraphs = append(back.Paragraphs, msg(l, "return.no_driving"))
	}
	if len(back.Paragraphs) > 0 {
		back.Heading = msg(l, "return.heading")
		d.Sections = append(d.Sections, back)
	}

	after := section{Heading: msg(l, "after.heading")}
	for _, it := range c.Act.Aftercare {
		after.Items = append(after.Items, it.Text.In(l))
	}
	if len(after.Items) > 0 {
		d.Sections = append(d.Sections, after)
	}

	warn := section{Heading: msg(l, "warning.heading")}
	for _, it := range c.Act.WarningSigns {
		warn.Items = append(warn.Items, it.Text.In(l))
	}
	if c.Site.Phone != "" {
		warn.After = append(warn.After, msg(l, "warning.phone", c.Site.Phone))
	}
	warn.After = append(warn.After, msg(l, "warning.emergency"))
	d.Sections = append(d.Sections, warn)

	if c.Estimate != nil {
		d.Sections = append(d.Sections, estimateSection(*c.Estimate, l))
	}
	return d, nil
}

func fastingSection(c Convocation, l string) section {
	f := formatter(l)
	s := section{Heading: msg(l, "fasting.heading")}
	if from, ok := FastingFrom(c.Act, c.Start, c.location()); ok {
		key := "fasting.hours"
		if c.Act.Fasting.Mode == catalog.FastingFromMidnight {
			key = "fasting.midnight"
		}
		s.Strong = []string{msg(l, key, f.Time(from))}
	} else if from, ok := fastingIfPremedicated(c.Act, c.Start, c.location()); ok {
		s.Strong = []string{msg(l, "fasting.premed", f.Time(from))}
	} else {
		s.Paragraphs = []string{msg(l, "fasting.none")}
	}
	return s
}

func holdsSection(c Convocation, l string) section {
	f := formatter(l)
	s := section{Heading: msg(l, "holds.heading")}
	if c.TreatmentsPending {
		// Never "nothing to stop" before the questionnaire is complete.
		s.Strong = []string{msg(l, "holds.pending", f.Date(c.TreatmentsCallBy.In(c.location())))}
	} else if len(c.Holds) == 0 {
		s.Paragraphs = []string{msg(l, "holds.none")}
		return s
	}
	intro := "holds.intro"
	for _, h := range c.Holds {
		if h.Continue || h.LastDoseBy.IsZero() || !h.CallBy.IsZero() {
			intro = "holds.intro_any" // not every line says to stop
		}
	}
	if len(c.Holds) > 0 {
		s.Paragraphs = []string{msg(l, intro)}
	}
	for _, h := range c.Holds {
		s.Items = append(s.Items, holdLine(h, c.location(), l))
	}
	return s
}

// holdLine is what the letter says of one treatment.
func holdLine(h Hold, loc *time.Location, l string) string {
	f := formatter(l)
	switch {
	case h.Continue:
		return msg(l, "holds.continue", h.DrugName)
	case !h.CallBy.IsZero() || h.LastDoseBy.IsZero():
		return msg(l, "holds.call", h.DrugName, f.Date(h.CallBy.In(loc)))
	}
	last := h.LastDoseBy.In(loc)
	item := msg(l, "holds.line", h.DrugName, f.Date(last))
	if h.AtTime {
		item = msg(l, "holds.line_time", h.DrugName, f.Date(last), f.Time(last))
	}
	if h.RestartAdvice != "" {
		item += " " + msg(l, "holds.restart", h.RestartAdvice)
	}
	return item
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
