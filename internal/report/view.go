package report

import (
	"slices"
	"strconv"
	"strings"

	"repere/internal/actrecord"
	"repere/internal/catalog"
	"repere/internal/i18n"
)

// view is the record with its values written out in the report's language:
// what the templates of data/templates see. An empty string means "not
// recorded", so templates can leave a phrase out with {{with}}.
type view struct {
	Levels     string // "L4-L5 et L5-S1"
	LevelCount int
	Approach   string // "transforaminale" (feminine, after "voie")
	Side       string // "gauche", "bilatérale" (feminine)
	SideMasc   string // "gauche", "droit" (after "foramen")
	Bilateral  bool
	Needle     string // "22 G"
	Steroid    string // "dexaméthasone 7,5 mg"
	Contrast   string // "1 mL"
	Blood      string // "18 mL"
	// Cement is the volume per vertebra, CementTotal their sum.
	Cement, CementTotal string
	Biopsy              bool
	NoComplication      bool
	Notes               string

	lang        string
	rec         actrecord.Record
	set         *actrecord.Set
	anaesthetic string
	loc         *i18n.Localizer
	ctx         Context
}

func newView(act *catalog.Act, variant string, r actrecord.Record, ctx Context) view {
	l := ctx.lang()
	set := ctx.Fields
	if set == nil {
		set = actrecord.Builtin()
	}
	v := view{lang: l, rec: r, set: set, ctx: ctx, loc: &i18n.Localizer{Lang: l},
		Levels: join(r.Levels, l), LevelCount: len(r.Levels), Biopsy: r.BiopsySent,
		NoComplication: r.NoComplication(), Notes: strings.TrimSpace(r.Notes)}
	if r.Approach != "" {
		v.Approach = set.Label(r.Approach).In(l)
	}
	if r.Side != "" {
		v.Side = set.Label(r.Side).In(l)
		v.SideMasc = v.Side
		if l == "fr" {
			v.SideMasc = map[string]string{"right": "droit", "bilateral": "bilatéral", "median": "médian"}[r.Side]
			if v.SideMasc == "" {
				v.SideMasc = v.Side
			}
		}
		v.Bilateral = r.Side == "bilateral"
	}
	if r.NeedleGauge > 0 {
		v.Needle = strconv.Itoa(r.NeedleGauge) + " G"
	}
	v.Steroid = v.drugs(actrecord.ClassSteroid)
	v.anaesthetic = v.drugs(actrecord.ClassLocalAnaesthetic)
	v.Contrast = amount(r.ContrastML, "mL", l)
	v.Blood = amount(r.BloodML, "mL", l)
	var cement []string
	total := 0.0
	for _, level := range r.Levels {
		if ml, ok := r.CementML[level]; ok {
			cement = append(cement, level+say(l, " : ", ": ")+number(ml, l)+" mL")
			total += ml
		}
	}
	v.Cement = strings.Join(cement, ", ")
	if len(cement) > 0 {
		v.CementTotal = number(total, l) + " mL"
	}
	return v
}

// drugs writes the products of one class with their doses.
func (v view) drugs(class string) string {
	var out []string
	for _, dd := range v.rec.Drugs {
		d, ok := v.set.Drug(dd.DrugID)
		if !ok || d.Class != class {
			continue
		}
		s := d.Name.In(v.lang) + " " + number(dd.DoseMg, v.lang) + " mg"
		if dd.VolumeML > 0 {
			s += " (" + number(dd.VolumeML, v.lang) + " mL)"
		}
		out = append(out, s)
	}
	return join(out, v.lang)
}

func (v view) anaesthesia(l string) string {
	if v.anaesthetic == "" {
		return ""
	}
	return say(l, "Anesthésie locale : ", "Local anaesthesia: ") + v.anaesthetic + "."
}

// dosimetry is always written: a missing dose shows as missing, since the
// report of a CT-guided act must carry it.
func (v view) dosimetry(l string) string {
	missing := say(l, "non renseigné", "not recorded")
	dlp, ctdi := amount(v.rec.DLP, "mGy·cm", l), amount(v.rec.CTDIvol, "mGy", l)
	if dlp == "" {
		dlp = missing
	}
	s := say(l, "Dosimétrie : PDL ", "Dose: DLP ") + dlp
	if ctdi != "" {
		s += say(l, " ; IDSV (CTDIvol) ", "; CTDIvol ") + ctdi
	}
	return s + "."
}

func (v view) times(l string) string {
	r := v.rec
	if r.Start.IsZero() && r.End.IsZero() {
		return ""
	}
	loc := v.ctx.location()
	var parts []string
	if !r.Start.IsZero() {
		parts = append(parts, say(l, "début ", "start ")+v.loc.Time(r.Start.In(loc)))
	}
	if !r.End.IsZero() {
		parts = append(parts, say(l, "fin ", "end ")+v.loc.Time(r.End.In(loc)))
	}
	s := say(l, "Horaires : ", "Times: ") + strings.Join(parts, ", ")
	if !r.Start.IsZero() && r.End.After(r.Start) {
		s += " (" + say(l, "durée ", "duration ") + v.loc.Minutes(int(r.End.Sub(r.Start).Minutes())) + ")"
	}
	return s + "."
}

func (v view) study(l string) string {
	if v.rec.StudyInstanceUID == "" {
		return ""
	}
	return say(l, "Images archivées : Study Instance UID ", "Images archived: Study Instance UID ") + v.rec.StudyInstanceUID + "."
}

func (v view) complications(l string) string {
	r := v.rec
	if len(r.Complications) == 0 {
		return say(l, complicationsToRecord[0], complicationsToRecord[1])
	}
	if r.NoComplication() {
		return say(l, "Pas de complication immédiate.", "No immediate complication.")
	}
	var lines []string
	for _, key := range r.Complications {
		if key == actrecord.ComplicationOther && r.ComplicationNote != "" {
			continue // described by the note
		}
		lines = append(lines, v.set.Label(key).In(l)+".")
	}
	if note := strings.TrimSpace(r.ComplicationNote); note != "" {
		lines = append(lines, note)
	}
	return strings.Join(lines, " ")
}

func amount(x *float64, unit, l string) string {
	if x == nil {
		return ""
	}
	return number(*x, l) + " " + unit
}

// number writes a value without useless decimals, with a decimal comma in French.
func number(x float64, l string) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if l == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// join writes "a, b et c" / "a, b and c".
func join(items []string, l string) string {
	items = slices.DeleteFunc(slices.Clone(items), func(s string) bool { return s == "" })
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + say(l, " et ", " and ") + items[len(items)-1]
}
