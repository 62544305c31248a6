package dose

import "slices"

// Summary is the dose of one act from all the reports received for it.
type Summary struct {
	DLP     *float64 // mGy·cm
	CTDIvol *float64 // mGy, the highest of the events
	Events  []Event
	// Reports counts the reports used; Superseded those left out because a
	// later report holds all their events (a cumulative report).
	Reports, Superseded int
}

// Combine gives the dose of an act from its reports, oldest first. Some
// scanners send several reports for one study: a report whose irradiation
// events are all in another one (the same report sent again, or a
// cumulative report that continued it) is left out; the remaining reports
// add up, each event counted once by its UID.
func Combine(reports []Report) Summary {
	var s Summary
	kept := make([]Report, 0, len(reports))
	for i, r := range reports {
		if supersededBy(r, reports, i) {
			s.Superseded++
			continue
		}
		kept = append(kept, r)
	}
	s.Reports = len(kept)
	if len(kept) == 1 {
		s.Events = kept[0].Events
		s.DLP, s.CTDIvol = kept[0].DLP(), kept[0].MaxCTDIvol()
		return s
	}
	seen := map[string]bool{}
	for _, r := range kept {
		for _, e := range r.Events {
			if e.UID != "" && seen[e.UID] {
				continue
			}
			seen[e.UID] = true
			s.Events = append(s.Events, e)
		}
	}
	s.DLP, s.CTDIvol = sumDLP(s.Events), maxCTDIvol(s.Events)
	if s.DLP == nil {
		// Reports with totals but no event DLP: add the totals.
		var total float64
		found := false
		for _, r := range kept {
			if r.TotalDLP != nil {
				total, found = total+*r.TotalDLP, true
			}
		}
		if found {
			s.DLP = &total
		}
	}
	return s
}

// supersededBy reports whether another report holds every event of
// reports[i]: a strict superset, or the same set received later.
func supersededBy(r Report, reports []Report, i int) bool {
	mine := eventUIDs(r)
	if len(mine) == 0 {
		return false
	}
	for j, other := range reports {
		if j == i {
			continue
		}
		theirs := eventUIDs(other)
		if !containsAll(theirs, mine) {
			continue
		}
		if len(theirs) > len(mine) || j > i {
			return true
		}
	}
	return false
}

func eventUIDs(r Report) []string {
	var uids []string
	for _, e := range r.Events {
		if e.UID != "" {
			uids = append(uids, e.UID)
		}
	}
	if len(uids) < len(r.Events) {
		return nil // events without UID: nothing can be said of overlap
	}
	return uids
}

func containsAll(set, sub []string) bool {
	for _, u := range sub {
		if !slices.Contains(set, u) {
			return false
		}
	}
	return true
}
