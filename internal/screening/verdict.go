package screening

import (
	"strings"
	"time"
	"unicode/utf8"

	"repere/internal/catalog"
)

// Status is the overall result of a screening, from best to worst.
type Status string

const (
	// Clear: nothing found that stops or questions the act (instructions may remain).
	Clear Status = "clear"
	// Review: a radiologist must look at the listed reasons before the act.
	Review Status = "review"
	// Incomplete: answers or labs are missing; never clear until they are given.
	Incomplete Status = "incomplete"
	// Contraindicated: the act must not go ahead as planned.
	Contraindicated Status = "contraindicated"
)

var statusRank = map[Status]int{Clear: 0, Review: 1, Incomplete: 2, Contraindicated: 3}

// Worse reports whether s is worse than other.
func (s Status) Worse(other Status) bool { return statusRank[s] > statusRank[other] }

func statusOf(outcome string) Status {
	switch outcome {
	case OutcomeContraindicated:
		return Contraindicated
	case OutcomeIncomplete:
		return Incomplete
	case OutcomeReview:
		return Review
	}
	return Clear
}

// Reason is one finding of the screening.
type Reason struct {
	RuleID  string       `json:"rule_id"`
	Outcome string       `json:"outcome"` // contraindicated | review | instruction | incomplete
	Message catalog.Text `json:"message"`
	// Questions are the question ids the finding read.
	Questions []string `json:"questions,omitempty"`
	// Answer says what triggered it, in the data's terms, e.g.
	// "fever_or_infection = yes" or "apixaban, last dose 2026-11-20 08:00"
	// (for logs and tests); Said says it in words for staff ("Fièvre ou
	// infection : oui").
	Answer string         `json:"answer"`
	Said   catalog.Text   `json:"said,omitempty"`
	Source string         `json:"source"`
	Status catalog.Status `json:"status"`
	// Alert is the short line for the scanner console, if any.
	Alert      catalog.Text `json:"alert,omitempty"`
	Overridden bool         `json:"overridden,omitempty"`
	// Row is the key of the data row the finding comes from (RuleKey,
	// HoldKey...), "" for the engine's own findings; Decided says the
	// practice confirmed that row.
	Row     string `json:"row,omitempty"`
	Decided bool   `json:"decided,omitempty"`
	// Also are other sources on the same question, shown beside this one.
	Also []Also `json:"also,omitempty"`
}

// Hold is the stop and restart of one drug (one hold row of it) around the act.
type Hold struct {
	DrugID   string       `json:"drug_id"`
	Row      string       `json:"row"` // the holds.yaml row (a combination pill has several)
	DrugName catalog.Text `json:"drug_name"`
	// Review: the guideline gives no interval here (or the renal function
	// needed to choose one is missing): the radiologist decides.
	Review bool `json:"review"`
	// GapHours (elapsed hours) or LastDoseDay (calendar day relative to the
	// act's day, e.g. -4, optionally before LastDoseBefore "HH:MM") is the rule.
	GapHours       int          `json:"gap_hours,omitempty"`
	LastDoseDay    int          `json:"last_dose_day,omitempty"`
	LastDoseBefore string       `json:"last_dose_before,omitempty"`
	MinGap         catalog.Text `json:"min_gap"`
	// LastDoseBy is the latest allowed last dose for the appointment; zero if
	// not booked or no interval. For a day rule without a clock time it is the
	// last second of that day: show its date only (DayOnly).
	LastDoseBy time.Time `json:"last_dose_by"`
	DayOnly    bool      `json:"day_only"`
	// LastDose is the recorded last dose (zero: still taken).
	LastDose time.Time `json:"last_dose"`
	// EarliestAct is the earliest act start this hold allows.
	EarliestAct time.Time `json:"earliest_act"`
	// Restart window in hours after the end of the act, and as times once booked.
	RestartMinHours int            `json:"restart_min_hours"`
	RestartMaxHours int            `json:"restart_max_hours,omitempty"`
	RestartFrom     time.Time      `json:"restart_from"`
	RestartUntil    time.Time      `json:"restart_until"`
	Advice          catalog.Text   `json:"advice"`
	Respected       bool           `json:"respected"` // false when booked too early for this hold
	Source          string         `json:"source"`
	Status          catalog.Status `json:"status"`
	RestartSource   string         `json:"restart_source,omitempty"`
	RestartStatus   catalog.Status `json:"restart_status,omitempty"`
	Note            string         `json:"note,omitempty"`
	// Decided: the practice confirmed this hold row.
	Decided bool `json:"decided,omitempty"`
}

// Verdict is the screening result of one referral.
type Verdict struct {
	Status  Status   `json:"status"`
	Reasons []Reason `json:"reasons"`
	Holds   []Hold   `json:"holds"`
	// EarliestAct is the earliest act start respecting every hold, given each
	// drug's recorded last dose (or Now when not given); zero when no hold
	// constrains the date. Pass it to slot search as the earliest instant.
	EarliestAct time.Time `json:"earliest_act"`
	// Missing lists unanswered mandatory question ids, "treatments" when the
	// patient takes medicines but none is listed, and "lab:<id>" for missing
	// or outdated labs.
	Missing []string `json:"missing"`
	// Labs are the labs this patient needs for this act.
	Labs []LabNeed `json:"labs"`
	// Clearance is the creatinine clearance computed from the patient's
	// creatinine, age, weight and sex, when all are known.
	Clearance *Clearance `json:"clearance,omitempty"`
}

// HasReason reports whether a reason with this rule id is present.
func (v Verdict) HasReason(ruleID string) bool {
	for _, r := range v.Reasons {
		if r.RuleID == ruleID {
			return true
		}
	}
	return false
}

// WithOverrides returns a copy where the reasons whose rule id is in ruleIDs
// are marked overridden by the radiologist and no longer count toward the
// status. A missing answer or lab (incomplete) cannot be overridden: it must be
// given.
func (v Verdict) WithOverrides(ruleIDs map[string]bool) Verdict {
	out := v
	out.Reasons = make([]Reason, len(v.Reasons))
	for i, r := range v.Reasons {
		r.Overridden = r.Outcome != OutcomeIncomplete && (ruleIDs[r.RuleID] || r.Overridden)
		out.Reasons[i] = r
	}
	out.Status = worst(out.Reasons)
	return out
}

func worst(reasons []Reason) Status {
	s := Clear
	for _, r := range reasons {
		if st := statusOf(r.Outcome); !r.Overridden && st.Worse(s) {
			s = st
		}
	}
	return s
}

// MedicalAlerts returns short lines for the scanner console (DICOM Medical
// Alerts), at most MaxAlertLen characters each, overridden findings included:
// the operator must still know them.
func (v Verdict) MedicalAlerts(lang string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		s = clip(s, MaxAlertLen)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, h := range v.Holds {
		add(holdAlert(h, lang))
	}
	for _, r := range v.Reasons {
		if len(r.Alert) > 0 {
			add(r.Alert.In(lang))
		}
	}
	return out
}

// ContrastAllergy returns the line for the console's allergy field, "" when
// no iodinated-contrast allergy is declared or suspected.
func (v Verdict) ContrastAllergy(lang string) string {
	suspected := false
	for _, r := range v.Reasons {
		if !contains(r.Questions, QuestionContrastAllergy) {
			continue
		}
		if r.RuleID == unknownAnswerRule(QuestionContrastAllergy) {
			suspected = true
			continue
		}
		return msg(lang, "Produit de contraste iodé", "Iodinated contrast media")
	}
	if suspected {
		return msg(lang, "Allergie au contraste iodé non exclue", "Iodinated contrast allergy not ruled out")
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
