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
			Answer: in.Act.ID, Source: "repere_default", Status: catalog.PracticeDefault})
	}
	s.evaluateQuestions(in, &v)
	s.evaluateRules(in, &v)
	s.evaluateHolds(in, &v)
	s.evaluateLabs(in, &v)
	v.Status = worst(v.Reasons)
	return v
}

// evaluateQuestions lists unanswered, invalid and "unknown" mandatory answers.
func (s *Set) evaluateQuestions(in Input, v *Verdict) {
	act := in.Act.ID
	treatments := len(in.Answers.Treatments) > 0
	for _, q := range s.questions {
		if !q.askedFor(act) || !q.mandatoryFor(act) {
			continue
		}
		raw := in.value(q.ID)
		if q.ID == QuestionTakesMedicines && treatments && raw != No {
			continue // a listed treatment answers the question
		}
		switch {
		case raw == Unknown && q.IfUnknown == OutcomeReview:
			v.Reasons = append(v.Reasons, Reason{RuleID: unknownAnswerRule(q.ID), Outcome: OutcomeReview,
				Message: unknownAnswerText(q), Questions: []string{q.ID}, Answer: q.ID + " = unknown",
				Source: "repere_default", Status: catalog.PracticeDefault})
		case raw == "" || raw == Unknown || !validAnswer(in, q, raw):
			answer := q.ID + " not answered"
			if raw != "" {
				answer = fmt.Sprintf("%s = %q (not accepted)", q.ID, raw)
			}
			v.Missing = append(v.Missing, q.ID)
			v.Reasons = append(v.Reasons, Reason{RuleID: missingRule(q.ID), Outcome: OutcomeIncomplete,
				Message: missingQuestionText(q), Questions: []string{q.ID}, Answer: answer,
				Source: "repere_default", Status: catalog.PracticeDefault})
		}
	}
	if in.value(QuestionTakesMedicines) == Yes && !treatments {
		v.Missing = append(v.Missing, MissingTreatments)
		v.Reasons = append(v.Reasons, Reason{RuleID: missingRule(MissingTreatments), Outcome: OutcomeIncomplete,
			Message: text("Le patient prend des médicaments mais aucun n'est indiqué : les lister avec la date de la dernière prise.",
				"The patient takes medicines but none is listed: list them with the date of the last dose."),
			Questions: []string{QuestionTakesMedicines}, Answer: QuestionTakesMedicines + " = yes, no treatment listed",
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
		var tr trace
		if s.eval(in, r.When, &tr) != triTrue {
			continue
		}
		v.Reasons = append(v.Reasons, Reason{RuleID: r.ID, Outcome: r.Outcome, Message: r.Message, Questions: tr.questions,
			Answer: strings.Join(tr.answers, "; "), Source: r.Source, Status: r.Status, Alert: r.Alert})
	}
}

// tri is the value of a condition: an unanswered question makes it unknown.
type tri int

const (
	triFalse tri = iota
	triTrue
	triMaybe
)

// trace collects what made a condition true, for Reason.Questions and Answer.
type trace struct {
	questions []string
	answers   []string
}

func (t *trace) add(o trace) {
	t.questions = append(t.questions, o.questions...)
	t.answers = append(t.answers, o.answers...)
}

func (s *Set) eval(in Input, c Cond, tr *trace) tri {
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
		tr.questions = append(tr.questions, c.Answer)
		tr.answers = append(tr.answers, c.Answer+" = "+raw)
		return boolTri(raw == c.Is)
	case c.Number != "":
		n, ok := in.number(c.Number)
		if !ok {
			return triMaybe
		}
		tr.questions = append(tr.questions, c.Number)
		tr.answers = append(tr.answers, fmt.Sprintf("%s = %g", c.Number, n))
		return boolTri(inRange(n, c))
	case c.Lab != "":
		r, ok := in.latestLab(c.Lab, s.labMaxAge(c.Lab))
		if !ok {
			return triMaybe
		}
		tr.answers = append(tr.answers, fmt.Sprintf("%s = %g (%s)", c.Lab, r.Value, r.TakenOn.In(in.loc()).Format("2006-01-02")))
		return boolTri(inRange(r.Value, c))
	case len(c.Takes) > 0:
		found := triFalse
		for _, t := range in.Answers.Treatments {
			if d, ok := s.Drug(t.DrugID); ok && contains(c.Takes, d.Class) {
				found = triTrue
				tr.answers = append(tr.answers, "takes "+d.ID+" ("+d.Class+")")
			}
		}
		if found == triTrue {
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
