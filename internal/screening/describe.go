package screening

import (
	"fmt"
	"strings"

	"repere/internal/catalog"
)

// Plain-language descriptions of the data's rows, for the practice's review
// of the rules (internal/review): what a rule reads, what a hold asks.

var classWordsFR = map[string]string{
	ClassAntiplatelet: "un antiagrégant plaquettaire", ClassVKA: "une antivitamine K", ClassDOAC: "un anticoagulant oral direct",
	ClassHeparin: "une héparine", ClassFondaparinux: "du fondaparinux", ClassNSAID: "un anti-inflammatoire (AINS)",
	ClassCorticosteroid: "de la cortisone", ClassMetformin: "de la metformine", ClassAnalgesic: "un antalgique",
}

var classWordsEN = map[string]string{
	ClassAntiplatelet: "an antiplatelet drug", ClassVKA: "a vitamin K antagonist", ClassDOAC: "a direct oral anticoagulant",
	ClassHeparin: "a heparin", ClassFondaparinux: "fondaparinux", ClassNSAID: "an anti-inflammatory (NSAID)",
	ClassCorticosteroid: "cortisone", ClassMetformin: "metformin", ClassAnalgesic: "a painkiller",
}

// ClassWords names a drug class for staff ("une antivitamine K").
func ClassWords(class string) catalog.Text {
	return text(classWordsFR[class], classWordsEN[class])
}

// DescribeCond says a rule's condition in words: "Allergie au latex : oui".
func (s *Set) DescribeCond(c Cond) catalog.Text {
	switch {
	case c.Answer != "":
		return s.saidAnswer(c.Answer, c.Is)
	case c.Number != "" || c.Lab != "":
		name := text(c.Number, c.Number)
		if q, ok := s.Question(c.Number); ok {
			name = q.ShortLabel()
		}
		if l, ok := s.labs[c.Lab]; ok {
			name = l.Name
		}
		fr, en := name.In("fr"), name.In("en")
		if c.AtLeast != nil {
			fr, en = fr+" ≥ "+frNumber(*c.AtLeast), en+fmt.Sprintf(" ≥ %g", *c.AtLeast)
		}
		if c.Below != nil {
			fr, en = fr+" < "+frNumber(*c.Below), en+fmt.Sprintf(" < %g", *c.Below)
		}
		return text(fr, en)
	case len(c.Takes) > 0:
		var fr, en []string
		for _, cl := range c.Takes {
			fr, en = append(fr, classWordsFR[cl]), append(en, classWordsEN[cl])
		}
		return text("prend "+strings.Join(fr, " ou "), "takes "+strings.Join(en, " or "))
	case len(c.All) > 0, len(c.Any) > 0:
		subs, fr, en := c.All, " et ", " and "
		if len(c.Any) > 0 {
			subs, fr, en = c.Any, " ou ", " or "
		}
		var frs, ens []string
		for _, sub := range subs {
			d := s.DescribeCond(sub)
			frs, ens = append(frs, d.In("fr")), append(ens, d.In("en"))
		}
		return text("("+strings.Join(frs, fr)+")", "("+strings.Join(ens, en)+")")
	}
	return text("—", "—")
}

// DescribeHold says a hold in words: the stop, the renal bands, the restart.
func DescribeHold(hc *HoldClass) catalog.Text {
	var fr, en []string
	add := func(t catalog.Text) { fr, en = append(fr, t.In("fr")), append(en, t.In("en")) }
	switch {
	case hc.Stop.NoHold:
		add(text("pas d'arrêt", "no stop"))
	case hc.Stop.Review && len(hc.Message) > 0:
		add(hc.Message)
	default:
		add(holdMinGap(hc.Stop))
	}
	if hc.Renal != nil {
		for _, b := range hc.Renal.Bands {
			op, limit := "≥", 0.0
			if b.Over != nil {
				op, limit = ">", *b.Over
			} else {
				limit = *b.From
			}
			add(bilingual("clairance %s %s mL/min : %s", "clearance %s %g mL/min: %s", op, frNumber(limit), holdMinGap(b.Stop).In("fr"), op, limit, holdMinGap(b.Stop).In("en")))
		}
		last := hc.Renal.Bands[len(hc.Renal.Bands)-1].lower()
		add(bilingual("en dessous de %s mL/min : pas d'intervalle, le radiologue décide", "below %g mL/min: no interval, the radiologist decides", frNumber(last), last))
	}
	if r := hc.Restart; r != nil {
		if r.MaxHours > 0 {
			add(bilingual("reprise entre %d h et %d h après le geste", "restart between %d h and %d h after the act", r.MinHours, r.MaxHours, r.MinHours, r.MaxHours))
		} else {
			add(bilingual("reprise au plus tôt %d h après le geste", "restart no earlier than %d h after the act", r.MinHours, r.MinHours))
		}
	}
	if hc.AlwaysReview {
		add(text("le radiologue décide à chaque fois", "the radiologist decides every time"))
	}
	return text(strings.Join(fr, " ; "), strings.Join(en, "; "))
}

// DescribeThreshold says a lab limit in words.
func (s *Set) DescribeThreshold(t Threshold) catalog.Text {
	name := text(t.Lab, t.Lab)
	if l, ok := s.labs[t.Lab]; ok {
		name = l.Name
	}
	var fr, en []string
	if t.Max != nil {
		fr, en = append(fr, "au-dessus de "+frNumber(*t.Max)+" : contre-indiqué"), append(en, fmt.Sprintf("above %g: contraindicated", *t.Max))
		if t.ReviewUpTo != nil {
			fr[len(fr)-1] = fmt.Sprintf("de %s à %s : avis du radiologue ; au-dessus : contre-indiqué", frNumber(*t.Max), frNumber(*t.ReviewUpTo))
			en[len(en)-1] = fmt.Sprintf("from %g to %g: radiologist's opinion; above: contraindicated", *t.Max, *t.ReviewUpTo)
		}
	}
	if t.Min != nil {
		fr, en = append(fr, "sous "+frNumber(*t.Min)+" : contre-indiqué"), append(en, fmt.Sprintf("below %g: contraindicated", *t.Min))
	}
	return text(name.In("fr")+" — "+strings.Join(fr, " ; "), name.In("en")+" — "+strings.Join(en, "; "))
}

// LabName names a lab for staff.
func (s *Set) LabName(id string) catalog.Text {
	if l, ok := s.labs[id]; ok {
		return l.Name
	}
	return text(id, id)
}
