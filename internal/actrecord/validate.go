package actrecord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/catalog"
)

// Validate checks a record against the act's fields. errs (keyed by field id)
// are values that cannot be and must be corrected; warnings are values
// outside the usual range or advised against, shown to the radiologist and
// never blocking. Every option of the act is allowed: the booking's options
// do not bind what was actually done.
func (s *Set) Validate(act *catalog.Act, variant string, r Record) (errs map[string]catalog.Text, warnings map[string]catalog.Text) {
	v := validation{set: s, act: act, rec: r, errs: map[string]catalog.Text{}, warns: map[string]catalog.Text{}}
	var options []string
	for _, o := range act.Options {
		options = append(options, o.ID)
	}
	fields := s.FieldsFor(act, variant, options)
	byID := map[string]Field{}
	for _, f := range fields {
		byID[f.ID] = f
		v.field(f)
	}
	v.absent(byID)
	return v.errs, v.warns
}

type validation struct {
	set          *Set
	act          *catalog.Act
	rec          Record
	errs, warns  map[string]catalog.Text
	checkedDrugs []bool
}

// add appends a sentence to the field's message in both languages.
func add(m map[string]catalog.Text, id string, msg catalog.Text) {
	cur, ok := m[id]
	if !ok {
		m[id] = msg
		return
	}
	m[id] = catalog.Text{"fr": cur["fr"] + " " + msg["fr"], "en": cur["en"] + " " + msg["en"]}
}

func text(fr, en string, args ...any) catalog.Text {
	return catalog.Text{"fr": fmt.Sprintf(fr, args...), "en": fmt.Sprintf(en, args...)}
}

// both builds a message in every language.
func both(f func(lang string) string) catalog.Text { return catalog.Text{"fr": f("fr"), "en": f("en")} }

func pick(lang, fr, en string) string {
	if lang == "fr" {
		return fr
	}
	return en
}

