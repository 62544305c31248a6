package checklist

import (
	"fmt"
	"strings"
	"time"

	"repere/internal/catalog"
	"repere/internal/screening"
)

// suggest pre-fills an item from the facts. It proposes "ok" only from a
// record the system holds (a signature, a recorded check, results in range);
// what only the patient can tell (fasting, last doses taken, pregnancy) gets
// the information to ask about, never an "ok".
func suggest(it Item, f Facts) Suggestion {
	loc := f.loc()
	switch it.Auto {
	case AutoIdentity:
		if !f.IdentityChecked {
			return Suggestion{Why: text("Identité pas encore vérifiée à l'accueil.", "Identity not yet checked at check-in.")}
		}
		return Suggestion{State: StateOK, Why: signed("Identité vérifiée à l'accueil", "Identity checked at check-in", f.IdentityCheckedAt, f.IdentityCheckedBy, loc)}
	case AutoConsent:
		if !f.ConsentSigned {
			return Suggestion{State: StateNotOK, Why: text("Aucun consentement signé au dossier.", "No signed consent in the record.")}
		}
		return Suggestion{State: StateOK, Why: signed("Consentement signé", "Consent signed", f.ConsentSignedAt, "", loc)}
	case AutoScreening:
		return suggestScreening(f, loc)
	case AutoFasting:
		return Suggestion{Why: fastingWhy(f.Act, f.Appointment, loc)}
	case AutoHolds:
		return suggestHolds(f.Verdict.Holds, loc)
	case AutoLabs:
		return suggestLabs(f.Verdict, loc)
	case AutoAllergies:
		return suggestAllergies(f)
	case AutoPregnancy:
		if f.Verdict.HasReason("pregnancy") {
			return Suggestion{State: StateNotOK, Why: text("Grossesse possible déclarée au questionnaire : avis du radiologue.", "Possible pregnancy declared in the questionnaire: radiologist's opinion.")}
		}
		return Suggestion{Why: text("Redemander au patient le jour même.", "Ask the patient again on the day.")}
	}
	return Suggestion{}
}

func suggestScreening(f Facts, loc *time.Location) Suggestion {
	if !f.ScreeningSigned {
		return Suggestion{State: StateNotOK, Why: text("Questionnaire pas encore validé par le radiologue.", "Questionnaire not yet validated by the radiologist.")}
	}
	if f.Verdict.Status == screening.Contraindicated || f.Verdict.Status == screening.Incomplete {
		return Suggestion{State: StateNotOK, Why: text(
			"Validé, mais le résultat reste « "+statusName(f.Verdict.Status, "fr")+" » : voir le questionnaire.",
			"Validated, but the result is still \""+statusName(f.Verdict.Status, "en")+"\": see the questionnaire.")}
	}
	return Suggestion{State: StateOK, Why: signed("Questionnaire validé par le radiologue", "Questionnaire validated by the radiologist", f.ScreeningSignedAt, "", loc)}
}

func statusName(s screening.Status, lang string) string {
	names := map[screening.Status][2]string{
		screening.Contraindicated: {"contre-indiqué", "contraindicated"},
		screening.Incomplete:      {"incomplet", "incomplete"},
		screening.Review:          {"à revoir", "to review"},
		screening.Clear:           {"sans réserve", "clear"},
	}
	if lang == "en" {
		return names[s][1]
	}
	return names[s][0]
}

// fastingWhy gives the time from which the patient must have fasted.
func fastingWhy(act *catalog.Act, appointment time.Time, loc *time.Location) catalog.Text {
	if act == nil {
		return nil
	}
	if appointment.IsZero() {
		return text("Heure du geste inconnue : vérifier la consigne de jeûne de la convocation.", "Time of the act unknown: check the fasting instruction of the appointment letter.")
	}
	at := appointment.In(loc)
	switch act.Fasting.Mode {
	case catalog.FastingFromMidnight:
		return text("À jeun depuis minuit (geste à "+clockFR(at)+").", "Fasting since midnight (act at "+at.Format("15:04")+").")
	case catalog.FastingHours, catalog.FastingWithPremedOnly:
		from := appointment.Add(-time.Duration(act.Fasting.Hours) * time.Hour).In(loc)
		fr := fmt.Sprintf("À jeun depuis %s au plus tard (%d h avant le geste de %s).", clockFR(from), act.Fasting.Hours, clockFR(at))
		en := fmt.Sprintf("Fasting since %s at the latest (%d h before the act at %s).", from.Format("15:04"), act.Fasting.Hours, at.Format("15:04"))
		if act.Fasting.Mode == catalog.FastingWithPremedOnly {
			fr = "Seulement si une prémédication est prévue. " + fr
			en = "Only if a premedication is planned. " + en
		}
		return text(fr, en)
	}
	return nil
}

