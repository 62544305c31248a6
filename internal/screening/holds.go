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

// evaluateHolds computes the holds of every listed treatment; it reports
// whether a hold row of the act's class was applied.
func (s *Set) evaluateHolds(in Input, v *Verdict) (applied bool) {
	cls, _ := in.class()
	class := cls.Value
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
			applied = true
			s.holdOne(in, v, d, t, rowID, class, hc)
		}
	}
	if len(unknown) > 0 {
		v.Reasons = append(v.Reasons, Reason{
			RuleID: RuleUnknownDrug, Outcome: OutcomeReview,
			Message: text("Médicament hors de la liste : le radiologue vérifie s'il faut l'arrêter avant le geste.",
				"Medicine not in the list: the radiologist checks whether it must be stopped before the act."),
			Questions: []string{QuestionTakesMedicines}, Answer: joinNames(unknown),
			Said:   bilingual("Médicament hors liste : %s", "Medicine not in the list: %s", joinNames(unknown), joinNames(unknown)),
			Source: "repere_default", Status: catalog.PracticeDefault,
		})
	}
	return applied
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

func (s *Set) holdOne(in Input, v *Verdict, d Drug, t Treatment, rowID, class string, hc *HoldClass) {
	loc := in.loc()
	suffix := holdSuffix(d.ID, rowID)
	answer := d.ID
	said := bilingual("%s, toujours pris", "%s, still taken", d.displayName("fr"), d.displayName("en"))
	if !t.LastDose.IsZero() {
		answer += ", last dose " + stamp(t.LastDose.In(loc))
		said = bilingual("%s, dernière prise le %s", "%s, last dose on %s", d.displayName("fr"), frAt(t.LastDose.In(loc)), d.displayName("en"), enAt(t.LastDose.In(loc)))
	} else {
		answer += ", still taken"
	}
	key := HoldKey(rowID, class)
	decided := in.Confirmed[key]
	// A row (or its restart) not confirmed in a primary source, that the
	// practice has not confirmed either, never gives a clear verdict.
	unconfirmed := !decided && (hc.Status == catalog.NotConfirmed || (hc.Restart != nil && hc.Restart.Status == catalog.NotConfirmed))
	base := Reason{RuleID: RuleHold + "." + suffix, Questions: []string{QuestionTakesMedicines}, Answer: answer, Said: said,
		Source: hc.Source, Status: hc.Status, Row: key, Decided: decided, Also: hc.Also}
	if hc.Stop.NoHold {
		base.Outcome = OutcomeInstruction
		base.Message = bilingual("%s : à poursuivre, pas d'arrêt pour ce geste.", "%s: continue, no stop for this act.", d.displayName("fr"), d.displayName("en"))
		if unconfirmed {
			base.Outcome = OutcomeReview
			base.Message = bilingual("%s : à poursuivre, pas d'arrêt pour ce geste. Règle non confirmée dans une source primaire : le radiologue la valide.",
				"%s: continue, no stop for this act. Rule not confirmed in a primary source: the radiologist validates it.", d.displayName("fr"), d.displayName("en"))
		}
		v.Reasons = append(v.Reasons, base)
		return
	}
	stop, review, why := s.renalStop(in, hc)
	h := Hold{DrugID: d.ID, Row: rowID, DrugName: d.shortName(), LastDose: t.LastDose, Source: hc.Source, Status: hc.Status, Note: why, Respected: true, Decided: decided}
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
	if hc.AlwaysReview {
		base.Outcome = OutcomeReview
		base.Message = bilingual("%s %s", "%s %s", h.Advice.In("fr"), hc.Message.In("fr"), h.Advice.In("en"), hc.Message.In("en"))
	} else if h.Review || unconfirmed {
		// No interval, or an interval we could not confirm in a primary
		// source: the dates are shown, the radiologist validates them.
		base.Outcome = OutcomeReview
		if stop.Review && len(hc.Message) > 0 {
			base.Message = hc.Message
		} else if why != "" {
			base.Message = bilingual("%s %s", "%s %s", h.Advice.In("fr"), renalWhyFR[why], h.Advice.In("en"), renalWhyEN[why])
		} else if unconfirmed {
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
			Questions: base.Questions, Answer: answer, Said: said, Source: hc.Source, Status: hc.Status, Row: key, Decided: decided,
		})
	}
	if h.EarliestAct.After(v.EarliestAct) {
		v.EarliestAct = h.EarliestAct
	}
}

var renalWhyFR = map[string]string{
	"renal_missing": "Fonction rénale inconnue (créatinine récente, poids, âge et sexe donnent la clairance) : l'intervalle le plus long est appliqué ; le radiologue vérifie.",
	"egfr_for_crcl": "La recommandation se lit en clairance de la créatinine, qui ne peut pas être calculée (créatinine, poids, âge ou sexe manquant) : le DFG est pris à sa place ; le radiologue vérifie.",
	"renal_low":     "Clairance sous le seuil de la recommandation : pas d'intervalle publié, le radiologue décide.",
}

var renalWhyEN = map[string]string{
	"renal_missing": "Kidney function unknown (a recent creatinine, the weight, age and sex give the clearance): the longest interval is applied; the radiologist checks.",
	"egfr_for_crcl": "The guideline reads in creatinine clearance, which cannot be computed (creatinine, weight, age or sex missing): the eGFR stands in for it; the radiologist checks.",
	"renal_low":     "Clearance below the guideline's threshold: no published interval, the radiologist decides.",
}

// renalStop picks the stop rule for the patient's renal function: the
// creatinine clearance (Cockcroft-Gault) when it can be computed, otherwise
// a recent eGFR in its place. review is true when the interval could not be
// chosen from a computed clearance.
func (s *Set) renalStop(in Input, hc *HoldClass) (stop Stop, review bool, why string) {
	if hc.Renal == nil {
		return hc.Stop, false, ""
	}
	measure, have := 0.0, false
	if c, ok := s.clearance(in); ok {
		measure, have = c.MLPerMin, true
	} else if !s.egfrNeeded(in, hc.Renal) {
		return hc.Stop, false, "" // kidneys declared fine and no clearance to read
	} else if egfr, ok := in.latestLab(LabEGFR, s.labMaxAge(LabEGFR)); ok {
		measure, have, review, why = egfr.Value, true, true, "egfr_for_crcl"
	}
	bands := hc.Renal.Bands
	if !have {
		return bands[len(bands)-1].Stop, true, "renal_missing"
	}
	for _, b := range bands {
		if b.matches(measure) {
			return b.Stop, review, why
		}
	}
	return Stop{Review: true}, true, "renal_low"
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
