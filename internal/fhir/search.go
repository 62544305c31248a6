package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Search results are paged with _count (default DefaultCount, at most
// MaxCount) and _offset; _format and _pretty are understood too.
const (
	DefaultCount = 20
	MaxCount     = 100
	maxOffset    = 100000
)

// resultParams are the parameters every search takes (_sort, _include and
// _revinclude take the values each resource type declares).
var resultParams = []string{"_count", "_offset", "_format", "_pretty", "_summary", "_elements", "_sort", "_include", "_revinclude"}

// params reads a search's parameters. A resource asks for each parameter
// it declares; check then refuses (strict) or reports (lenient) the rest.
type params struct {
	kind    *kind
	values  url.Values
	used    url.Values // what the search understood, for the self link
	issues  []Issue
	ignored []string
	lenient bool
	loc     *time.Location
	page    Page
	sort    []Sort
	// elements are the elements asked for with _elements (nil: all).
	elements []string
	includes []string // _include values, checked against the kind's
	revs     []string // _revinclude values
}

func newParams(r *http.Request, k *kind, loc *time.Location) *params {
	return newParamsFrom(r.URL.Query(), lenient(r), k, loc)
}

// newParamsFrom reads search parameters given as values (a conditional
// create's If-None-Exist, a transaction entry's ifNoneExist).
func newParamsFrom(values url.Values, lenient bool, k *kind, loc *time.Location) *params {
	p := &params{kind: k, values: values, used: url.Values{}, lenient: lenient, loc: loc,
		page: Page{Count: DefaultCount}}
	if v := p.single("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			p.bad("_count", "must be a positive integer")
		}
		p.page.Count = min(max(n, 1), MaxCount)
		p.used.Set("_count", strconv.Itoa(p.page.Count))
	}
	if v := p.single("_offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxOffset {
			p.bad("_offset", fmt.Sprintf("must be an integer from 0 to %d", maxOffset))
		}
		p.page.Offset = min(max(n, 0), maxOffset)
		p.used.Set("_offset", strconv.Itoa(p.page.Offset))
	}
	p.results()
	return p
}

// results reads _summary, _elements, _sort, _include and _revinclude.
func (p *params) results() {
	switch v := p.single("_summary"); v {
	case "", "false":
	case "count":
		p.page.Count = -1
		p.used.Set("_summary", v)
	default:
		p.bad("_summary", "only count (and false) are supported")
	}
	for _, v := range p.list("_elements") {
		if !elementName.MatchString(v) {
			p.bad("_elements", fmt.Sprintf("%q is not an element name", v))
		}
		p.elements = append(p.elements, v)
	}
	if p.elements != nil {
		p.used.Set("_elements", strings.Join(p.elements, ","))
	}
	for _, v := range p.list("_sort") {
		key, desc := strings.TrimPrefix(v, "-"), strings.HasPrefix(v, "-")
		store, ok := p.kind.sorts[key]
		if !ok {
			p.bad("_sort", fmt.Sprintf("%s cannot be sorted by %q (see /fhir/metadata)", p.kind.name, key))
			continue
		}
		p.sort = append(p.sort, Sort{Key: store, Desc: desc})
	}
	if p.sort != nil {
		p.used.Set("_sort", strings.Join(p.values["_sort"], ","))
	}
	for _, v := range p.values["_include"] {
		if _, ok := p.kind.includes[v]; !ok {
			p.bad("_include", fmt.Sprintf("%q is not served (see /fhir/metadata)", v))
			continue
		}
		p.includes = append(p.includes, v)
		p.used.Add("_include", v)
	}
	for _, v := range p.values["_revinclude"] {
		if _, ok := p.kind.revincludes[v]; !ok {
			p.bad("_revinclude", fmt.Sprintf("%q is not served (see /fhir/metadata)", v))
			continue
		}
		p.revs = append(p.revs, v)
		p.used.Add("_revinclude", v)
	}
}

