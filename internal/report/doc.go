// Package report writes the radiologist's report of an act.
//
// Draft fills the act's template (data/templates/<act id>.yaml, our own
// wording in French and English, Go text/template over the record's values)
// with the act record: indication, technique (approach, side, levels, needle,
// drugs and doses, contrast, radiation dose, times, scanner, image study),
// course, complications ("Pas de complication immédiate." when the record says
// none) and conclusion. The result is plain text whose section headings are
// lines in capitals, edited by the radiologist in a textarea.
//
// Signing freezes a Version: its Hash covers the text, the signer, the time,
// and for an amendment the version it amends and why; a change is a new
// version, never an edit. PDF prints a version with the practice's letterhead
// and the signature line, with embedded fonts and bytes that depend only on
// the version (its signing time is the PDF's date), so a stored PDF can be
// checked against its SHA-256.
//
// Storing versions, emailing the PDF to the referring physician and listing
// it on the patient portal belong to the store, mail and web packages.
package report
