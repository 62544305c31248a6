package web

import (
	"fmt"

	"repere/internal/catalog"
	"repere/internal/i18n"
)

// factRows flattens every fact of an act, each with its provenance, so the
// radiologist sees which values are confirmed and which still need checking.
func factRows(l *i18n.Localizer, a *catalog.Act) []factRow {
	lang := l.Lang
	var rows []factRow
	add := func(label, value string, f catalog.Fact) {
		rows = append(rows, factRow{Label: label, Value: value, Fact: f})
	}
	billing := func(prefix string, codes []catalog.BillingCode) {
		for _, b := range codes {
			code := b.Code
			if code == "" {
				code = l.T("fact.code_unknown")
			}
			add(prefix+l.T("fact.billing"), code+" — "+b.Label, b.Fact)
			for _, t := range b.Tariffs {
				add(l.T("fact.tariff", "Code", code), l.Euros(t.BaseEU)+" "+l.T("fact.from", "Date", l.Day(t.From)), t.Fact)
			}
		}
	}
	billing("", a.Billing)
	add(l.T("fact.room_minutes"), l.Minutes(a.RoomMinutes.Value), a.RoomMinutes.Fact)
	add(l.T("fact.monitoring"), l.T("place."+a.Monitoring.Place)+" — "+l.Minutes(a.Monitoring.Minutes), a.Monitoring.Fact)
	add(l.T("fact.fasting"), fastingSentence(l, a.Fasting), a.Fasting.Fact)
	add(l.T("fact.anaesthesia"), l.T("anaesthesia."+a.Anaesthesia.Value), a.Anaesthesia.Fact)
	add(l.T("fact.bleeding_risk"), l.T("bleeding."+a.BleedingRisk.Value), a.BleedingRisk.Fact)
	add(l.T("fact.accompaniment"), yesNo(l, a.Accompaniment.Value), a.Accompaniment.Fact)
	add(l.T("fact.no_driving"), yesNo(l, a.NoDriving.Value), a.NoDriving.Fact)
	for _, v := range a.Variants {
		add(l.T("fact.variant")+" "+v.Name.In(lang), l.Minutes(v.RoomMinutes.Value), v.RoomMinutes.Fact)
		billing(v.Name.In(lang)+" — ", v.Billing)
	}
	for _, o := range a.Options {
		add(l.T("fact.option")+" "+o.Name.In(lang), "+"+l.Minutes(o.ExtraRoomMinutes.Value), o.ExtraRoomMinutes.Fact)
		billing(o.Name.In(lang)+" — ", o.Billing)
	}
	for _, c := range a.Contraindications {
		add(l.T("fact.contraindication."+c.Kind), c.Text.In(lang), c.Fact)
	}
	for _, lab := range a.LabsRequired {
		add(l.T("fact.lab"), fmt.Sprintf("%s (%s)", lab.Text.In(lang), lab.When), lab.Fact)
	}
	for _, d := range a.DocumentsToBring {
		add(l.T("fact.document"), d.Text.In(lang), d.Fact)
	}
	for _, c := range a.Complications {
		add(l.T("fact.complication"), c.Text.In(lang)+" — "+c.Frequency.In(lang), c.Fact)
	}
	for _, it := range a.Aftercare {
		add(l.T("fact.aftercare"), it.Text.In(lang), it.Fact)
	}
	for _, it := range a.WarningSigns {
		add(l.T("fact.warning_sign"), it.Text.In(lang), it.Fact)
	}
	return rows
}

func yesNo(l *i18n.Localizer, b bool) string {
	if b {
		return l.T("common.yes")
	}
	return l.T("common.no")
}
