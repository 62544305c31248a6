// Package mpps receives Modality Performed Procedure Steps (PS3.4 F.7): the
// CT console tells Repère that an act started (N-CREATE, IN PROGRESS) and
// how it ended (N-SET, COMPLETED or DISCONTINUED, with the times and, when
// the console sends it, the dose).
//
// It is hand-written for the same reasons as package dimse, which carries
// the messages: no Go library serves MPPS, and what we need of it is a
// small state machine and a dozen attributes. The rules live here, so that
// the store that persists steps only loads and saves them:
//
//   - an N-CREATE must be IN PROGRESS (PS3.4 F.7.2.1.2);
//   - an N-SET may move IN PROGRESS to COMPLETED or DISCONTINUED and merges
//     only the attributes PS3.4 Table F.7.2-1 lets it change;
//   - once COMPLETED or DISCONTINUED, every N-SET is refused (F.7.2.2.2).
//
// Package worklist uses the step's status to stop listing completed acts.
package mpps
