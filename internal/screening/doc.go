// Package screening is the pre-procedure safety screening: the questionnaire,
// the rules that read it, the anticoagulant and antiplatelet holds, the labs,
// and the verdict the radiologist validates.
//
// # Model
//
// Everything clinical is data under data/ (embedded; a practice folder can
// replace or add entries by id, see [Load]):
//
//   - questions.yaml: the form, in order, by group. A question is yes_no
//     (answered yes, no or unknown), number or text, and is mandatory for
//     some acts. An unanswered or invalid mandatory answer makes the verdict
//     incomplete; "unknown" does too, unless the question says if_unknown:
//     review. Nothing unanswered is ever read as "no risk".
//   - rules/*.yaml: one file per act or rule family. A rule names the acts it
//     applies to, a condition on the answers (answer, number, lab, takes a drug
//     class, all, any), an outcome (contraindicated, review, instruction), a
//     message in French and English, an optional console alert, and a source
//     with its status.
//   - drugs.yaml and holds.yaml: the treatment list (with classes) and, per
//     drug and per ASRA 2018 bleeding-risk class of the act (low, intermediate,
//     high, from the catalogue), when to take the last dose and when to restart.
//   - labs.yaml: which results are needed (by act, class or answer), how old
//     they may be, and the SIR 2019 thresholds by class.
//
// [Set.Evaluate] is pure: the same [Input] gives the same [Verdict]. Callers
// run it again whenever an answer, a lab, the act or the appointment changes.
// The verdict lists every finding ([Reason]) with the rule, what triggered it
// and its source; its [Status] is the worst of them (clear < review <
// incomplete < contraindicated), and [Verdict.WithOverrides] recomputes it
// after a radiologist overrides some findings (never a missing answer).
//
// # Reading of guideline intervals
//
// An interval in hours ("enoxaparin 24 h") is elapsed time: the last dose is
// at least that many real hours before the act, so a daylight-saving change
// never shortens it. An interval in days is read on the calendar of the
// practice's time zone (Input.Loc): "stop N days before" means N full days
// without the drug before the day of the act, that is a last dose on day
// -(N+1) at any hour (written last_dose_day: -(N+1) in holds.yaml). This keeps
// at least N×24 hours between the last dose and the act whatever their hours.
// The French GIHP 2015 rules are already written as a last-dose day ("J-3")
// and are carried as such; "no dose the evening before nor the morning of the
// act" is day -1 before noon.
//
// From a hold and the recorded last dose (or Now, when the patient is still
// taking the drug) the engine computes the earliest act start
// ([Verdict.EarliestAct], to pass to slot search); with an appointment it
// computes the latest allowed last dose and the restart window after the end
// of the act (appointment plus the act's room minutes). An appointment before
// a hold allows is a contraindicated finding for that date. Where the
// guideline gives no interval (shared assessment, eGFR below its bands) or the
// interval is not confirmed in a primary source, the dates are still shown
// but the finding asks a review. A medicine not in the list always asks a
// review.
//
// # Never clear on a value nobody confirmed
//
// A row of the data (rule, hold, lab limit, the act's bleeding-risk class)
// whose status is not_confirmed never gives a clear verdict: its instruction
// ("continue", "stop on day -4") becomes a review. The practice lifts this
// row by row by recording its own decision (Input.Confirmed, keyed by
// RuleKey, HoldKey, ThresholdKey, ClassKey; see internal/review): a row the
// practice confirmed counts as confirmed for that practice. A hold marked
// always_review stays a review whatever is decided.
//
// # Patient and levels
//
// Input.Patient gives the sex and birth date: a question for some sexes only
// (pregnancy, breastfeeding) is not asked of the others, and the creatinine
// clearance is computed with the Cockcroft-Gault formula from a recent
// creatinine, the weight, age and sex (Verdict.Clearance). Renal bands of
// the holds are clearances, as GIHP 2015 gives them; a recent eGFR stands in,
// with a review, when the clearance cannot be computed. Input.Levels gives
// the referral's levels: an act may have another bleeding-risk class at a
// region (a cervical facet, catalogue bleeding_risk_by_region).
package screening
