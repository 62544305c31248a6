package documents

import (
	"strings"

	"repere/internal/billing"
)

// The estimate's sentences, patient-facing, merged into messages. A value
// that is not confirmed gets one sentence of its own (billing.Note).
var estimateMessages = map[string]map[string]string{
	"fr": {
		"estimate.code":                "%s – %s",
		"estimate.code_part":           "%s – %s (%d %% du tarif, acte associé)",
		"estimate.flat_under_18":       "Participation forfaitaire : pas due (moins de 18 ans au 1er janvier)",
		"estimate.flat_pregnancy":      "Participation forfaitaire : pas due (maternité, du 6e mois de grossesse au 12e jour après l'accouchement)",
		"estimate.extra_sector2_optam": "Dépassement d'honoraires du radiologue (secteur 2, OPTAM)",
		"estimate.extra_sector2":       "Dépassement d'honoraires du radiologue (secteur 2)",
		"estimate.unpriced":            "Le montant total ne peut pas encore être calculé : le cabinet vous le donnera avant le rendez-vous.",
		"estimate.not_priced":          "à préciser",
		"note.rate.ald":                "La prise en charge à 100 % liée à votre affection de longue durée n'est pas encore confirmée dans nos sources : votre caisse d'assurance maladie peut vous la confirmer.",
		"note.rate":                    "La prise en charge à 100 % n'est pas encore confirmée dans nos sources : votre caisse d'assurance maladie peut vous la confirmer.",
		"note.association":             "Le code %s est compté en plus de l'acte principal : cette règle n'est pas encore confirmée, le montant peut changer.",
		"note.tariff":                  "Le tarif du code %s n'est pas encore confirmé : le montant peut changer.",
		"note.no_tariff":               "Le tarif à la date du rendez-vous n'est pas connu : %s.",
		"note.no_tariff.non_optam":     "Le tarif pour un radiologue non adhérent à l'OPTAM n'est pas connu : %s.",
		"note.no_code":                 "Le code de facturation de « %s » n'est pas encore confirmé.",
		"note.flat_exemption.c2s":      "Les bénéficiaires de la Complémentaire santé solidaire ne paient pas la participation forfaitaire, d'après une source non encore confirmée : elle est comptée ici par prudence.",
		"note.flat_exemption.ame":      "Les bénéficiaires de l'Aide médicale de l'État ne paient pas la participation forfaitaire, d'après une source non encore confirmée : elle est comptée ici par prudence.",
		"note.maternity":               "De la fin de la grossesse aux jours qui suivent l'accouchement, vos soins peuvent être pris en charge à 100 % par l'assurance maternité : ce n'est pas encore confirmé dans nos sources, le calcul garde le cas général.",
		"note.heavy_flat":              "La participation forfaitaire est comptée en plus du forfait de 24 € : ce cumul n'est pas encore confirmé dans nos sources.",
		"note.pregnancy_dates":         "Vous nous avez signalé une grossesse : à partir du 6e mois, la participation forfaitaire n'est pas due. Donnez au secrétariat la date de début de votre grossesse.",
	},
	"en": {
		"estimate.code":                "%s – %s",
		"estimate.code_part":           "%s – %s (%d%% of the fee, associated act)",
		"estimate.flat_under_18":       "Flat contribution: not due (under 18 on 1 January)",
		"estimate.flat_pregnancy":      "Flat contribution: not due (maternity, from the 6th month of pregnancy to 12 days after delivery)",
		"estimate.extra_sector2_optam": "Radiologist's extra fee (sector 2, OPTAM)",
		"estimate.extra_sector2":       "Radiologist's extra fee (sector 2)",
		"estimate.unpriced":            "The total cannot be worked out yet: the practice will tell you before the appointment.",
		"estimate.not_priced":          "to be given",
		"note.rate.ald":                "Full cover (100%) for care related to your long-term illness is not confirmed in our sources yet: your health insurance fund can confirm it.",
		"note.rate":                    "Full cover (100%) is not confirmed in our sources yet: your health insurance fund can confirm it.",
		"note.association":             "Code %s is counted on top of the main act: this rule is not confirmed yet, so the amount may change.",
		"note.tariff":                  "The fee of code %s is not confirmed yet: the amount may change.",
		"note.no_tariff":               "The fee on the day of the appointment is not known: %s.",
		"note.no_tariff.non_optam":     "The fee for a radiologist outside OPTAM is not known: %s.",
		"note.no_code":                 "The billing code of “%s” is not confirmed yet.",
		"note.flat_exemption.c2s":      "People with the Complémentaire santé solidaire do not pay the flat contribution, says a source not confirmed yet: it is counted here to be safe.",
		"note.flat_exemption.ame":      "People with the Aide médicale de l'État do not pay the flat contribution, says a source not confirmed yet: it is counted here to be safe.",
		"note.maternity":               "From late pregnancy to the days after delivery, your care may be fully covered by the maternity insurance: this is not confirmed in our sources yet, so the estimate keeps the general case.",
		"note.heavy_flat":              "The flat contribution is counted on top of the 24 € fee: this is not confirmed in our sources yet.",
		"note.pregnancy_dates":         "You told us you are pregnant: from the 6th month, the flat contribution is not due. Please give the secretary the date your pregnancy started.",
	},
}

