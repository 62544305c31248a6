package screening

import (
	"fmt"
	"strings"
	"time"

	"repere/internal/catalog"
)

// The wording the engine writes itself (findings it generates, hold advice).
// Clinical content stays in the data files; these sentences only put dates
// and names around it.

func msg(lang, fr, en string) string {
	if lang == "en" {
		return en
	}
	return fr
}

func text(fr, en string) catalog.Text { return catalog.Text{"fr": fr, "en": en} }

// bilingual formats a French and an English sentence: the first half of args
// fills fr, the second half en (the two orders of words may differ).
func bilingual(fr, en string, args ...any) catalog.Text {
	half := len(args) / 2
	frArgs, enArgs := args[:half], args[half:]
	return text(fmt.Sprintf(fr, frArgs...), fmt.Sprintf(en, enArgs...))
}

// frDay and enDay format a calendar day; frAt and enAt a day and time.
func frDay(t time.Time) string { return t.Format("02/01/2006") }
func enDay(t time.Time) string { return t.Format("2 Jan 2006") }
func frAt(t time.Time) string  { return t.Format("02/01/2006 à 15:04") }
func enAt(t time.Time) string  { return t.Format("2 Jan 2006 at 15:04") }

// frWhen and enWhen show a day alone when t is its midnight (a day-based hold).
func frWhen(t time.Time, loc *time.Location) string {
	if t = t.In(loc); t.Equal(dayOf(t, loc)) {
		return frDay(t)
	}
	return frAt(t)
}

func enWhen(t time.Time, loc *time.Location) string {
	if t = t.In(loc); t.Equal(dayOf(t, loc)) {
		return enDay(t)
	}
	return enAt(t)
}

// frNumber writes a number the French way (decimal comma).
func frNumber(x float64) string { return strings.ReplaceAll(fmt.Sprintf("%g", x), ".", ",") }

// stamp is the neutral form used in Reason.Answer.
func stamp(t time.Time) string { return t.Format("2006-01-02 15:04") }

// questionTexts are the sentences about one question that do not depend
// on the patient: shared by every verdict, never changed.
type questionTexts struct {
	missing, unknown      catalog.Text
	notAnswered, notValid catalog.Text
	said                  map[string]catalog.Text // by Yes, No, Unknown
}

func (s *Set) writeQuestionTexts() {
	s.texts = make(map[string]questionTexts, len(s.questions))
	for _, q := range s.questions {
		s.texts[q.ID] = newQuestionTexts(q)
	}
}

// textsOf returns q's sentences, written at load.
func (s *Set) textsOf(q Question) questionTexts {
	if t, ok := s.texts[q.ID]; ok {
		return t
	}
	return newQuestionTexts(q)
}

func newQuestionTexts(q Question) questionTexts {
	label := q.ShortLabel()
	t := questionTexts{
		missing: missingQuestionText(q), unknown: unknownAnswerText(q),
		notAnswered: bilingual("%s : sans réponse", "%s: not answered", label.In("fr"), label.In("en")),
		notValid:    bilingual("%s : réponse non valable", "%s: answer not valid", label.In("fr"), label.In("en")),
		said:        map[string]catalog.Text{},
	}
	for _, raw := range []string{Yes, No, Unknown} {
		t.said[raw] = saidAnswer(q, raw)
	}
	return t
}

func missingQuestionText(q Question) catalog.Text {
	return bilingual("Question obligatoire sans réponse : « %s »", "Mandatory question not answered: \"%s\"", q.Text.In("fr"), q.Text.In("en"))
}

func unknownAnswerText(q Question) catalog.Text {
	return bilingual("Réponse « je ne sais pas » à : « %s ». Le radiologue décide.", "Answered \"I don't know\" to: \"%s\". The radiologist decides.", q.Text.In("fr"), q.Text.In("en"))
}

