package screening

import (
	"fmt"
	"strings"

	"repere/internal/catalog"
)

// Rule-id prefixes and ids of the findings Evaluate itself produces.
const (
	RuleMissing        = "missing"        // + "." + question id, or ".treatments": incomplete
	RuleUnknownAnswer  = "unknown_answer" // + "." + question id: "I don't know" where the data asks a review
	RuleActNotScreened = "act_not_screened"
)

func missingRule(id string) string       { return RuleMissing + "." + id }
func unknownAnswerRule(id string) string { return RuleUnknownAnswer + "." + id }

// MissingTreatments is the Missing entry when the patient takes medicines but lists none.
const MissingTreatments = "treatments"

// Evaluate screens one referral for one act. It is pure and deterministic:
// call it again whenever an answer, a lab, the act or the appointment changes.
func (s *Set) Evaluate(in Input) Verdict {
	v := Verdict{Reasons: []Reason{}, Holds: []Hold{}, Missing: []string{}, Labs: []LabNeed{}}
	if in.Act == nil {
		v.Missing = append(v.Missing, "act")
		v.Reasons = append(v.Reasons, Reason{RuleID: missingRule("act"), Outcome: OutcomeIncomplete,
			Message: text("Aucun geste choisi.", "No act chosen."), Answer: "act not set", Source: "repere_default", Status: catalog.PracticeDefault})
		v.Status = Incomplete
		return v
	}
	if in.Now.IsZero() {
		in.Now = in.Appointment // a caller that forgot Now gets the most cautious reading it can
	}
	if !s.acts[in.Act.ID] {
		v.Reasons = append(v.Reasons, Reason{RuleID: RuleActNotScreened, Outcome: OutcomeReview,
			Message: text("Ce geste n'a pas de règles de dépistage : le radiologue vérifie lui-même les contre-indications.",
				"This act has no screening rules: the radiologist checks the contraindications."),
			Answer: in.Act.ID, Said: in.Act.Name, Source: "repere_default", Status: catalog.PracticeDefault})
	}
	s.evaluateQuestions(in, &v)
	s.evaluateRules(in, &v)
	heldDrugs := s.evaluateHolds(in, &v)
	judgedLabs := s.evaluateLabs(in, &v)
	s.evaluateClass(in, &v, heldDrugs || judgedLabs)
	neverClearUnconfirmed(&v)
	if c, ok := s.clearance(in); ok {
		v.Clearance = &c
	}
	v.Status = worst(v.Reasons)
	return v
}

// neverClearUnconfirmed applies the product's rule to every finding: a row
// not confirmed in a primary source, that the practice has not confirmed,
// never gives a clear verdict; its instruction asks the radiologist instead.
func neverClearUnconfirmed(v *Verdict) {
	for i := range v.Reasons {
		r := &v.Reasons[i]
		if r.Outcome != OutcomeInstruction || r.Status != catalog.NotConfirmed || r.Decided {
			continue
		}
		r.Outcome = OutcomeReview
		r.Message = bilingual("%s (Consigne non confirmée dans une source primaire : le radiologue la valide.)",
			"%s (Instruction not confirmed in a primary source: the radiologist validates it.)", r.Message.In("fr"), r.Message.In("en"))
	}
}

// evaluateClass reports the act's bleeding-risk class when the verdict used
// it (a treatment hold, a lab limit) and it is not settled: levels that do
// not say whether the strictest class applies, or a class by region (a
// cervical facet) not confirmed in a primary source nor by the practice.
func (s *Set) evaluateClass(in Input, v *Verdict, used bool) {
	if !used {
		return
	}
	class, region := in.class()
	key := ClassKeyOf(in.Act.ID, region)
	said := bilingual("Niveaux : %s", "Levels: %s", orDash(in.Levels), orDash(in.Levels))
	if in.Act.LevelsDecideClass(in.Levels) {
		v.Reasons = append(v.Reasons, Reason{RuleID: RuleBleedingClass + ".levels", Outcome: OutcomeReview,
			Message: bilingual("Niveaux non précisés : le risque de saignement de ce geste dépend du niveau ; le plus élevé (%s) est appliqué aux arrêts de traitement et aux seuils biologiques. Préciser les niveaux de la demande.",
				"Levels not given: this act's bleeding risk depends on the level; the highest (%s) is applied to the treatment holds and the lab limits. Give the levels on the referral.",
				classNameFR[class.Value], class.Value),
			Answer: "levels = " + in.Levels, Said: said, Source: "repere_default", Status: catalog.PracticeDefault})
	}
	if class.Status != catalog.NotConfirmed || in.Confirmed[key] {
		return
	}
	where, whereEN := "", ""
	if region != "" {
		where, whereEN = " au niveau "+regionFR[region], " at the "+region+" level"
	}
	v.Reasons = append(v.Reasons, Reason{RuleID: RuleBleedingClass, Outcome: OutcomeReview,
		Message: bilingual("Risque de saignement du geste%s : classe « %s » appliquée, non confirmée dans une source primaire. Les arrêts de traitement et les seuils biologiques en dépendent : le radiologue la valide.",
			"Bleeding risk of the act%s: class \"%s\" applied, not confirmed in a primary source. The treatment holds and lab limits depend on it: the radiologist validates it.",
			where, classNameFR[class.Value], whereEN, class.Value),
		Answer: "levels = " + in.Levels + ", class " + class.Value, Said: said, Source: class.Source, Status: class.Status, Row: key})
}

