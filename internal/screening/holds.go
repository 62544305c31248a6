package screening

import (
	"fmt"
	"time"

	"repere/internal/catalog"
)

// Rule ids of the findings the hold engine produces ("<prefix>.<suffix>").
const (
	RuleHold             = "hold"               // stop/restart instruction, or review when no interval
	RuleHoldNotRespected = "hold_not_respected" // booked before the hold allows
	RuleUnknownDrug      = "unknown_drug"
)

// holdSuffix names one hold of one drug: the drug id, plus the row for a
// combination pill whose row is not the drug itself.
func holdSuffix(drug, row string) string {
	if drug == row {
		return drug
	}
	return drug + "." + row
}

// evaluateHolds computes the holds of every listed treatment.
func (s *Set) evaluateHolds(in Input, v *Verdict) {
	class := in.Act.BleedingRisk.Value
	var unknown []string
	for _, t := range in.Answers.Treatments {
		d, ok := s.Drug(t.DrugID)
		if !ok {
			name := t.OtherName
			if name == "" {
				name = t.DrugID
			}
			if name == "" {
				name = "?"
			}
			unknown = append(unknown, name)
			continue
		}
		for _, rowID := range d.Holds {
			row := s.holds[rowID]
			hc := row.forClass(class)
			if hc == nil {
				continue // validation guarantees the three classes
			}
			s.holdOne(in, v, d, t, rowID, hc)
		}
	}
	if len(unknown) > 0 {
		v.Reasons = append(v.Reasons, Reason{
			RuleID: RuleUnknownDrug, Outcome: OutcomeReview,
			Message: text("Médicament hors de la liste : le radiologue vérifie s'il faut l'arrêter avant le geste.",
				"Medicine not in the list: the radiologist checks whether it must be stopped before the act."),
			Questions: []string{QuestionTakesMedicines}, Answer: joinNames(unknown),
			Source: "repere_default", Status: catalog.PracticeDefault,
		})
	}
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func (s *Set) holdOne(in Input, v *Verdict, d Drug, t Treatment, rowID string, hc *HoldClass) {
	loc := in.loc()
	suffix := holdSuffix(d.ID, rowID)
	answer := d.ID
	if !t.LastDose.IsZero() {
		answer += ", last dose " + stamp(t.LastDose.In(loc))
	} else {
		answer += ", still taken"
	}
	base := Reason{RuleID: RuleHold + "." + suffix, Questions: []string{QuestionTakesMedicines}, Answer: answer, Source: hc.Source, Status: hc.Status}
	if hc.Stop.NoHold {
		base.Outcome = OutcomeInstruction
		base.Message = bilingual("%s : à poursuivre, pas d'arrêt pour ce geste.", "%s: continue, no stop for this act.", d.displayName("fr"), d.displayName("en"))
		v.Reasons = append(v.Reasons, base)
		return
	}
	stop, review, why := s.renalStop(in, hc)
	h := Hold{DrugID: d.ID, Row: rowID, DrugName: d.shortName(), LastDose: t.LastDose, Source: hc.Source, Status: hc.Status, Note: why, Respected: true}
	if review {
		h.Review = true
	}
	if hc.Restart != nil {
		h.RestartMinHours, h.RestartMaxHours = hc.Restart.MinHours, hc.Restart.MaxHours
		h.RestartSource, h.RestartStatus = hc.Restart.Source, hc.Restart.Status
		if h.RestartSource == "" {
			h.RestartSource, h.RestartStatus = hc.Source, hc.Status
		}
	}
	h.MinGap = holdMinGap(stop)
	if !stop.Review {
		h.GapHours, h.LastDoseDay, h.LastDoseBefore = stop.Hours, stop.LastDoseDay, stop.LastDoseBefore
		lastDose := t.LastDose
		if lastDose.IsZero() {
			lastDose = in.Now // still taken: the earliest last dose is now
		}
		h.EarliestAct = earliestAct(stop, lastDose, loc)
		if !in.Appointment.IsZero() {
			h.LastDoseBy, h.DayOnly = lastDoseBy(stop, in.Appointment, loc)
			h.Respected = !in.Appointment.Before(h.EarliestAct)
		}
	} else {
		h.Review = true
	}
	if !in.Appointment.IsZero() && (hc.Restart != nil) {
		end := in.actEnd()
		h.RestartFrom = end.Add(time.Duration(h.RestartMinHours) * time.Hour).In(loc)
		if h.RestartMaxHours > 0 {
			h.RestartUntil = end.Add(time.Duration(h.RestartMaxHours) * time.Hour).In(loc)
		}
	}
	h.Advice = holdAdvice(h, loc)
	v.Holds = append(v.Holds, h)

	base.Outcome = OutcomeInstruction
	base.Message = h.Advice
	if h.Review || hc.Status == catalog.NotConfirmed || h.RestartStatus == catalog.NotConfirmed {
		// No interval, or an interval we could not confirm in a primary
		// source: the dates are shown, the radiologist validates them.
		base.Outcome = OutcomeReview
		if stop.Review && len(hc.Message) > 0 {
			base.Message = hc.Message
		} else if why != "" {
			base.Message = bilingual("%s %s", "%s %s", h.Advice.In("fr"), renalWhyFR[why], h.Advice.In("en"), renalWhyEN[why])
		} else if hc.Status == catalog.NotConfirmed || h.RestartStatus == catalog.NotConfirmed {
			base.Message = bilingual("%s Intervalle non confirmé dans une source primaire : le radiologue le valide.", "%s Interval not confirmed in a primary source: the radiologist validates it.", h.Advice.In("fr"), h.Advice.In("en"))
		}
	}
	v.Reasons = append(v.Reasons, base)
	if !h.Respected {
		v.Reasons = append(v.Reasons, Reason{
			RuleID: RuleHoldNotRespected + "." + suffix, Outcome: OutcomeContraindicated,
			Message: bilingual("%s : l'arrêt n'est pas respecté pour un geste le %s (possible à partir du %s). Déplacer le geste, ou le radiologue décide.",
				"%s: the hold is not respected for an act on %s (possible from %s). Move the act, or the radiologist decides.",
				d.displayName("fr"), frAt(in.Appointment.In(loc)), frWhen(h.EarliestAct, loc), d.displayName("en"), enAt(in.Appointment.In(loc)), enWhen(h.EarliestAct, loc)),
			Questions: base.Questions, Answer: answer, Source: hc.Source, Status: hc.Status,
		})
	}
	if h.EarliestAct.After(v.EarliestAct) {
		v.EarliestAct = h.EarliestAct
	}
}

var renalWhyFR = map[string]string{
	"egfr_missing": "DFG récent manquant : l'intervalle le plus long est appliqué ; le radiologue vérifie.",
	"egfr_low":     "DFG sous le seuil de la recommandation : pas d'intervalle publié, le radiologue décide.",
}

var renalWhyEN = map[string]string{
	"egfr_missing": "Recent eGFR missing: the longest interval is applied; the radiologist checks.",
	"egfr_low":     "eGFR below the guideline's threshold: no published interval, the radiologist decides.",
}

// renalStop picks the stop rule for the patient's renal function. review is
// true when the interval could not be chosen from a recent eGFR.
func (s *Set) renalStop(in Input, hc *HoldClass) (stop Stop, review bool, why string) {
	if hc.Renal == nil {
		return hc.Stop, false, ""
	}
	egfr, have := in.latestLab(LabEGFR, s.labMaxAge(LabEGFR))
	if !have && !s.egfrNeeded(in, hc.Renal) {
		return hc.Stop, false, ""
	}
	bands := hc.Renal.Bands
	if !have {
		return bands[len(bands)-1].Stop, true, "egfr_missing"
	}
	for _, b := range bands {
		if b.matches(egfr.Value) {
			return b.Stop, false, ""
		}
	}
	return Stop{Review: true}, true, "egfr_low"
}

func (s *Set) egfrNeeded(in Input, r *Renal) bool {
	if r.EGFRNeeded == "always" {
		return true
	}
	v := in.value(QuestionRenalFailure)
	return v != No // declared, unknown or unanswered
}

func (s *Set) labMaxAge(id string) int {
	if l, ok := s.labs[id]; ok {
		return l.MaxAgeDays
	}
	return defaultLabMaxAge
}

// earliestAct is the earliest act start allowed after a last dose at lastDose.
// Hours are elapsed time (a daylight-saving change does not shorten them);
// days are calendar days in loc, the act allowed from midnight.
func earliestAct(stop Stop, lastDose time.Time, loc *time.Location) time.Time {
	if stop.Hours > 0 {
		return lastDose.Add(time.Duration(stop.Hours) * time.Hour).In(loc)
	}
	day := dayOf(lastDose, loc)
	if stop.LastDoseBefore != "" {
		if lastDose.After(clockOn(day, stop.LastDoseBefore, loc)) {
			day = day.AddDate(0, 0, 1) // too late in the day: it counts as the next day's dose
		}
	}
	return day.AddDate(0, 0, -stop.LastDoseDay)
}

// lastDoseBy is the latest allowed last dose for an act at appointment.
func lastDoseBy(stop Stop, appointment time.Time, loc *time.Location) (time.Time, bool) {
	if stop.Hours > 0 {
		return appointment.Add(-time.Duration(stop.Hours) * time.Hour).In(loc), false
	}
	day := dayOf(appointment, loc).AddDate(0, 0, stop.LastDoseDay)
	if stop.LastDoseBefore != "" {
		return clockOn(day, stop.LastDoseBefore, loc), false
	}
	return day.AddDate(0, 0, 1).Add(-time.Second), true
}

func clockOn(day time.Time, hhmm string, loc *time.Location) time.Time {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
}

func (d Drug) displayName(lang string) string { return d.shortName().In(lang) }

func (d Drug) shortName() catalog.Text {
	if len(d.Short) > 0 {
		return d.Short
	}
	return d.Name
}