var elementName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)

// list returns the comma-separated values of a parameter given once: a
// list means any of them. nil when absent. "\," is a literal comma.
func (p *params) list(name string) []string {
	v := p.single(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, part := range splitList(v) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// splitList splits on commas not escaped with a backslash.
func splitList(v string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == ',':
			cur.WriteByte(',')
			i++
		case v[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(v[i])
		}
	}
	return append(out, cur.String())
}

// idList reads _id: the numeric ids listed (nil when absent; an empty, not
// nil, list when none can exist).
func (p *params) idList() []int64 {
	vs := p.list("_id")
	if vs == nil {
		return nil
	}
	out := []int64{}
	for _, v := range vs {
		if id, ok := numericID(v); ok {
			out = append(out, id)
		}
	}
	return out
}

// tokens reads a token parameter's list.
func (p *params) tokens(name string) []tokenValue {
	var out []tokenValue
	for _, v := range p.list(name) {
		system, value, has := token(v)
		out = append(out, tokenValue{system, value, has})
	}
	return out
}

type tokenValue struct {
	system, value string
	hasSystem     bool
}

// refList reads a reference parameter's list ("Type/123", "123" or an
// absolute URL of this server): nil when absent.
func (p *params) refList(name, typ string) []int64 {
	vs := p.list(name)
	if vs == nil {
		return nil
	}
	out := []int64{}
	for _, v := range vs {
		if i := strings.LastIndex(v, "/"+typ+"/"); i >= 0 {
			v = v[i+1:]
		}
		v = strings.TrimPrefix(v, typ+"/")
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			p.bad(name, "must be "+typ+"/<id>")
			continue
		}
		out = append(out, id)
	}
	return out
}

