package patient

import "testing"

func TestDisplayNameSaysBornByTheSex(t *testing.T) {
	for _, c := range []struct {
		p    Patient
		want string
	}{
		{Patient{BirthName: "Caron", UsedName: "Dupré", FirstNames: "Françoise", Sex: "F"}, "DUPRÉ Françoise (née CARON)"},
		{Patient{BirthName: "Martin", UsedName: "Martin-Roux", FirstNames: "Paul", Sex: "M"}, "MARTIN-ROUX Paul (né MARTIN)"},
		{Patient{BirthName: "Leroy", UsedName: "Blanc", FirstNames: "Camille", Sex: "U"}, "BLANC Camille (né(e) LEROY)"},
		{Patient{BirthName: "Petit", FirstNames: "Thierry", Sex: "M"}, "PETIT Thierry"},
	} {
		if got := c.p.DisplayName(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
