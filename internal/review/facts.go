package review

import (
	"fmt"

	"repere/internal/catalog"
	"repere/internal/screening"
)

// The act's facts as the catalogue holds them (its billing codes and
// tariffs are reviewed with the cost estimate, not here).

var classFR = map[string]string{catalog.BleedingLow: "faible", catalog.BleedingIntermediate: "intermédiaire", catalog.BleedingHigh: "élevé"}

var regionFR = map[string]string{catalog.RegionCervical: "cervical", catalog.RegionThoracic: "dorsal", catalog.RegionLumbar: "lombaire", catalog.RegionSacral: "sacré"}

func actKey(act *catalog.Act, parts ...string) string {
	k := "act:" + act.ID
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func (d Data) actRows(a *catalog.Act) []Row {
	var rows []Row
	add := func(key string, label, value, effect catalog.Text, f catalog.Fact, content any) {
		rows = append(rows, Row{Key: key, Label: label, Value: value, Effect: effect, Fact: f, Fingerprint: fingerprint(content)})
	}
	add(actKey(a, "room_minutes"), text("Durée en salle", "Room time"), minutes(a.RoomMinutes.Value),
		text("Durée réservée sur la salle de scanner.", "Time booked on the CT room."), a.RoomMinutes.Fact, a.RoomMinutes)
	add(actKey(a, "monitoring"), text("Surveillance après le geste", "Monitoring after the act"), monitoringWords(a.Monitoring),
		text("Durée et lieu de surveillance réservés après le geste ; la sortie n'est pas possible avant.", "Time and place of monitoring booked after the act; discharge not before."), a.Monitoring.Fact, a.Monitoring)
	add(actKey(a, "fasting"), text("Jeûne", "Fasting"), fastingWords(a.Fasting),
		text("Consigne de jeûne de la convocation et de la check-list.", "Fasting instruction of the letter and the checklist."), a.Fasting.Fact, a.Fasting)
	add(actKey(a, "anaesthesia"), text("Anesthésie", "Anaesthesia"), anaesthesiaWords[a.Anaesthesia.Value],
		text("Une anesthésie générale possible réserve une équipe d'anesthésie.", "A possible general anaesthesia books an anaesthesia team."), a.Anaesthesia.Fact, a.Anaesthesia)
	rows = append(rows, Row{Key: screening.ClassKeyOf(a.ID, ""), Label: text("Risque de saignement (classes ASRA 2018)", "Bleeding risk (ASRA 2018 classes)"),
		Value: classWords(a.BleedingRisk.Value), Effect: classEffect(a.BleedingRisk.Status), Verdict: true, Fact: a.BleedingRisk.Fact, Fingerprint: fingerprint(a.BleedingRisk)})
	for _, region := range regionsOf(a) {
		c := a.BleedingRiskByRegion[region]
		rows = append(rows, Row{Key: screening.ClassKeyOf(a.ID, region),
			Label: catalog.Text{"fr": "Risque de saignement au niveau " + regionFR[region], "en": "Bleeding risk at the " + region + " level"},
			Value: classWords(c.Value), Effect: classEffect(c.Status), Verdict: true, Fact: c.Fact, Fingerprint: fingerprint(c)})
	}
	add(actKey(a, "accompaniment"), text("Venir accompagné", "Come accompanied"), yesNo(a.Accompaniment.Value),
		text("Consigne de la convocation.", "Instruction of the letter."), a.Accompaniment.Fact, a.Accompaniment)
	add(actKey(a, "no_driving"), text("Ne pas conduire après", "No driving afterwards"), yesNo(a.NoDriving.Value),
		text("Consigne de la convocation.", "Instruction of the letter."), a.NoDriving.Fact, a.NoDriving)
	for _, v := range a.Variants {
		add(actKey(a, "variant", v.ID), catalog.Text{"fr": "Durée en salle : " + v.Name.In("fr"), "en": "Room time: " + v.Name.In("en")}, minutes(v.RoomMinutes.Value),
			text("Durée réservée sur la salle pour cette forme du geste.", "Time booked on the room for this form of the act."), v.RoomMinutes.Fact, v.RoomMinutes)
	}
	for _, o := range a.Options {
		add(actKey(a, "option", o.ID), catalog.Text{"fr": "Option : " + o.Name.In("fr"), "en": "Option: " + o.Name.In("en")}, catalog.Text{"fr": "+" + minutes(o.ExtraRoomMinutes.Value)["fr"], "en": "+" + minutes(o.ExtraRoomMinutes.Value)["en"]},
			text("Temps ajouté à la réservation de la salle.", "Time added to the room booking."), o.ExtraRoomMinutes.Fact, o.ExtraRoomMinutes)
	}
	for _, c := range a.Contraindications {
		kind := text("Contre-indication relative", "Relative contraindication")
		if c.Kind == catalog.Absolute {
			kind = text("Contre-indication absolue", "Absolute contraindication")
		}
		add(actKey(a, "contraindication", c.Key), kind, c.Text,
			text("Écrite dans la fiche d'information et le consentement ; le questionnaire la recherche.", "Written in the information sheet and the consent; the questionnaire looks for it."), c.Fact, c)
	}
	for _, l := range a.LabsRequired {
		add(actKey(a, "lab", l.Key), text("Examen demandé", "Test required"), l.Text,
			text("Résultat demandé avant le geste : sans lui, le questionnaire est incomplet.", "Result required before the act: without it the questionnaire is incomplete."), l.Fact, l)
	}
	for _, it := range a.DocumentsToBring {
		add(actKey(a, "document", it.Key), text("À apporter", "To bring"), it.Text, text("Liste « à apporter » de la convocation.", "\"To bring\" list of the letter."), it.Fact, it)
	}
	for _, it := range a.Aftercare {
		add(actKey(a, "aftercare", it.Key), text("Après le geste", "After the act"), it.Text, text("Conseils de la convocation et de la sortie.", "Advice of the letter and at discharge."), it.Fact, it)
	}
	for _, it := range a.WarningSigns {
		add(actKey(a, "warning", it.Key), text("Signe d'alerte", "Warning sign"), it.Text, text("Signes d'alerte de la convocation et de la sortie.", "Warning signs of the letter and at discharge."), it.Fact, it)
	}
	for _, c := range a.Complications {
		add(actKey(a, "complication", c.Key), text("Complication", "Complication"),
			catalog.Text{"fr": c.Text.In("fr") + " — " + c.Frequency.In("fr"), "en": c.Text.In("en") + " — " + c.Frequency.In("en")},
			text("Fiche d'information et consentement.", "Information sheet and consent."), c.Fact, c)
	}
	return rows
}

func regionsOf(a *catalog.Act) []string {
	var out []string
	for _, r := range []string{catalog.RegionCervical, catalog.RegionThoracic, catalog.RegionLumbar, catalog.RegionSacral} {
		if _, ok := a.BleedingRiskByRegion[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

// seedRows are the act's differences from the seed pages.
func (d Data) seedRows(a *catalog.Act) []Row {
	var rows []Row
	for _, sd := range d.Seeds {
		if sd.Act != a.ID {
			continue
		}
		value, fact, content := d.catalogueValue(a, sd.Facts)
		seed := sd.Seed
		rows = append(rows, Row{Key: "seed:" + sd.ID, Label: catalogueLabel(sd.Facts), Value: value, Fact: fact, Seed: &seed, Reason: sd.Reason,
			Effect:      text("Aucun effet sur le verdict : la valeur du catalogue sert aux réservations et aux documents.", "No effect on the verdict: the catalogue's value drives the bookings and the documents."),
			Fingerprint: fingerprint([]any{content, sd.Seed.Says, sd.Seed.Source})})
	}
	return rows
}

// catalogueValue is the catalogue's side of a seed difference: its value in
// words, its provenance (of the first fact) and its content.
func (d Data) catalogueValue(a *catalog.Act, facts []string) (catalog.Text, catalog.Fact, []any) {
	var fr, en []string
	var first catalog.Fact
	var content []any
	for i, f := range facts {
		var v catalog.Text
		var fact catalog.Fact
		switch f {
		case "room_minutes":
			v, fact = catalog.Text{"fr": "salle " + minutes(a.RoomMinutes.Value)["fr"], "en": "room " + minutes(a.RoomMinutes.Value)["en"]}, a.RoomMinutes.Fact
			content = append(content, a.RoomMinutes)
		case "monitoring":
			v, fact = monitoringWords(a.Monitoring), a.Monitoring.Fact
			content = append(content, a.Monitoring)
		case "fasting":
			v, fact = fastingWords(a.Fasting), a.Fasting.Fact
			content = append(content, a.Fasting)
		case "name":
			// Repère's scope is the practice's CT-guided activity.
			v, fact = a.Name, catalog.Fact{Source: "repere_default", Status: catalog.PracticeDefault}
			content = append(content, a.Name)
		}
		if i == 0 {
			first = fact
		}
		fr, en = append(fr, v.In("fr")), append(en, v.In("en"))
	}
	value := catalog.Text{"fr": join(fr, " + "), "en": join(en, " + ")}
	if len(facts) == 2 && facts[0] == "room_minutes" && facts[1] == "monitoring" {
		total := minutes(a.TotalMinutes())
		value = catalog.Text{"fr": value["fr"] + ", soit " + total["fr"] + " sur place", "en": value["en"] + ", that is " + total["en"] + " on site"}
	}
	return value, first, content
}

func catalogueLabel(facts []string) catalog.Text {
	names := map[string]catalog.Text{"room_minutes": text("durée en salle", "room time"), "monitoring": text("surveillance", "monitoring"),
		"fasting": text("jeûne", "fasting"), "name": text("guidage (nom du geste)", "guidance (act's name)")}
	var fr, en []string
	for _, f := range facts {
		fr, en = append(fr, names[f].In("fr")), append(en, names[f].In("en"))
	}
	return catalog.Text{"fr": "Catalogue et page d'origine : " + join(fr, ", "), "en": "Catalogue and seed page: " + join(en, ", ")}
}

func join(list []string, sep string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += sep
		}
		out += s
	}
	return out
}

func minutes(m int) catalog.Text {
	if m < 60 {
		return catalog.Text{"fr": fmt.Sprintf("%d min", m), "en": fmt.Sprintf("%d min", m)}
	}
	h, rest := m/60, m%60
	if rest == 0 {
		return catalog.Text{"fr": fmt.Sprintf("%d h", h), "en": fmt.Sprintf("%d h", h)}
	}
	return catalog.Text{"fr": fmt.Sprintf("%d h %02d", h, rest), "en": fmt.Sprintf("%d h %02d min", h, rest)}
}

var placeWords = map[string]catalog.Text{
	catalog.PlaceNone:          text("aucune", "none"),
	catalog.PlaceRecoveryChair: text("assis en fauteuil de repos", "seated in a recovery chair"),
	catalog.PlaceRecoveryBed:   text("allongé en lit de repos", "lying on a recovery bed"),
	catalog.PlaceWardOvernight: text("en chambre d'hospitalisation, la nuit", "in a ward bed, overnight"),
}

func monitoringWords(m catalog.Monitoring) catalog.Text {
	p := placeWords[m.Place]
	return catalog.Text{"fr": minutes(m.Minutes)["fr"] + " " + p.In("fr"), "en": minutes(m.Minutes)["en"] + " " + p.In("en")}
}

func fastingWords(f catalog.Fasting) catalog.Text {
	switch f.Mode {
	case catalog.FastingNone:
		return text("pas de jeûne", "no fasting")
	case catalog.FastingHours:
		return catalog.Text{"fr": fmt.Sprintf("à jeun %d h avant le geste", f.Hours), "en": fmt.Sprintf("fasting %d h before the act", f.Hours)}
	case catalog.FastingWithPremedOnly:
		return catalog.Text{"fr": fmt.Sprintf("à jeun %d h avant, seulement si une prémédication est prévue", f.Hours), "en": fmt.Sprintf("fasting %d h before, only if a premedication is planned", f.Hours)}
	case catalog.FastingFromMidnight:
		return text("à jeun depuis minuit", "fasting from midnight")
	}
	return text(f.Mode, f.Mode)
}

var anaesthesiaWords = map[string]catalog.Text{
	catalog.AnaesthesiaLocal:     text("locale", "local"),
	catalog.AnaesthesiaLocalOrGA: text("locale ou générale", "local or general"),
	catalog.AnaesthesiaGeneral:   text("générale", "general"),
}

func classWords(c string) catalog.Text { return catalog.Text{"fr": classFR[c], "en": c} }

func yesNo(b bool) catalog.Text {
	if b {
		return text("oui", "yes")
	}
	return text("non", "no")
}

// Effects on a verdict.

var unconfirmedSuffix = text(" Non confirmé : demande l'avis du radiologue tant que le cabinet ne l'a pas confirmé.",
	" Not confirmed: asks the radiologist until the practice confirms it.")

func withUnconfirmed(t catalog.Text, s catalog.Status) catalog.Text {
	if s != catalog.NotConfirmed {
		return t
	}
	return catalog.Text{"fr": t.In("fr") + unconfirmedSuffix.In("fr"), "en": t.In("en") + unconfirmedSuffix.In("en")}
}

func ruleEffect(r screening.Rule) catalog.Text {
	switch r.Outcome {
	case screening.OutcomeContraindicated:
		return text("Contre-indique le geste : pas de réservation ni de convocation sans la décision écrite du radiologue.",
			"Contraindicates the act: no booking nor letter without the radiologist's written decision.")
	case screening.OutcomeReview:
		return text("Demande l'avis du radiologue (verdict « à revoir »).", "Asks the radiologist (verdict \"to review\").")
	}
	return withUnconfirmed(text("Consigne au personnel, sans effet sur le verdict.", "Instruction to the staff, no effect on the verdict."), r.Status)
}

func holdEffect(hc *screening.HoldClass) catalog.Text {
	var t catalog.Text
	switch {
	case hc.Stop.NoHold:
		t = text("Traitement poursuivi : rien à arrêter.", "Treatment continued: nothing to stop.")
	case hc.Stop.Review:
		t = text("Pas d'intervalle publié : le radiologue décide (verdict « à revoir »).", "No published interval: the radiologist decides (verdict \"to review\").")
	default:
		t = text("Donne la dernière prise et la reprise ; un geste réservé avant la fin de l'arrêt est contre-indiqué ; la recherche de créneau commence après.",
			"Gives the last dose and the restart; an act booked before the hold ends is contraindicated; the slot search starts after it.")
	}
	if hc.AlwaysReview {
		return catalog.Text{"fr": t.In("fr") + " Le radiologue décide à chaque fois.", "en": t.In("en") + " The radiologist decides every time."}
	}
	unconfirmed := hc.Status == catalog.NotConfirmed || hc.Restart != nil && hc.Restart.Status == catalog.NotConfirmed
	if unconfirmed {
		return withUnconfirmed(t, catalog.NotConfirmed)
	}
	return t
}

func classEffect(s catalog.Status) catalog.Text {
	return withUnconfirmed(text("Choisit les arrêts de traitement et les limites biologiques appliqués.", "Chooses the treatment holds and lab limits applied."), s)
}
