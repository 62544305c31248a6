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

// resultParams are the parameters every search takes.
var resultParams = []string{"_count", "_offset", "_format", "_pretty"}

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
}

func newParams(r *http.Request, k *kind, loc *time.Location) *params {
	p := &params{kind: k, values: r.URL.Query(), used: url.Values{}, lenient: lenient(r), loc: loc,
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
	return p
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

// ref reads a reference parameter: "Type/123", or "123". 0 when absent.
func (p *params) ref(name, typ string) int64 {
	v := p.single(name)
	if v == "" {
		return 0
	}
	if i := strings.LastIndex(v, "/"+typ+"/"); i >= 0 {
		v = v[i+1:]
	}
	v = strings.TrimPrefix(v, typ+"/")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		p.bad(name, "must be "+typ+"/<id>")
		return -1
	}
	return id
}

// id reads _id: a positive number, 0 when absent, -1 when it cannot exist.
func (p *params) id() int64 {
	v := p.single("_id")
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return -1
	}
	return id
}

// codes reads a status-like parameter: comma-separated codes of a value set
// (any of them). given is false when the parameter is absent; a given
// parameter whose codes find nothing here yields an empty list.
func codes[S any](p *params, name string, set map[string][]S) (list []S, given bool) {
	v := p.single(name)
	if v == "" {
		return nil, false
	}
	for _, c := range strings.Split(v, ",") {
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