// RuleBleedingClass is the id of the findings on the act's bleeding-risk class.
const RuleBleedingClass = "bleeding_class"

var classNameFR = map[string]string{catalog.BleedingLow: "faible", catalog.BleedingIntermediate: "intermédiaire", catalog.BleedingHigh: "élevé"}

var regionFR = map[string]string{catalog.RegionCervical: "cervical", catalog.RegionThoracic: "dorsal", catalog.RegionLumbar: "lombaire", catalog.RegionSacral: "sacré"}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// evaluateQuestions lists unanswered, invalid and "unknown" mandatory answers.
func (s *Set) evaluateQuestions(in Input, v *Verdict) {
	act := in.Act.ID
	treatments := len(in.Answers.Treatments) > 0
	for _, q := range s.questions {
		if !q.askedFor(act) || !q.mandatoryFor(act) || !q.appliesTo(in.Patient) {
			continue
		}
		raw := in.value(q.ID)
		if q.ID == QuestionTakesMedicines && treatments && raw != No {
			continue // a listed treatment answers the question
		}
		switch {
		case raw == Unknown && q.IfUnknown == OutcomeReview:
			v.Reasons = append(v.Reasons, Reason{RuleID: unknownAnswerRule(q.ID), Outcome: OutcomeReview,
				Message: s.textsOf(q).unknown, Questions: []string{q.ID}, Answer: q.ID + " = unknown", Said: s.saidAnswer(q.ID, Unknown),
				Source: "repere_default", Status: catalog.PracticeDefault})
		case raw == "" || raw == Unknown || !validAnswer(in, q, raw):
			answer := q.ID + " not answered"
			said := s.textsOf(q).notAnswered
			if raw != "" {
				answer = fmt.Sprintf("%s = %q (not accepted)", q.ID, raw)
				said = s.textsOf(q).notValid
			}
			v.Missing = append(v.Missing, q.ID)
			v.Reasons = append(v.Reasons, Reason{RuleID: missingRule(q.ID), Outcome: OutcomeIncomplete,
				Message: s.textsOf(q).missing, Questions: []string{q.ID}, Answer: answer, Said: said,
				Source: "repere_default", Status: catalog.PracticeDefault})
		}
	}
	if in.value(QuestionTakesMedicines) == Yes && !treatments {
		v.Missing = append(v.Missing, MissingTreatments)
		v.Reasons = append(v.Reasons, Reason{RuleID: missingRule(MissingTreatments), Outcome: OutcomeIncomplete,
			Message: text("Le patient prend des médicaments mais aucun n'est indiqué : les lister avec la date de la dernière prise.",
				"The patient takes medicines but none is listed: list them with the date of the last dose."),
			Questions: []string{QuestionTakesMedicines}, Answer: QuestionTakesMedicines + " = yes, no treatment listed",
			Said:   text("Prend des médicaments : oui, aucun indiqué", "Takes medicines: yes, none listed"),
			Source: "repere_default", Status: catalog.PracticeDefault})
	}
}

func validAnswer(in Input, q Question, raw string) bool {
	switch q.Kind {
	case KindYesNo:
		return raw == Yes || raw == No
	case KindNumber:
		n, ok := in.number(q.ID)
		return ok && (q.Min == nil || n >= *q.Min) && (q.Max == nil || n <= *q.Max)
	}
	return true
}

func (s *Set) evaluateRules(in Input, v *Verdict) {
	for _, r := range s.rules {
		if !contains(r.Acts, in.Act.ID) {
			continue
		}
		// Most rules do not fire: judge without words first, and say what
		// made a rule true only for the ones that did.
		if s.eval(in, r.When, nil) != triTrue {
			continue
		}
		var tr trace
		s.eval(in, r.When, &tr)
		key := RuleKey(r.ID)
		v.Reasons = append(v.Reasons, Reason{RuleID: r.ID, Outcome: r.Outcome, Message: r.Message, Questions: tr.questions,
			Answer: strings.Join(tr.answers, "; "), Said: tr.said(), Source: r.Source, Status: r.Status, Alert: r.Alert, Row: key, Decided: in.Confirmed[key]})
	}
}

// tri is the value of a condition: an unanswered question makes it unknown.
type tri int

const (
	triFalse tri = iota
	triTrue
	triMaybe
)

