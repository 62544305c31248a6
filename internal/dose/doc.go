// Package dose reads the CT Radiation Dose Structured Reports a scanner
// sends (PS3.16 TID 10011 "CT Radiation Dose": the accumulated dose and one
// container per irradiation event) and combines the reports of one study
// into the dose of the act. It also compares a sample's median with
// the reference levels (its distribution is internal/stats').
//
// Content items are matched on code value and coding scheme, never on the
// meaning text, which vendors word differently. Vendor reports are often
// not quite conformant: what can be tolerated (a missing unit, an empty
// code sequence) is kept as a warning; what cannot (no CT dose container,
// no study) makes the report refused, and nothing of it is stored.
package dose