// both intersects two lists of ids where nil means "any".
func both(a, b []int64) []int64 {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := []int64{}
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// changed reads _lastUpdated.
func (p *params) changed() Changed {
	b := p.dates("_lastUpdated", false)
	return Changed{ChangedFrom: b.from, ChangedTo: b.to}
}

func (p *params) bad(name, msg string) {
	p.issues = append(p.issues, Issue{Severity: "error", Code: "invalid", Diagnostics: "search parameter " + name + ": " + msg})
}

// all returns the values of a declared parameter, a repeated parameter
// giving several (they must all match).
func (p *params) all(name string) []string {
	if !slices.Contains(resultParams, name) && !p.kind.declares(name) {
		panic("fhir: " + p.kind.name + " reads undeclared search parameter " + name)
	}
	vs := p.values[name]
	for _, v := range vs {
		if !slices.Contains(resultParams, name) {
			p.used.Add(name, v)
		}
	}
	return vs
}

// single returns the one value of a parameter ("" when absent).
func (p *params) single(name string) string {
	vs := p.all(name)
	if len(vs) > 1 {
		p.bad(name, "may be given once")
	}
	if len(vs) == 0 {
		return ""
	}
	return strings.TrimSpace(vs[0])
}

// check ends the reading: invalid values, and unknown parameters unless
// the client prefers lenient handling, are a 400.
func (p *params) check() error {
	for name := range p.values {
		if slices.Contains(resultParams, name) || p.kind.declares(name) {
			continue
		}
		if p.lenient {
			p.ignored = append(p.ignored, name)
			continue
		}
		p.issues = append(p.issues, Issue{Severity: "error", Code: "not-supported",
			Diagnostics: "unknown search parameter " + name + " for " + p.kind.name + " (see /fhir/metadata; send Prefer: handling=lenient to ignore it)"})
	}
	slices.Sort(p.ignored)
	slices.SortFunc(p.issues, func(a, b Issue) int { return strings.Compare(a.Diagnostics, b.Diagnostics) })
	if len(p.issues) > 0 {
		return &InvalidError{Status: http.StatusBadRequest, Issues: p.issues}
	}
	return nil
}

// token splits "system|code"; hasSystem is false for a bare code, which
// matches any system.
func token(v string) (system, code string, hasSystem bool) {
	system, code, hasSystem = strings.Cut(v, "|")
	if !hasSystem {
		return "", system, false
	}
	return system, code, true
}

// codes reads a status-like parameter: comma-separated codes of a value set
// (any of them). given is false when the parameter is absent; a given
// parameter whose codes find nothing here yields an empty list.
func codes[S any](p *params, name string, set map[string][]S) (list []S, given bool) {
	vs := p.list(name)
	if vs == nil {
		return nil, false
	}
	for _, c := range vs {
		found, ok := set[strings.TrimSpace(c)]
		if !ok {
			p.bad(name, fmt.Sprintf("unknown code %q", c))
		}
		list = append(list, found...)
	}
	return list, true
}

// bounds is a half-open time range [from, to); a zero end is unbounded.
type bounds struct{ from, to time.Time }

func (b *bounds) narrow(prefix string, lo, hi time.Time) {
	raise := func(t time.Time) {
		if b.from.IsZero() || t.After(b.from) {
			b.from = t
		}
	}
	lower := func(t time.Time) {
		if b.to.IsZero() || t.Before(b.to) {
			b.to = t
		}
	}
	switch prefix {
	case "eq":
		raise(lo)
		lower(hi)
	case "ge":
		raise(lo)
	case "gt":
		raise(hi)
	case "le":
		lower(hi)
	case "lt":
		lower(lo)
	}
}

// empty tells whether nothing can be in the range.
func (b bounds) empty() bool { return !b.from.IsZero() && !b.to.IsZero() && !b.from.Before(b.to) }

// days returns the range as included first and last days (YYYY-MM-DD).
func (b bounds) days() (first, last string) {
	if !b.from.IsZero() {
		first = b.from.Format(time.DateOnly)
	}
	if !b.to.IsZero() {
		last = b.to.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return first, last
}

var datePrefix = regexp.MustCompile(`^[a-z]{2}`)

// dates reads a date parameter, every repeat narrowing the range. With
// dayOnly the values are calendar dates (YYYY, YYYY-MM or YYYY-MM-DD);
// otherwise a dateTime is allowed and dates are days in the practice's zone.
func (p *params) dates(name string, dayOnly bool) bounds {
	var b bounds
	for _, v := range p.all(name) {
		prefix := "eq"
		if m := datePrefix.FindString(v); m != "" {
			prefix, v = m, v[2:]
		}
		if !slices.Contains([]string{"eq", "ge", "gt", "le", "lt"}, prefix) {
			p.bad(name, "prefix "+prefix+" is not supported (eq, ge, gt, le, lt)")
			continue
		}
		lo, hi, err := dateRange(v, p.loc, dayOnly)
		if err != nil {
			p.bad(name, err.Error())
			continue
		}
		b.narrow(prefix, lo, hi)
	}
	return b
}

// dateRange is the range a date or dateTime value covers at its precision.
func dateRange(v string, loc *time.Location, dayOnly bool) (lo, hi time.Time, err error) {
	zone := loc
	if dayOnly {
		zone = time.UTC
	}
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	} {
		if len(v) == len(f.layout) {
			if t, err := time.ParseInLocation(f.layout, v, zone); err == nil {
				return t, f.next(t), nil
			}
		}
	}
	if !dayOnly {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, t.Add(time.Second), nil
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc); err == nil {
			return t, t.Add(time.Second), nil
		}
		if t, err := time.ParseInLocation("2006-01-02T15:04", v, loc); err == nil {
			return t, t.Add(time.Minute), nil
		}
	}
	if dayOnly {
		return lo, hi, errors.New("must be a date (YYYY, YYYY-MM or YYYY-MM-DD) with an optional prefix")
	}
	return lo, hi, errors.New("must be a date or dateTime with an optional prefix")
}