// trace collects what made a condition true, for Reason.Questions, Answer
// and Said.
type trace struct {
	questions []string
	answers   []string
	fr, en    []string
}

func (t *trace) add(o trace) {
	t.questions = append(t.questions, o.questions...)
	t.answers = append(t.answers, o.answers...)
	t.fr = append(t.fr, o.fr...)
	t.en = append(t.en, o.en...)
}

func (t *trace) say(words catalog.Text) {
	t.fr = append(t.fr, words.In("fr"))
	t.en = append(t.en, words.In("en"))
}

func (t *trace) said() catalog.Text {
	return text(strings.Join(t.fr, " ; "), strings.Join(t.en, "; "))
}

// eval judges a condition and, when tr is not nil and it holds, adds to tr
// what made it true. A nil tr builds no text.
func (s *Set) eval(in Input, c Cond, tr *trace) tri {
	if tr == nil {
		return s.evalInto(in, c, nil)
	}
	var mine trace
	res := s.evalInto(in, c, &mine)
	if res == triTrue && tr != nil {
		tr.add(mine)
	}
	return res
}

func (s *Set) evalInto(in Input, c Cond, tr *trace) tri {
	switch {
	case c.Answer != "":
		raw := in.value(c.Answer)
		if raw != Yes && raw != No {
			return triMaybe
		}
		if tr != nil {
			tr.questions = append(tr.questions, c.Answer)
			tr.answers = append(tr.answers, c.Answer+" = "+raw)
			tr.say(s.saidAnswer(c.Answer, raw))
		}
		return boolTri(raw == c.Is)
	case c.Number != "":
		n, ok := in.number(c.Number)
		if !ok {
			return triMaybe
		}
		if tr != nil {
			tr.questions = append(tr.questions, c.Number)
			tr.answers = append(tr.answers, fmt.Sprintf("%s = %g", c.Number, n))
			tr.say(s.saidNumber(c.Number, n))
		}
		return boolTri(inRange(n, c))
	case c.Lab != "":
		r, ok := in.latestLab(c.Lab, s.labMaxAge(c.Lab))
		if !ok {
			return triMaybe
		}
		if tr != nil {
			tr.answers = append(tr.answers, fmt.Sprintf("%s = %g (%s)", c.Lab, r.Value, r.TakenOn.In(in.loc()).Format("2006-01-02")))
			tr.say(labSaid(s.labs[c.Lab], r, in.loc()))
		}
		return boolTri(inRange(r.Value, c))
	case len(c.Takes) > 0:
		found := triFalse
		for _, t := range in.Answers.Treatments {
			if d, ok := s.Drug(t.DrugID); ok && contains(c.Takes, d.Class) {
				found = triTrue
				if tr == nil {
					break
				}
				tr.answers = append(tr.answers, "takes "+d.ID+" ("+d.Class+")")
				tr.say(bilingual("Traitement : %s", "Treatment: %s", d.displayName("fr"), d.displayName("en")))
			}
		}
		if found == triTrue && tr != nil {
			tr.questions = append(tr.questions, QuestionTakesMedicines)
		}
		return found
	case len(c.All) > 0:
		res := triTrue
		for _, sub := range c.All {
			switch s.eval(in, sub, tr) {
			case triFalse:
				return triFalse
			case triMaybe:
				res = triMaybe
			}
		}
		return res
	case len(c.Any) > 0:
		res := triFalse
		for _, sub := range c.Any {
			switch s.eval(in, sub, tr) {
			case triTrue:
				res = triTrue
			case triMaybe:
				if res == triFalse {
					res = triMaybe
				}
			}
		}
		return res
	}
	return triMaybe
}

func inRange(x float64, c Cond) bool {
	return (c.AtLeast == nil || x >= *c.AtLeast) && (c.Below == nil || x < *c.Below)
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// saidAnswer is a yes/no answer in words: "Allergie au latex : oui".
func (s *Set) saidAnswer(id, raw string) catalog.Text {
	if said, ok := s.texts[id].said[raw]; ok {
		return said
	}
	q, _ := s.Question(id)
	return saidAnswer(q, raw)
}

func saidAnswer(q Question, raw string) catalog.Text {
	label := q.ShortLabel()
	fr, en := map[string]string{Yes: "oui", No: "non", Unknown: "ne sait pas"}[raw], map[string]string{Yes: "yes", No: "no", Unknown: "does not know"}[raw]
	return bilingual("%s : %s", "%s: %s", label.In("fr"), fr, label.In("en"), en)
}

// saidNumber is a number answer in words: "Poids : 72,5 kg".
func (s *Set) saidNumber(id string, n float64) catalog.Text {
	q, _ := s.Question(id)
	unit := ""
	if q.Unit != "" {
		unit = " " + q.Unit
	}
	return bilingual("%s : %s%s", "%s: %g%s", q.ShortLabel().In("fr"), frNumber(n), unit, q.ShortLabel().In("en"), n, unit)
}
