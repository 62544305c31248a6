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
