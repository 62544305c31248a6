package billing

import "time"

// Cases that exempt a patient from the flat contribution (rates.yaml,
// flat_contribution_exemptions).
const (
	CaseUnder18   = "under_18"  // under 18 on 1 January of the act's year
	CasePregnancy = "pregnancy" // 6th month of pregnancy to 12 days after delivery
	CaseC2S       = "c2s"
	CaseAME       = "ame"
)

// Patient is what the estimate knows of the patient for this act.
type Patient struct {
	BirthDate string // YYYY-MM-DD; "" unknown
	Cover     Cover
	// PregnancyStart is the declared first day of pregnancy and DeliveryDate
	// the day of delivery (YYYY-MM-DD), recorded with the referral's cover;
	// "" when not recorded.
	PregnancyStart, DeliveryDate string
	// PregnancyDeclared: the questionnaire says the patient is pregnant (or
	// may be), whatever the dates recorded.
	PregnancyDeclared bool
}

// Under18OnJanuary1 reports whether a patient born on birth (YYYY-MM-DD) is
// under 18 on 1 January of day's year; false when either date is unknown.
func Under18OnJanuary1(birth, day string) bool {
	born, err1 := time.Parse(time.DateOnly, birth)
	d, err2 := time.Parse(time.DateOnly, day)
	if err1 != nil || err2 != nil {
		return false
	}
	january1 := time.Date(d.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	return born.AddDate(18, 0, 0).After(january1)
}

// PregnancyExemptionWindow returns the first and last days (YYYY-MM-DD) of
// the maternity exemption: from the first day of the 6th month of pregnancy
// (the start of pregnancy plus 5 months) to the 12th day after delivery. With
// only a delivery date the window starts on delivery; with no delivery date
// it has no end yet ("").
func PregnancyExemptionWindow(start, delivery string) (from, until string, ok bool) {
	s, errStart := time.Parse(time.DateOnly, start)
	d, errDelivery := time.Parse(time.DateOnly, delivery)
	switch {
	case errStart == nil:
		from = s.AddDate(0, 5, 0).Format(time.DateOnly)
	case errDelivery == nil:
		from = d.Format(time.DateOnly)
	default:
		return "", "", false
	}
	if errDelivery == nil {
		until = d.AddDate(0, 0, 12).Format(time.DateOnly)
		if until < from {
			return "", "", false // a delivery before the 6th month: no window we can tell
		}
	}
	return from, until, true
}

// inMaternityWindow reports whether day falls in the patient's window.
func (p Patient) inMaternityWindow(day string) bool {
	from, until, ok := PregnancyExemptionWindow(p.PregnancyStart, p.DeliveryDate)
	return ok && day >= from && (until == "" || day <= until)
}

// cases lists the exemption cases the patient is in on day, in the order
// they are checked.
func (p Patient) cases(coverKey, day string) []string {
	var out []string
	if Under18OnJanuary1(p.BirthDate, day) {
		out = append(out, CaseUnder18)
	}
	if p.inMaternityWindow(day) {
		out = append(out, CasePregnancy)
	}
	switch coverKey {
	case CoverC2S:
		out = append(out, CaseC2S)
	case CoverAME:
		out = append(out, CaseAME)
	}
	return out
}