func suggestHolds(holds []screening.Hold, loc *time.Location) Suggestion {
	if len(holds) == 0 {
		return Suggestion{}
	}
	var fr, en []string
	state := StateOK
	for _, h := range holds {
		name := h.DrugName.In("fr")
		nameEN := h.DrugName.In("en")
		switch {
		case !h.Respected:
			state = StateNotOK
			fr = append(fr, name+" : arrêt trop tardif pour la date du geste")
			en = append(en, nameEN+": stopped too late for the date of the act")
		case h.Review || h.LastDoseBy.IsZero():
			if state == StateOK {
				state = ""
			}
			fr = append(fr, name+" : délai décidé par le radiologue")
			en = append(en, nameEN+": interval decided by the radiologist")
		default:
			fr = append(fr, name+" : dernière prise au plus tard le "+when(h.LastDoseBy, loc, "fr", !h.DayOnly))
			en = append(en, nameEN+": last dose on "+when(h.LastDoseBy, loc, "en", !h.DayOnly)+" at the latest")
		}
	}
	// Whether the patient really stopped is only known by asking: a
	// respected schedule is shown, never checked for them.
	if state == StateOK {
		state = ""
	}
	return Suggestion{State: state, Why: text(strings.Join(fr, " ; ")+".", strings.Join(en, "; ")+".")}
}

func suggestLabs(v screening.Verdict, loc *time.Location) Suggestion {
	if len(v.Labs) == 0 {
		return Suggestion{}
	}
	var fr, en []string
	state := StateOK
	for _, n := range v.Labs {
		if n.Have == nil {
			state = StateNotOK
			fr = append(fr, n.Names.In("fr")+" : résultat manquant")
			en = append(en, n.Names.In("en")+": result missing")
			continue
		}
		fr = append(fr, fmt.Sprintf("%s %s (%s)", n.HaveName.In("fr"), strings.ReplaceAll(fmt.Sprintf("%g", n.Have.Value), ".", ","), when(n.Have.TakenOn, loc, "fr", false)))
		en = append(en, fmt.Sprintf("%s %g (%s)", n.HaveName.In("en"), n.Have.Value, when(n.Have.TakenOn, loc, "en", false)))
	}
	for _, r := range v.Reasons {
		if !strings.HasPrefix(r.RuleID, screening.RuleLab+".") || strings.HasSuffix(r.RuleID, ".limit") {
			continue
		}
		if r.Overridden {
			fr = append(fr, "hors limite accepté par le radiologue : "+r.Said.In("fr"))
			en = append(en, "out of range, accepted by the radiologist: "+r.Said.In("en"))
			continue
		}
		state = StateNotOK
		fr = append(fr, "hors limite : "+r.Said.In("fr"))
		en = append(en, "out of range: "+r.Said.In("en"))
	}
	return Suggestion{State: state, Why: text(strings.Join(fr, " ; ")+".", strings.Join(en, "; ")+".")}
}

// suggestAllergies lists what the screening found about allergies; the
// patient is always asked again, so the state stays for a person to set.
func suggestAllergies(f Facts) Suggestion {
	var fr, en []string
	for _, r := range f.Verdict.Reasons {
		if !asksAllergy(r) {
			continue
		}
		if len(r.Alert) > 0 {
			fr, en = append(fr, r.Alert.In("fr")), append(en, r.Alert.In("en"))
		} else {
			fr, en = append(fr, r.Message.In("fr")), append(en, r.Message.In("en"))
		}
	}
	why := text("Aucune allergie déclarée au questionnaire.", "No allergy declared in the questionnaire.")
	if len(fr) > 0 {
		why = text("Déclaré au questionnaire : "+strings.Join(fr, " ; ")+".", "Declared in the questionnaire: "+strings.Join(en, "; ")+".")
	}
	if p := strings.TrimSpace(f.Premedication); p != "" {
		why["fr"] += " Prémédication prescrite : " + p + "."
		why["en"] += " Premedication prescribed: " + p + "."
	}
	return Suggestion{Why: why}
}

func asksAllergy(r screening.Reason) bool {
	for _, q := range r.Questions {
		if strings.HasPrefix(q, "allergy") {
			return true
		}
	}
	return false
}

func signed(fr, en string, at time.Time, by string, loc *time.Location) catalog.Text {
	if !at.IsZero() {
		fr, en = fr+" le "+when(at, loc, "fr", true), en+" on "+when(at, loc, "en", true)
	}
	if by != "" {
		fr, en = fr+" par "+by, en+" by "+by
	}
	return text(fr+".", en+".")
}

// when formats a day (and time) the way each language reads it, as the
// pages do around it: 24/11 10 h 02, 24 Nov 10:02.
func when(t time.Time, loc *time.Location, lang string, withTime bool) string {
	t = t.In(loc)
	if lang == "en" {
		if withTime {
			return t.Format("2 Jan 15:04")
		}
		return t.Format("2 Jan")
	}
	if withTime {
		return t.Format("02/01") + " " + clockFR(t)
	}
	return t.Format("02/01")
}

// clockFR writes a time the French way of the pages and letters: 9 h 05.
func clockFR(t time.Time) string { return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute()) }

func text(fr, en string) catalog.Text { return catalog.Text{"fr": fr, "en": en} }

var defaultLoc = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func (f Facts) loc() *time.Location {
	if f.Loc != nil {
		return f.Loc
	}
	return defaultLoc
}
