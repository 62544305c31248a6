package web

// FieldLimit is fieldLimit, for the external tests.
var FieldLimit = fieldLimit
