// Package patient holds a patient's identity as the practice records it.
package patient

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Patient is identified by two identifiers (name and birth date) and, when
// known, the national health identifier (INS).
type Patient struct {
	ID         int64
	BirthName  string
	UsedName   string
	FirstNames string
	BirthDate  string // YYYY-MM-DD
	Sex        string // F, M, U
	INS        string
	Phone      string
	Email      string
	Address    string
	CreatedAt  time.Time
}

// DisplayName is the name staff call the patient by: used name (or birth name) in
// capitals, then first names, with the birth name shown when it differs.
func (p Patient) DisplayName() string {
	name := p.UsedName
	if name == "" {
		name = p.BirthName
	}
	s := strings.ToUpper(name) + " " + p.FirstNames
	if p.UsedName != "" && !strings.EqualFold(p.UsedName, p.BirthName) {
		born := map[string]string{"F": "née", "M": "né"}[p.Sex]
		if born == "" {
			born = "né(e)"
		}
		s += " (" + born + " " + strings.ToUpper(p.BirthName) + ")"
	}
	return s
}

// Age returns the patient's age in whole years on day (0 when the birth
// date is not a date).
func (p Patient) Age(day time.Time) int {
	years, _ := AgeOn(p.BirthDate, day)
	return years
}

// AgeOn is the age in whole years on day of someone born on birthDate
// (YYYY-MM-DD): one more year from the birthday's month and day on, so
// that leap years move nothing (someone born on 29 February is a year
// older on 1 March of a common year). ok is false for a birth date that is
// not a date.
func AgeOn(birthDate string, day time.Time) (years int, ok bool) {
	born, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return 0, false
	}
	years = day.Year() - born.Year()
	if day.Month() < born.Month() || day.Month() == born.Month() && day.Day() < born.Day() {
		years--
	}
	return years, true
}

// SearchKey is the form names are compared and searched in: lower case,
// without accents, apostrophes and hyphens turned into spaces, spaces collapsed.
// "Lefèvre-Durand" and "lefevre durand" give the same key.
func SearchKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent
			continue
		case r == '-' || r == '\'' || r == '’' || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "œ", "oe")
}

// PhoneKey keeps the digits of a phone number, with a French +33 prefix turned
// into the national 0, so "+33 6 12 34 56 78" and "06.12.34.56.78" match.
func PhoneKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	digits := b.String()
	if strings.HasPrefix(strings.TrimSpace(s), "+33") && strings.HasPrefix(digits, "33") {
		digits = "0" + digits[2:]
	}
	return digits
}

// MaxLength is the longest value, in characters, each identity field takes:
// longer than any real name, address or number, short enough that a pasted
// document or a flood cannot fill the database, the pages and the letters.
var MaxLength = map[string]int{
	"birth_name": 100, "used_name": 100, "first_names": 150,
	"ins": 15, "phone": 32, "email": MaxEmailLength, "address": 300,
}

// MaxEmailLength is the longest email address (RFC 5321 path limit).
const MaxEmailLength = 254

// ErrTooLong is the message key of a field longer than MaxLength; the
// message takes the limit as "Max".
const ErrTooLong = "form.err.too_long"

// Validate returns, per form field, the message key of what is wrong (empty when valid).
func (p Patient) Validate(today time.Time) map[string]string {
	problems := map[string]string{}
	if strings.TrimSpace(p.BirthName) == "" {
		problems["birth_name"] = "patient.err.birth_name"
	}
	if strings.TrimSpace(p.FirstNames) == "" {
		problems["first_names"] = "patient.err.first_names"
	}
	born, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil || born.After(today) || born.Year() < 1900 {
		problems["birth_date"] = "patient.err.birth_date"
	}
	if p.Sex != "F" && p.Sex != "M" && p.Sex != "U" {
		problems["sex"] = "patient.err.sex"
	}
	if p.INS != "" && !validINS(p.INS) {
		problems["ins"] = "patient.err.ins"
	}
	if p.Phone != "" && len(PhoneKey(p.Phone)) < 10 {
		problems["phone"] = "patient.err.phone"
	}
	if p.Email != "" && (!strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " <>")) {
		problems["email"] = "patient.err.email"
	}
	for field, value := range map[string]string{"birth_name": p.BirthName, "used_name": p.UsedName, "first_names": p.FirstNames,
		"ins": p.INS, "phone": p.Phone, "email": p.Email, "address": p.Address} {
		if utf8.RuneCountInString(value) > MaxLength[field] {
			problems[field] = ErrTooLong // said before any other problem of the field
		}
	}
	return problems
}

// validINS checks the shape and key of the national health identifier: the
// 13-character NIR (Corsica's 2A/2B allowed) followed by its 2-digit key,
// 97 minus the NIR modulo 97.
func validINS(ins string) bool {
	ins = strings.ReplaceAll(strings.ToUpper(ins), " ", "")
	if len(ins) != 15 {
		return false
	}
	body := ins[:13]
	body = strings.Replace(strings.Replace(body, "2A", "19", 1), "2B", "18", 1)
	var n, key uint64
	for _, r := range body {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + uint64(r-'0')
	}
	for _, r := range ins[13:] {
		if r < '0' || r > '9' {
			return false
		}
		key = key*10 + uint64(r-'0')
	}
	return 97-n%97 == key
}

// SortedProblems returns the message keys of Validate's problems in a
// stable order (by field).
func SortedProblems(problems map[string]string) []string {
	fields := make([]string, 0, len(problems))
	for f := range problems {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = problems[f]
	}
	return keys
}
