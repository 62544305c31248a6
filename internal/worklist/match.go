package worklist

import (
	"errors"
	"slices"
	"strings"

	"repere/internal/dimse"
)

// compileMatcher returns the matcher for one key with a value, or nil for
// universal matching (empty value, or "*" alone: PS3.4 C.2.2.2.3).
func compileMatcher(attr *attribute, value string) (func(it *Item) bool, error) {
	if value == "" || value == "*" {
		return nil, nil
	}
	get := attr.text
	switch attr.vr {
	case dimse.DA:
		r, err := parseDateRange(value)
		if err != nil {
			return nil, err
		}
		return func(it *Item) bool { return r.contains(get(it)) }, nil
	case dimse.TM:
		r, err := parseTimeRange(value)
		if err != nil {
			return nil, err
		}
		return func(it *Item) bool { return r.contains(timeKey(get(it), '0')) }, nil
	case dimse.UI:
		// List of UID matching (C.2.2.2.2).
		uids := strings.Split(value, `\`)
		return func(it *Item) bool { return slices.Contains(uids, get(it)) }, nil
	case dimse.PN:
		// Names are matched case-insensitively, as dcmtk and most archives
		// do: consoles send what the operator typed.
		p := compilePattern(strings.TrimRight(value, "^"), true)
		return func(it *Item) bool { return p.matchAny(strings.TrimRight(get(it), "^")) }, nil
	}
	p := compilePattern(value, false)
	return func(it *Item) bool { return p.matchAny(get(it)) }, nil
}

// pattern is single value matching, or wildcard matching when the value
// holds '*' or '?' (C.2.2.2.1 and C.2.2.2.4).
type pattern struct {
	runes    []rune
	literal  string
	wildcard bool
	fold     bool
}

func compilePattern(value string, fold bool) *pattern {
	if fold {
		value = strings.ToUpper(value)
	}
	return &pattern{
		runes:    []rune(value),
		literal:  value,
		wildcard: strings.ContainsAny(value, "*?"),
		fold:     fold,
	}
}

// matchAny matches any of the values of a multi-valued attribute.
func (p *pattern) matchAny(value string) bool {
	if value == "" {
		return false
	}
	if p.fold {
		value = strings.ToUpper(value)
	}
	if !strings.Contains(value, `\`) {
		return p.match(value)
	}
	return slices.ContainsFunc(strings.Split(value, `\`), p.match)
}

func (p *pattern) match(value string) bool {
	if !p.wildcard {
		return value == p.literal
	}
	return globMatch(p.runes, []rune(value))
}

// globMatch matches '*' (any run, even empty) and '?' (one character) with
// the classic backtracking on the last star: linear in practice.
func globMatch(pat, s []rune) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || pat[p] == s[i]):
			p++
			i++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// textRange is an inclusive range of values that compare as strings, as
// normalised dates and times do; an empty bound is open.
type textRange struct{ lower, upper string }

func (r textRange) contains(value string) bool {
	if value == "" {
		return false
	}
	return (r.lower == "" || value >= r.lower) && (r.upper == "" || value <= r.upper)
}

var errBadRange = errors.New("invalid date or time range")

// splitRange splits "A-B", "-B", "A-" or a single value "A" (as A-A).
func splitRange(value string) (lower, upper string, err error) {
	lower, upper, isRange := strings.Cut(value, "-")
	if !isRange {
		return value, value, nil
	}
	if lower == "" && upper == "" || strings.Contains(upper, "-") {
		return "", "", errBadRange
	}
	return lower, upper, nil
}

// parseDateRange reads a DA value or range (C.2.2.2.5).
func parseDateRange(value string) (textRange, error) {
	lower, upper, err := splitRange(value)
	if err != nil {
		return textRange{}, err
	}
	for _, d := range []*string{&lower, &upper} {
		// ACR-NEMA dates "YYYY.MM.DD" are still sent by old consoles.
		*d = strings.ReplaceAll(*d, ".", "")
		if *d != "" && (len(*d) != 8 || !allDigits(*d)) {
			return textRange{}, errBadRange
		}
	}
	return textRange{lower, upper}, nil
}

// parseTimeRange reads a TM value or range. A bound with less precision
// covers its whole span: "10-11" is 10:00:00 to 11:59:59.999999.
func parseTimeRange(value string) (textRange, error) {
	lower, upper, err := splitRange(value)
	if err != nil {
		return textRange{}, err
	}
	if !validTime(lower) || !validTime(upper) {
		return textRange{}, errBadRange
	}
	r := textRange{}
	if lower != "" {
		r.lower = timeKey(lower, '0')
	}
	if upper != "" {
		r.upper = timeKey(upper, '9')
	}
	return r, nil
}

func validTime(t string) bool {
	t = strings.ReplaceAll(t, ":", "")
	whole, fraction, _ := strings.Cut(t, ".")
	return len(whole)%2 == 0 && len(whole) <= 6 && allDigits(whole) && len(fraction) <= 6 && allDigits(fraction)
}

// timeKey normalises a TM to HHMMSS.FFFFFF, filling missing digits with pad
// ('0' for a lower bound or a value, '9' for an upper bound), so that times
// compare as strings.
func timeKey(t string, pad byte) string {
	if t == "" {
		return ""
	}
	t = strings.ReplaceAll(t, ":", "")
	whole, fraction, _ := strings.Cut(t, ".")
	if len(whole) < 6 {
		fraction = "" // a fraction only means something after seconds
	}
	key := []byte(whole + strings.Repeat(string(pad), 6-len(whole)) + "." + fraction)
	for len(key) < 13 {
		key = append(key, pad)
	}
	return string(key)
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// combinedStart implements the combined date-time matching of the
// scheduled start (C.2.2.2.5.1): with date 20250610-20250611 and time
// 1400-0900, the step must start between 10 June 14:00 and 11 June 09:00,
// not at 14:00-09:00 on each day. It returns nil when the identifier does
// not give both the start date and the start time.
func combinedStart(identifier *dimse.Dataset, attrs level, cs dimse.Charset) (func(it *Item) bool, error) {
	dateAttr, timeAttr := attrs.find(dimse.TagSPSStartDate), attrs.find(dimse.TagSPSStartTime)
	if dateAttr == nil || timeAttr == nil {
		return nil, nil
	}
	dateValue := identifier.String(dimse.TagSPSStartDate, cs)
	timeValue := identifier.String(dimse.TagSPSStartTime, cs)
	if dateValue == "" || dateValue == "*" || timeValue == "" || timeValue == "*" {
		return nil, nil
	}
	dates, err := parseDateRange(dateValue)
	if err != nil {
		return nil, invalidQuery(dimse.TagSPSStartDate, "%s: %v", dimse.TagSPSStartDate, err)
	}
	times, err := parseTimeRange(timeValue)
	if err != nil {
		return nil, invalidQuery(dimse.TagSPSStartTime, "%s: %v", dimse.TagSPSStartTime, err)
	}
	r := textRange{}
	if dates.lower != "" {
		r.lower = dates.lower + orDefault(times.lower, "000000.000000")
	}
	if dates.upper != "" {
		r.upper = dates.upper + orDefault(times.upper, "999999.999999")
	}
	return func(it *Item) bool {
		date := dateAttr.text(it)
		if date == "" {
			return false
		}
		return r.contains(date + timeKey(orDefault(timeAttr.text(it), "000000"), '0'))
	}, nil
}
