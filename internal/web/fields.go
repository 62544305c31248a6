package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"repere/internal/patient"
	"repere/internal/referral"
)

// fieldLimits is the longest value, in characters, of a form field by its
// name, whatever the form: longer than anyone types, short enough that a
// pasted document or a script cannot fill the database, the pages and the
// letters. Fields not named here take defaultFieldLimit.
var fieldLimits = func() map[string]int {
	limits := map[string]int{
		"other_physician": 200,
		"reason":          1000, "note": 1000, "notes": 2000,
		"title": 200, "body": maxReportBody,
		"signer_name": maxSignerName, "signature": 1 << 20, // a drawn signature as a data URL (its PNG is bounded apart)
		"name": 120, "display_name": 120, "login": 64, "rpps": rppsLength, "station_ae_title": 16,
		"modifiers": 8, // up to four one-letter CCAM modifiers, spaced (app.billedCodes)
		"password":  1024, "current": 1024, "new": 1024, "confirm": 1024,
		"premedication": 64, "contrast_agent": 64,
		"q": 200, "code": 16, "birth_date": 32, "csrf_token": 128,
		"next": maxRedirectLength, "back": maxRedirectLength,
		"identity_comment": referral.MaxIdentityComment,
	}
	for field, max := range patient.MaxLength {
		limits[field] = max
	}
	for field, max := range referral.MaxLength {
		limits[field] = max
	}
	return limits
}()

// defaultFieldLimit bounds every other field: choices, numbers, dates and
// the short texts of the questionnaire and the act record.
const defaultFieldLimit = 1000

// maxAnswer bounds a questionnaire's text answer ("q.<question>").
const maxAnswer = 500

// fieldPattern is the limit of the fields whose name starts with Prefix
// and ends with Suffix (the two may overlap, as strings.HasPrefix and
// strings.HasSuffix read them).
type fieldPattern struct {
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
	Max    int    `json:"max"`
}

// fieldPatterns are the limits of the fields named by pattern, for the
// names fieldLimits does not list; the first that matches applies. The
// server (fieldLimit) and the browsers (fields.js) read this one table.
var fieldPatterns = []fieldPattern{
	{Prefix: "q.", Max: maxAnswer},
	{Prefix: "t.", Suffix: ".other", Max: maxOtherDrugName}, // a treatment's row, readQuestionnaire
}

// fieldLimit is the server's limit for a field: the handlers check it, guard
// refuses beyond it and the templates give it as maxlength.
func fieldLimit(name string) int {
	if max, ok := fieldLimits[name]; ok {
		return max
	}
	for _, p := range fieldPatterns {
		if strings.HasPrefix(name, p.Prefix) && strings.HasSuffix(name, p.Suffix) {
			return p.Max
		}
	}
	return defaultFieldLimit
}

// longerThanLimit reports whether a value is longer, in characters, than the
// server's limit for its field.
func longerThanLimit(field, value string) bool {
	return utf8.RuneCountInString(value) > fieldLimit(field)
}

// tooLong returns the posted fields longer than their limit, each with its
// limit.
func tooLong(form url.Values) map[string]int {
	var out map[string]int
	for name, values := range form {
		max := fieldLimit(name)
		for _, v := range values {
			if len(v) > max && utf8.RuneCountInString(v) > max {
				if out == nil {
					out = map[string]int{}
				}
				out[name] = max
			}
		}
	}
	return out
}

// lengthErrors adds to errs, per field, the message of a value longer than
// its limit, for the forms that show their errors next to each field (the
// value typed stays in the form).
func lengthErrors(r *http.Request, errs map[string]string) {
	l := localizer(r)
	for name, max := range tooLong(r.PostForm) {
		errs[name] = l.T("form.err.too_long", "Max", max)
	}
}

// lengthMessages returns, for the forms that list their errors above the
// fields, one message per too-long field, named by its label's key.
func lengthMessages(r *http.Request, labels map[string]string) []string {
	l := localizer(r)
	var out []string
	for name, max := range tooLong(r.PostForm) {
		label := name
		if key, ok := labels[name]; ok {
			label = l.T(key)
		}
		out = append(out, l.T("form.err.too_long_named", "Field", label, "Max", max))
	}
	slices.Sort(out)
	return out
}

// ownLengthErrors are the routes whose forms show a too-long field next to
// it, with what was typed. Every other route refuses a too-long field in
// guard, before its handler runs.
var ownLengthErrors = []string{
	"POST /staff/patients",
	"POST /staff/patients/{id}/referrals",
	"POST /staff/appointments/{id}/report",
	"POST /staff/referrals/{id}/screening",        // readQuestionnaire
	"POST /staff/referrals/{id}/identity/confirm", // app.ConfirmReferralIdentity
	"POST /q/{token}",
}

// maxReportBody bounds a report's text (about ten pages).
const maxReportBody = 20000

// checkLengths is guard's backstop: a query parameter, or a posted field of
// a route not in ownLengthErrors, longer than its limit is refused before
// the handler runs.
func checkLengths(pattern string, r *http.Request) error {
	if len(tooLong(r.URL.Query())) == 0 && (slices.Contains(ownLengthErrors, pattern) || len(tooLong(r.PostForm)) == 0) {
		return nil
	}
	return errStatus(http.StatusUnprocessableEntity, "error.field_too_long")
}
