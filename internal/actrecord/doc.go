// Package actrecord holds what was done during an act: levels, side,
// approach, needle, drugs and doses, contrast, blood or cement volumes,
// biopsy, radiation dose, times, complications and the image study.
//
// Which fields an act records, their choices and the dose ranges that raise a
// warning are data (data/fields.yaml, embedded), each clinical value with its
// source and status like the catalogue's facts. Validate separates errors (a
// value that cannot be: a missing required field, a negative volume, a level
// of another region) from warnings (a dose outside the usual range, a product
// withdrawn from the market or advised against for this route): warnings are
// shown to the radiologist and never block the record.
//
// The scanner's Modality Performed Procedure Step (package mpps) may bring
// the times and the dose; MergeScanner fills them only where nothing was typed.
// The package knows nothing of HTTP or SQL: the store keeps a Record as JSON.
package actrecord
