package patient

import (
	"testing"
	"time"
)

// FuzzValidate: any identity typed in the form is validated without panic,
// and what is accepted has a parseable birth date in the past.
func FuzzValidate(f *testing.F) {
	f.Add("Lefèvre", "Zoé", "1991-04-12", "F", "", "06 12 34 56 78")
	f.Add("", "", "2999-01-01", "X", "2910460123456", "+33")
	f.Fuzz(func(t *testing.T, name, first, born, sex, ins, phone string) {
		p := Patient{BirthName: name, FirstNames: first, BirthDate: born, Sex: sex, INS: ins, Phone: phone}
		now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		if len(p.Validate(now)) == 0 {
			d, err := time.Parse(time.DateOnly, born)
			if err != nil || d.After(now) {
				t.Fatalf("accepted birth date %q", born)
			}
		}
		SearchKey(name)
		PhoneKey(phone)
	})
}
