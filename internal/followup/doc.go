// Package followup is what happens after a CT-guided act: the monitoring
// window with its time left, the discharge criteria, and the pain scores of
// the days after with the outcome they show.
//
// # Monitoring
//
// [MonitoringWindow] starts at the end of the act and lasts the act's
// catalogue monitoring (minutes and place). On a recovery chair or bed it is
// that many elapsed minutes, so a daylight-saving change never shortens it.
// An overnight ward stay ends at the later of those minutes and the ward's
// discharge time, a wall-clock time on the morning after the act.
//
// # Discharge
//
// The discharge criteria are data (data/discharge.yaml): common ones, ones for
// some acts (headache better after a blood patch, no breathlessness after a
// vertebroplasty), and ones that follow the act's own catalogue facts (an
// accompanying person where the act requires one). The discharge advice
// printed is the act's aftercare and warning signs from the catalogue.
//
// # Follow-up
//
// A pain score (0-10) is taken before the act (day 0) and on the days of
// data/schedule.yaml after it (default D15 and D30). [Set.Outcome] reads them
// with the act's rule: improved, failed, recurring (pain back after an
// improvement) or pending, and whether a new act is offered (a second blood
// patch, a new infiltration), every threshold with its source and status.
// The package is plain Go: the store keeps the scores, the web layer asks
// for them and turns an offer into a prefilled referral.
package followup