// number writes a value without useless decimals, with a decimal comma in French.
func number(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

var msgRequired = catalog.Text{"fr": "À renseigner.", "en": "Required."}

func (v *validation) field(f Field) {
	switch f.Kind {
	case KindLevels:
		v.levels(f)
	case KindChoice:
		v.choice(f)
	case KindDrug:
		v.drugs(f)
	case KindNumber:
		v.number(f, f.ID, v.numberOf(f.ID))
	case KindPerLevel:
		v.perLevel(f)
	case KindTime:
		if f.Required && v.timeOf(f.ID).IsZero() {
			add(v.errs, f.ID, msgRequired)
		}
		if f.ID == "end" && !v.rec.End.IsZero() && !v.rec.Start.IsZero() && v.rec.End.Before(v.rec.Start) {
			add(v.errs, "end", text("La fin précède le début.", "The end is before the start."))
		}
	case KindComplications:
		v.complications(f)
	case KindText:
		if f.ID == "study_instance_uid" && v.rec.StudyInstanceUID != "" && !validUID(v.rec.StudyInstanceUID) {
			add(v.errs, f.ID, text("Identifiant DICOM invalide (chiffres et points, 64 caractères au plus).",
				"Invalid DICOM UID (digits and dots, at most 64 characters)."))
		}
	}
}

func (v *validation) levels(f Field) {
	levels := v.rec.Levels
	if len(levels) == 0 {
		if f.Required {
			add(v.errs, f.ID, msgRequired)
		}
		return
	}
	seen := map[string]bool{}
	for _, l := range levels {
		switch {
		case seen[l]:
			add(v.errs, f.ID, text("Niveau %s saisi deux fois.", "Level %s entered twice.", l))
		case !f.HasChoice(l):
			add(v.errs, f.ID, text("Niveau %s hors de la région de ce geste.", "Level %s is outside this act's region.", l))
		}
		seen[l] = true
	}
	if f.MaxCount > 0 && len(levels) > f.MaxCount {
		add(v.warns, f.ID, text("%d niveaux : plus que d'habitude (%d au plus).", "%d levels: more than usual (%d at most).", len(levels), f.MaxCount))
	}
	if c := f.Levels; c != nil && (len(levels) < c.Min || (c.Max > 0 && len(levels) > c.Max)) {
		add(v.warns, f.ID, text("Le nombre de niveaux (%d) ne correspond pas à la variante réservée.",
			"The number of levels (%d) does not match the booked variant.", len(levels)))
	}
}

func (v *validation) choice(f Field) {
	value := ""
	switch f.ID {
	case "side":
		value = v.rec.Side
	case "approach":
		value = v.rec.Approach
	case "needle_gauge":
		if v.rec.NeedleGauge != 0 {
			value = strconv.Itoa(v.rec.NeedleGauge)
		}
	}
	switch {
	case value == "" && f.Required:
		add(v.errs, f.ID, msgRequired)
	case value != "" && !f.HasChoice(value):
		add(v.errs, f.ID, text("« %s » n'est pas un choix possible pour ce geste.", "%q is not a choice for this act.", value))
	}
}

func (v *validation) drugs(f Field) {
	if v.checkedDrugs == nil {
		v.checkedDrugs = make([]bool, len(v.rec.Drugs))
	}
	found := false
	for i, dd := range v.rec.Drugs {
		d, ok := v.set.drugs[dd.DrugID]
		if !ok || d.Class != f.DrugClass {
			continue
		}
		v.checkedDrugs[i], found = true, true
		if dd.DoseMg < 0 || dd.VolumeML < 0 {
			add(v.errs, f.ID, both(func(l string) string {
				return fmt.Sprintf(pick(l, "%s : une dose ou un volume ne peut pas être négatif.", "%s: a dose or volume cannot be negative."), d.Name.In(l))
			}))
			continue
		}
		if dd.DoseMg == 0 {
			add(v.errs, f.ID, both(func(l string) string {
				return fmt.Sprintf(pick(l, "%s : dose en mg à renseigner.", "%s: dose in mg required."), d.Name.In(l))
			}))
			continue
		}
		if u := d.Usual; u != nil && outside(dd.DoseMg, u) {
			add(v.warns, f.ID, both(func(l string) string {
				return fmt.Sprintf(pick(l, "%s %s mg : hors de la plage habituelle (%s).", "%s %s mg: outside the usual range (%s)."),
					d.Name.In(l), number(dd.DoseMg, l), rangeText(u, "mg", l))
			}))
		}
		if d.Withdrawn != nil {
			add(v.warns, f.ID, d.Withdrawn.Text)
		}
		for _, c := range d.Cautions {
			if c.applies(v.act.ID, v.rec.Approach) {
				add(v.warns, f.ID, c.Text)
			}
		}
	}
	if !found && f.Required {
		add(v.errs, f.ID, msgRequired)
	}
}

func outside(x float64, r *Range) bool {
	return (r.Min != nil && x < *r.Min) || (r.Max != nil && x > *r.Max)
}

func rangeText(r *Range, unit, lang string) string {
	switch {
	case r.Min != nil && r.Max != nil:
		return fmt.Sprintf("%s–%s %s", number(*r.Min, lang), number(*r.Max, lang), unit)
	case r.Max != nil:
		if lang == "fr" {
			return fmt.Sprintf("jusqu'à %s %s", number(*r.Max, lang), unit)
		}
		return fmt.Sprintf("up to %s %s", number(*r.Max, lang), unit)
	case r.Min != nil:
		if lang == "fr" {
			return fmt.Sprintf("au moins %s %s", number(*r.Min, lang), unit)
		}
		return fmt.Sprintf("at least %s %s", number(*r.Min, lang), unit)
	}
	return ""
}

func (v *validation) numberOf(id string) *float64 {
	switch id {
	case "contrast_ml":
		return v.rec.ContrastML
	case "blood_ml":
		return v.rec.BloodML
	case "dlp":
		return v.rec.DLP
	case "ctdivol":
		return v.rec.CTDIvol
	}
	return nil
}

func (v *validation) timeOf(id string) time.Time {
	if id == "start" {
		return v.rec.Start
	}
	return v.rec.End
}

// number checks one amount against the field's hard bounds and usual range.
func (v *validation) number(f Field, key string, x *float64) {
	if x == nil {
		if f.Required {
			add(v.errs, key, msgRequired)
		}
		return
	}
	switch {
	case *x < 0:
		add(v.errs, key, text("Une valeur négative n'est pas possible.", "A negative value is not possible."))
	case f.Min != nil && *x < *f.Min, f.Max != nil && *x > *f.Max:
		add(v.errs, key, both(func(l string) string {
			return fmt.Sprintf(pick(l, "%s %s : valeur impossible.", "%s %s: impossible value."), number(*x, l), f.Unit)
		}))
	case f.Usual != nil && outside(*x, f.Usual):
		add(v.warns, key, both(func(l string) string {
			return fmt.Sprintf(pick(l, "%s %s : hors de la plage habituelle (%s).", "%s %s: outside the usual range (%s)."),
				number(*x, l), f.Unit, rangeText(f.Usual, f.Unit, l))
		}))
	}
}

func (v *validation) perLevel(f Field) {
	volumes := v.rec.CementML
	for _, level := range v.rec.Levels {
		x, ok := volumes[level]
		if !ok {
			if f.Required {
				add(v.errs, f.ID, text("Volume à renseigner pour %s.", "Volume required for %s.", level))
			}
			continue
		}
		if x <= 0 {
			add(v.errs, f.ID, text("%s : le volume doit être positif.", "%s: the volume must be positive.", level))
			continue
		}
		v.number(Field{ID: f.ID, Unit: f.Unit, Min: f.Min, Max: f.Max, Usual: f.Usual}, f.ID, &x)
	}
	for _, level := range sortedKeys(volumes) {
		if !slices.Contains(v.rec.Levels, level) {
			add(v.errs, f.ID, text("%s n'est pas un niveau traité.", "%s is not a treated level.", level))
		}
	}
}

func (v *validation) complications(f Field) {
	c := v.rec.Complications
	if len(c) == 0 {
		if f.Required {
			add(v.errs, f.ID, text("À renseigner (choisir « aucune » s'il n'y en a pas eu).", "Required (choose \"none\" if there was none)."))
		}
		return
	}
	for _, key := range c {
		if !f.HasChoice(key) {
			add(v.errs, f.ID, text("Complication inconnue : %s.", "Unknown complication: %s.", key))
		}
	}
	if slices.Contains(c, ComplicationNone) && len(c) > 1 {
		add(v.errs, f.ID, text("« Aucune » ne peut pas être cochée avec une complication.", "\"None\" cannot be ticked with a complication."))
	}
	if slices.Contains(c, ComplicationOther) && strings.TrimSpace(v.rec.ComplicationNote) == "" {
		add(v.errs, "complication_note", text("Décrire la complication.", "Describe the complication."))
	}
}

// absent reports values recorded for fields this act does not have (a blood
// volume on an infiltration) and drugs that are unknown or of a class the act
// does not record.
func (v *validation) absent(fields map[string]Field) {
	r := v.rec
	notHere := text("Ce champ ne concerne pas ce geste.", "This field does not apply to this act.")
	present := map[string]bool{
		"side": r.Side != "", "approach": r.Approach != "", "needle_gauge": r.NeedleGauge != 0,
		"contrast_ml": r.ContrastML != nil, "blood_ml": r.BloodML != nil, "cement_ml": len(r.CementML) > 0,
		"biopsy_sent": r.BiopsySent, "dlp": r.DLP != nil, "ctdivol": r.CTDIvol != nil, "levels": len(r.Levels) > 0,
	}
	for _, id := range sortedKeys(present) {
		if _, ok := fields[id]; present[id] && !ok {
			add(v.errs, id, notHere)
		}
	}
	for i, dd := range r.Drugs {
		if v.checkedDrugs != nil && v.checkedDrugs[i] {
			continue
		}
		if d, ok := v.set.drugs[dd.DrugID]; ok {
			add(v.errs, d.Class, both(func(l string) string {
				return fmt.Sprintf(pick(l, "%s : ce produit n'est pas prévu pour ce geste.", "%s: this product is not recorded for this act."), d.Name.In(l))
			}))
		} else {
			add(v.errs, "drugs", text("Produit inconnu : %s.", "Unknown product: %s.", dd.DrugID))
		}
	}
}

// validUID checks a DICOM UID (PS3.5 9.1): digits and dots, at most 64
// characters, no empty component, no leading zero in a multi-digit component.
func validUID(uid string) bool {
	if len(uid) > 64 {
		return false
	}
	for _, part := range strings.Split(uid, ".") {
		if part == "" || (len(part) > 1 && part[0] == '0') {
			return false
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