func init() {
	for l, keys := range estimateMessages {
		for k, v := range keys {
			messages[l][k] = v
		}
	}
}

// estimateSection lays out the estimate: each code with its amount, what the
// insurance pays, the flat contribution (or why it is not due), the extra
// fee, what is left; then one sentence per value not confirmed.
func estimateSection(e billing.Estimate, l string) section {
	f := formatter(l)
	s := section{Heading: msg(l, "estimate.heading"), SmallAfter: true}
	euros := func(c billing.Cents) string { return f.Euros(c.EUR()) }
	for _, line := range e.Lines {
		label := msg(l, "estimate.code", line.Code, line.Label)
		if line.Percent > 0 && line.Percent < 100 {
			label = msg(l, "estimate.code_part", line.Code, line.Label, line.Percent)
		}
		value := msg(l, "estimate.not_priced")
		if line.Priced {
			value = euros(line.Base)
		}
		if line.Code != "" {
			s.Rows = append(s.Rows, amountRow{Label: label, Value: value})
		}
	}
	extra := msg(l, "estimate.extra")
	if e.Convention == billing.Sector2OPTAM || e.Convention == billing.Sector2 {
		extra = msg(l, "estimate.extra_"+e.Convention)
	}
	if e.Unpriced {
		if e.ExtraFee > 0 {
			s.Rows = append(s.Rows, amountRow{Label: extra, Value: euros(e.ExtraFee)})
		}
		s.After = append(s.After, noteSentences(e, l)...)
		s.After = append(s.After, msg(l, "estimate.unpriced"))
		return s
	}
	insurance := msg(l, "estimate.insurance", e.InsurancePercent)
	if e.HeavyActFee > 0 {
		insurance = msg(l, "estimate.insurance_heavy", euros(e.HeavyActFee))
	}
	s.Rows = append(s.Rows, amountRow{Label: insurance, Value: "− " + euros(e.InsuranceShare)})
	switch {
	case e.FlatExemption != "":
		s.Rows = append(s.Rows, amountRow{Label: msg(l, "estimate.flat_"+e.FlatExemption), Value: euros(0)})
	case e.FlatContribution > 0:
		s.Rows = append(s.Rows, amountRow{Label: msg(l, "estimate.flat"), Value: "+ " + euros(e.FlatContribution)})
	}
	if e.ExtraFee > 0 {
		s.Rows = append(s.Rows, amountRow{Label: extra, Value: "+ " + euros(e.ExtraFee)})
	}
	s.Rows = append(s.Rows, amountRow{Label: msg(l, "estimate.rest"), Value: euros(e.RestToPay), Strong: true})
	s.After = append(s.After, noteSentences(e, l)...)
	s.After = append(s.After, msg(l, "estimate.note"))
	return s
}

// noteSentences writes one sentence per note of the estimate.
func noteSentences(e billing.Estimate, l string) []string {
	var out []string
	said := map[string]bool{}
	for _, n := range e.Notes {
		switch n.Kind {
		case billing.NoteRate:
			if n.Arg == billing.CoverALD {
				out = append(out, msg(l, "note.rate.ald"))
			} else {
				out = append(out, msg(l, "note.rate"))
			}
		case billing.NoteChoice:
			out = append(out, n.Text.In(l))
		case billing.NoteAssociation, billing.NoteTariff:
			out = append(out, msg(l, "note."+n.Kind, n.Code))
		case billing.NoteNoTariff:
			if said[n.Kind] {
				continue
			}
			said[n.Kind] = true
			var codes []string // one sentence names every code without a tariff
			for _, m := range e.Notes {
				if m.Kind == billing.NoteNoTariff {
					codes = append(codes, m.Code)
				}
			}
			key := "note.no_tariff"
			if n.Arg == billing.GridNonOPTAM {
				key = "note.no_tariff.non_optam"
			}
			out = append(out, msg(l, key, strings.Join(codes, ", ")))
		case billing.NoteNoCode:
			out = append(out, msg(l, "note.no_code", n.Text.In(l)))
		case billing.NoteFlatExemption:
			out = append(out, msg(l, "note.flat_exemption."+n.Arg))
		case billing.NoteMaternity, billing.NotePregnancyDates, billing.NoteHeavyFlat:
			out = append(out, msg(l, "note."+n.Kind))
		}
	}
	return out
}