func holdMinGap(stop Stop) catalog.Text {
	switch {
	case stop.Hours > 0:
		return bilingual("dernière prise au moins %d h avant le geste", "last dose at least %d h before the act", stop.Hours, stop.Hours)
	case stop.LastDoseDay != 0 && stop.LastDoseBefore != "":
		return bilingual("dernière prise le jour J%d avant %s", "last dose on day %d before %s", stop.LastDoseDay, stop.LastDoseBefore, stop.LastDoseDay, stop.LastDoseBefore)
	case stop.LastDoseDay != 0:
		return bilingual("dernière prise au plus tard le jour J%d (%d jours pleins sans le médicament avant le jour du geste)", "last dose on day %d at the latest (%d full days without the drug before the day of the act)", stop.LastDoseDay, -stop.LastDoseDay-1, stop.LastDoseDay, -stop.LastDoseDay-1)
	}
	return text("pas d'intervalle publié : le radiologue décide", "no published interval: the radiologist decides")
}

// holdAdvice writes the stop and restart advice of a computed hold.
func holdAdvice(h Hold, loc *time.Location) catalog.Text {
	fr, en := h.DrugName.In("fr")+" : ", h.DrugName.In("en")+": "
	switch {
	case h.LastDoseBy.IsZero():
		fr += h.MinGap.In("fr") + "."
		en += h.MinGap.In("en") + "."
	case h.DayOnly:
		fr += fmt.Sprintf("dernière prise au plus tard le %s.", frDay(h.LastDoseBy.In(loc)))
		en += fmt.Sprintf("last dose on %s at the latest.", enDay(h.LastDoseBy.In(loc)))
	default:
		fr += fmt.Sprintf("dernière prise au plus tard le %s.", frAt(h.LastDoseBy.In(loc)))
		en += fmt.Sprintf("last dose by %s at the latest.", enAt(h.LastDoseBy.In(loc)))
	}
	switch {
	case h.RestartMinHours == 0 && h.RestartMaxHours == 0 && h.RestartSource == "" && h.RestartFrom.IsZero():
		fr += " Reprise selon l'avis du médecin prescripteur."
		en += " Restart as agreed with the prescribing doctor."
	case h.RestartMaxHours > 0:
		fr += fmt.Sprintf(" Reprise entre %d h et %d h après la fin du geste", h.RestartMinHours, h.RestartMaxHours)
		en += fmt.Sprintf(" Restart between %d h and %d h after the end of the act", h.RestartMinHours, h.RestartMaxHours)
	default:
		fr += fmt.Sprintf(" Reprise au plus tôt %d h après la fin du geste", h.RestartMinHours)
		en += fmt.Sprintf(" Restart no earlier than %d h after the end of the act", h.RestartMinHours)
	}
	if h.RestartMinHours > 0 || h.RestartMaxHours > 0 || h.RestartSource != "" {
		switch {
		case !h.RestartFrom.IsZero() && !h.RestartUntil.IsZero():
			fr += fmt.Sprintf(", soit du %s au %s.", frAt(h.RestartFrom.In(loc)), frAt(h.RestartUntil.In(loc)))
			en += fmt.Sprintf(", that is from %s to %s.", enAt(h.RestartFrom.In(loc)), enAt(h.RestartUntil.In(loc)))
		case !h.RestartFrom.IsZero():
			fr += fmt.Sprintf(", soit à partir du %s.", frAt(h.RestartFrom.In(loc)))
			en += fmt.Sprintf(", that is from %s.", enAt(h.RestartFrom.In(loc)))
		default:
			fr += "."
			en += "."
		}
	}
	return text(fr, en)
}

func holdAlert(h Hold, lang string) string {
	name := h.DrugName.In(lang)
	switch {
	case !h.Respected:
		return msg(lang, name+" : arrêt non respecté", name+": hold not respected")
	case h.Review && h.LastDoseBy.IsZero():
		return msg(lang, name+" : arrêt à décider", name+": hold to be decided")
	case !h.LastDoseBy.IsZero():
		return msg(lang, name+" arrêté – dernière prise "+h.LastDoseBy.Format("02/01"), name+" stopped – last dose "+h.LastDoseBy.Format("02 Jan"))
	}
	return msg(lang, name+" à arrêter avant le geste", name+" to stop before the act")
}
