// Package checklist is the safety checklist run on the day of a CT-guided act,
// in the spirit of the WHO surgical safety checklist (Sign In, Time Out)
// adapted to interventional radiology.
//
// The items are data (data/items.yaml, embedded; a practice folder replaces an
// item by id or adds one, see [Load]). Each item has a phase (at check-in, in
// the room before the act, the team time-out), a text in French and English,
// whether it blocks the start of the act, whether "not applicable" is an
// acceptable answer, the conditions under which it applies (the act's fasting
// mode or anaesthesia, holds or labs in the screening verdict, the patient's
// sex and age band...), what the system can pre-fill, and a source with its
// status like every clinical fact of Repère.
//
// [Set.ItemsFor] picks the items for one patient and act and attaches a
// [Suggestion] to each: the state the system proposes and why (consent signed
// on 24/11 at 10:02, INR 1.1 on 20/11, last apixaban dose...). A suggestion is
// never a check: a named user checks every item ([Check]).
//
// [Evaluate] says whether the act may start: every blocking item's latest
// check must be "ok", or "na" where the item allows it. A radiologist may
// start with items open by recording an [Override] with a reason; an item
// checked "not_ok" after the override opens again. The package is plain Go:
// the store keeps checks and overrides, the web layer shows them.
package checklist
