package checklist

import (
	"strings"
	"time"
)

// Check is one state given to an item by a named user.
type Check struct {
	ItemID, By string
	At         time.Time
	State      string // ok, not_ok, na
	Note       string
}

// Override is a radiologist's decision to start the act with items open.
type Override struct {
	By, Reason string
	At         time.Time
}

// Status says whether the act may be marked started.
type Status struct {
	Ready bool
	// Open are the blocking items whose latest check is not "ok" (nor an
	// allowed "na"), in checklist order; they stay listed when overridden.
	Open []Item
	// Overridden: the act may start only because of the radiologist's override.
	Overridden bool
	// Unchecked are the non-blocking items nobody has checked yet.
	Unchecked []Item
}

// Latest returns the check that counts for each item: the latest by time,
// the later in the list on equal times. Checks without a user are ignored.
func Latest(checks []Check) map[string]Check {
	latest := map[string]Check{}
	for _, c := range checks {
		if strings.TrimSpace(c.By) == "" {
			continue
		}
		if prev, ok := latest[c.ItemID]; ok && c.At.Before(prev.At) {
			continue
		}
		latest[c.ItemID] = c
	}
	return latest
}

// Evaluate tells whether the act may start with these items (from ItemsFor),
// the checks recorded (any order) and the override, if any.
//
// An override needs a user and a non-empty reason. It covers the items open
// when it was given: an item checked "not_ok" after it opens again and needs
// a new override. An override without a time covers every check.
func Evaluate(items []Item, checks []Check, override *Override) Status {
	latest := Latest(checks)
	var st Status
	reopened := false
	for _, it := range items {
		c, checked := latest[it.ID]
		if !it.Blocking {
			if !checked {
				st.Unchecked = append(st.Unchecked, it)
			}
			continue
		}
		if checked && (c.State == StateOK || c.State == StateNA && it.AllowNA) {
			continue
		}
		st.Open = append(st.Open, it)
		if checked && override != nil && !override.At.IsZero() && c.At.After(override.At) {
			reopened = true
		}
	}
	valid := override != nil && strings.TrimSpace(override.By) != "" && strings.TrimSpace(override.Reason) != ""
	switch {
	case len(st.Open) == 0:
		st.Ready = true
	case valid && !reopened:
		st.Ready, st.Overridden = true, true
	}
	return st
}
