// Package schedule finds when an interventional act can take place and checks
// a proposed booking before it is confirmed. It is plain Go: the store loads
// calendars and bookings, the web layer shows the slots, and this package only
// reasons about time.
//
// # Model
//
// An act (a [Need]) holds several resources at once, one after the other:
//
//	start ──── act ────► act end ── turnover ──► room free
//	│ CT room ...................................│
//	│ radiologist (and anaesthesia) │
//	                    act end ──── monitoring ────► place free
//	                    │ recovery chair / bed, or ward bed overnight │
//
// The room is held for the act plus its turnover, the radiologist and the
// anaesthesia (when needed) for the act only, and the monitoring place from
// the end of the act for the monitoring minutes. A ward bed for an overnight
// stay is held from the end of the act until the practice's discharge time on
// the morning after the act's day (or longer if the monitoring minutes run
// past it). Every interval is half-open, [start, end): an act ending at 09:30
// lets the next one start at 09:30, and a 30-minute act starting at 09:00
// blocks a 15-minute act at 09:15.
//
// Each resource (a [Resource]) has weekly opening hours in the site's local
// time, dated closures (a room's maintenance, a radiologist's absence) and
// busy intervals (existing bookings). A resource can take a hold only if the
// whole hold lies inside its opening hours and touches neither a closure nor
// a busy interval. Weekly hours follow the wall clock: "Monday 08:00-12:30"
// means whenever a clock in the site's zone reads Monday between 08:00 and
// 12:30, so on the night of a daylight-saving change an opening that spans
// 02:00-03:00 is an hour shorter (March) or longer (October). Consecutive
// opening hours join across midnight, which is how a ward bed open every day
// 00:00-24:00 can be held overnight.
//
// # Search
//
// [Planner.NextSlots] walks the local days from the query's earliest instant.
// For each day it computes, per eligible resource, the free windows (opening
// hours minus closures minus bookings), turns them into ranges of feasible
// start instants, and intersects the ranges across the resource kinds: a
// start is feasible when at least one room, one qualified radiologist, one
// place of the right kind and, if needed, one anaesthesia resource can all
// take their holds. Candidate starts are the instants whose local clock is a
// multiple of the query's step since midnight (08:00, 08:05, ... for a
// 5-minute step). Each candidate start is returned once, with the resources
// that fit it best.
//
// # Ranking
//
// Slots are ordered by local day first: every slot of an earlier day comes
// before any slot of a later one. Within a day they are ordered by how little
// they fragment the day, using, for each held resource, the free window the
// hold is cut from and the gaps it leaves before and after itself:
//
//  1. fewer wasted minutes first: a gap is wasted when it is longer than zero
//     but shorter than the shortest common act ([Query.ShortestActMinutes]),
//     since nothing could be booked into it; the wasted minutes of the room,
//     the radiologist, the place and the anaesthesia are added up;
//  2. then more snug ends first: a hold end that touches a booking, a closure
//     or an opening boundary (a gap of zero) counts one, summed over the
//     holds, so slots are packed against what is already there;
//  3. then the earlier start.
//
// For a given start the resources of each kind are chosen by the same rule
// (least waste, then most snug ends), ties going to the resource listed first
// in the [Practice]. Since the kinds do not interact once the start is fixed,
// this choice is also the best combination for that start.
//
// # Check
//
// [Planner.Check] tests one proposed [Booking] against the same constraints
// and returns [Conflicts] naming every resource that cannot take its hold and
// why. The store calls it inside the booking transaction with freshly loaded
// bookings; when rescheduling, the booking being moved must be left out of the
// busy intervals.
package schedule
