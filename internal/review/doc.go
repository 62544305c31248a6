// Package review is the practice's review of its clinical data: every rule,
// drug, treatment hold, lab threshold and act fact, on one page per act, each
// with its source and status, what it does to a screening verdict, and the
// practice's decision on a value not confirmed in a primary source.
//
// A decision (who, when, why) is practice data: the application keeps it in
// the database (table practice_decisions, append-only), so it outlives every
// upgrade of the binary and is shared by every instance on PostgreSQL. It is
// bound to the fingerprint of the row's content when it was taken: a row an
// upgrade changed shows as "to decide again", and its old decision no longer
// counts. A confirmation the practice recorded on a row makes it count as
// confirmed for that practice: the screening's rule "a not-confirmed row
// never gives a clear verdict" no longer forces a review for it
// (Confirmed gives the screening those rows).
//
// Where the catalogue differs from the seed pages the product was specified
// from (data/seed_differences.yaml), the page shows both values, both
// sources and the reason, and the practice records its choice: keep the
// catalogue's value, or adopt the page's (set in its own catalogue folder).
//
// The review prints as a PDF the medical director signs (PDF).
package review
