package patient

import (
	"strings"
	"testing"
	"time"
)

func TestSearchKey(t *testing.T) {
	for in, want := range map[string]string{"Lefèvre": "lefevre", " Dupré-Lenoir ": "dupre lenoir", "D'Œillet": "d oeillet", "Gaëlle  Marie": "gaelle marie", "": ""} {
		if got := SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneKey(t *testing.T) {
	for in, want := range map[string]string{"+33 6 12 34 56 78": "0612345678", "06.12.34.56.78": "0612345678", "0033612": "0033612", "": ""} {
		if got := PhoneKey(in); got != want {
			t.Errorf("PhoneKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ok := Patient{BirthName: "Caron", FirstNames: "Françoise", BirthDate: "1958-09-30", Sex: "F", INS: "2580975123456" + insKey("2580975123456"), Phone: "06 12 34 56 78", Email: "f@example.org"}
	if p := ok.Validate(today); len(p) != 0 {
		t.Fatalf("valid patient refused: %v", p)
	}
	bad := Patient{BirthDate: "2030-01-01", Sex: "X", INS: "258097512345600", Phone: "12", Email: "nope"}
	problems := bad.Validate(today)
	for _, field := range []string{"birth_name", "first_names", "birth_date", "sex", "ins", "phone", "email"} {
		if problems[field] == "" {
			t.Errorf("%s not reported", field)
		}
	}
	long := ok
	long.BirthName, long.Address = strings.Repeat("a", 200_000), strings.Repeat("rue ", 100)
	if p := long.Validate(today); p["birth_name"] != ErrTooLong || p["address"] != ErrTooLong || len(p) != 2 {
		t.Errorf("200 KB name and 400-character address: %v", p)
	}
	long = ok
	long.BirthName = strings.Repeat("é", MaxLength["birth_name"]) // characters, not bytes
	if p := long.Validate(today); len(p) != 0 {
		t.Errorf("a name of exactly the limit refused: %v", p)
	}
	corsica := Patient{BirthName: "A", FirstNames: "B", BirthDate: "1980-01-01", Sex: "M", INS: "180012A123456" + insKey("1800119123456")}
	if p := corsica.Validate(today); p["ins"] != "" {
		t.Errorf("Corsican INS refused: %v", corsica.INS)
	}
}

// insKey computes the key of a 13-digit NIR the way the rule states it.
func insKey(nir string) string {
	var n uint64
	for _, r := range nir {
		n = n*10 + uint64(r-'0')
	}
	k := 97 - n%97
	return string(rune('0'+k/10)) + string(rune('0'+k%10))
}

// TestAgeOn: a year more from the birthday's month and day on, whatever
// the leap years between (the day of the year moves by one after
// February in a leap year).
func TestAgeOn(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		born, on string
		want     int
	}{
		{"1990-03-01", "2024-02-29", 33}, // leap year: 29 February is day 60, as 1 March of 1990
		{"1990-03-01", "2024-03-01", 34},
		{"1990-12-31", "2024-12-30", 33}, // leap year: 30 December is day 365, as 31 December of 1990
		{"2000-02-29", "2023-02-28", 22},
		{"2000-02-29", "2023-03-01", 23},
		{"2000-06-15", "2000-06-15", 0},
	} {
		if got, ok := AgeOn(c.born, day(c.on)); !ok || got != c.want {
			t.Errorf("born %s, on %s: %d, want %d", c.born, c.on, got, c.want)
		}
	}
	if _, ok := AgeOn("1990-13-01", day("2024-01-01")); ok {
		t.Error("a birth date that is not a date gave an age")
	}
	if got := (Patient{BirthDate: "1990-12-31"}).Age(day("2024-12-30")); got != 33 {
		t.Errorf("Patient.Age: %d", got)
	}
}
