// Package patient holds a patient's identity as the practice records it.
package patient

import (
	"strings"
	"time"
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
		s += " (née " + strings.ToUpper(p.BirthName) + ")"
	}
	return s
}

// Age returns the patient's age in whole years on day.
func (p Patient) Age(day time.Time) int {
	born, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil {
		return 0
	}
	years := day.Year() - born.Year()
	if day.YearDay() < born.YearDay() {
		years--
	}
	return years
}
