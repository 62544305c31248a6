package i18n

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEveryKeyInEveryLanguage(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b.Keys("fr"), b.Keys("en")); diff != "" {
		t.Fatalf("fr and en message keys differ (-fr +en):\n%s", diff)
	}
	if len(b.Keys("fr")) < 20 {
		t.Fatalf("only %d keys loaded", len(b.Keys("fr")))
	}
}

func TestPick(t *testing.T) {
	cases := []struct{ explicit, accept, want string }{
		{"", "", "fr"},
		{"en", "fr-FR", "en"},
		{"EN", "", "en"},
		{"de", "", "fr"},
		{"", "en-GB,en;q=0.9,fr;q=0.8", "en"},
		{"", "de-DE,fr;q=0.5", "fr"},
		{"", "de-DE", "fr"},
		{"", "garbage;;;", "fr"},
	}
	for _, c := range cases {
		if got := Pick(c.explicit, c.accept); got != c.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", c.explicit, c.accept, got, c.want)
		}
	}
}

func TestFormats(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fr, en := b.For("fr"), b.For("en")
	day := time.Date(2026, 12, 1, 8, 5, 0, 0, time.UTC)
	checks := []struct{ got, want string }{
		{fr.Date(day), "mardi 1er décembre 2026"},
		{fr.Date(day.AddDate(0, 1, 14)), "vendredi 15 janvier 2027"},
		{en.Date(day), "Tuesday 1 December 2026"},
		{fr.Time(day), "8 h 05"},
		{en.Time(day), "08:05"},
		{fr.Minutes(90), "1 h 30"},
		{fr.Minutes(120), "2 h"},
		{fr.Minutes(20), "20 min"},
		{fr.Euros(32.18), "32,18\u00a0€"},
		{en.Euros(32.18), "€32.18"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if got := fr.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key rendered as %q", got)
	}
}

func TestDay(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"1991-04-12": "12/04/1991", "": "", "12/04/1991": "12/04/1991", "1991-13-01": "1991-13-01"} {
		if got := b.For("fr").Day(in); got != want {
			t.Errorf("Day(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEnglishSaysAppointmentLetter: the English interface calls the
// patient's letter an "appointment letter", as its documents and emails
// do, never the French "convocation" (an assembly, in English).
func TestEnglishSaysAppointmentLetter(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en := b.For("en")
	for _, key := range b.Keys("en") {
		if msg := en.T(key, "Count", 2); strings.Contains(strings.ToLower(msg), "convocation") {
			t.Errorf("%s: %q", key, msg)
		}
	}
}
