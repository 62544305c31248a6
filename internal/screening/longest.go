package screening

import "repere/internal/catalog"

// LongestHoldDays is the longest stop, in days before the act, that the
// hold rows of a drug can ask for the act, at every bleeding-risk class it
// can take (a cervical level may change it) and over every renal band; with
// drugID "" (a medicine not in the list) it is the longest of every drug. A
// patient whose hold awaits the radiologist must be told before that many
// days ahead of the act, whatever is decided.
func (s *Set) LongestHoldDays(drugID string, act *catalog.Act) int {
	classes := []string{""} // no act: the strictest row
	if act != nil {
		classes = act.BleedingClasses()
	}
	longest := 0
	consider := func(d Drug) {
		for _, rowID := range d.Holds {
			for _, class := range classes {
				hc := s.holds[rowID].forClass(class)
				if hc == nil {
					continue
				}
				longest = max(longest, stopDays(hc.Stop))
				if hc.Renal != nil {
					for _, b := range hc.Renal.Bands {
						longest = max(longest, stopDays(b.Stop))
					}
				}
			}
		}
	}
	if d, ok := s.Drug(drugID); ok {
		consider(d)
	}
	if longest == 0 {
		// No interval for this drug (the radiologist decides) or an unknown
		// medicine: the longest of all is the safe bound.
		for _, d := range s.drugs {
			consider(d)
		}
	}
	return longest
}

// stopDays is how many calendar days before the act a stop reaches.
func stopDays(st Stop) int {
	if st.NoHold || st.Review {
		return 0
	}
	if st.Hours > 0 {
		return (st.Hours + 23) / 24
	}
	return -st.LastDoseDay
}
