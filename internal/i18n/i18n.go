// Package i18n translates the interface: French by default, English available.
// Messages live in locales/<lang>.yaml (flat keys); go-i18n picks the language
// and handles plurals. French dates are formatted here because Go's time
// package only knows English names.
package i18n

import (
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed locales/*.yaml
var locales embed.FS

// Default is the language used when nothing else is asked for.
const Default = "fr"

// Supported lists the interface languages, default first.
var Supported = []string{"fr", "en"}

// Bundle holds every message of every language.
type Bundle struct {
	b    *goi18n.Bundle
	keys map[string][]string // lang -> sorted keys

	// OnMissing, when set, is called with every key that has no message
	// (tests use it to fail on untranslated text).
	OnMissing func(lang, key string)
}

// Load reads the embedded message files.
func Load() (*Bundle, error) {
	b := goi18n.NewBundle(language.French)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	keys := map[string][]string{}
	for _, lang := range Supported {
		name := "locales/" + lang + ".yaml"
		data, err := locales.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, lang+".yaml"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var flat map[string]any
		if err := yaml.Unmarshal(data, &flat); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k := range flat {
			keys[lang] = append(keys[lang], k)
		}
		sort.Strings(keys[lang])
	}
	return &Bundle{b: b, keys: keys}, nil
}

// Keys returns the message keys defined for lang.
func (b *Bundle) Keys(lang string) []string { return b.keys[lang] }

// Pick chooses the interface language: an explicit choice (query or cookie)
// wins, then the browser's Accept-Language, then French.
func Pick(explicit, acceptLanguage string) string {
	if explicit = strings.ToLower(strings.TrimSpace(explicit)); explicit != "" {
		for _, l := range Supported {
			if explicit == l {
				return l
			}
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err == nil {
		for _, t := range tags {
			base, _ := t.Base()
			for _, l := range Supported {
				if base.String() == l {
					return l
				}
			}
		}
	}
	return Default
}

// Localizer translates into one language.
type Localizer struct {
	Lang   string
	l      *goi18n.Localizer
	bundle *Bundle
}

// For returns the localizer of lang.
func (b *Bundle) For(lang string) *Localizer {
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(b.b, lang, Default), bundle: b}
}

// T translates key; args are name/value pairs for the message template
// ("Count", 3). A missing key shows as the key itself, so it is visible and
// caught by the tests rather than crashing a page.
func (l *Localizer) T(key string, args ...any) string {
	data := map[string]any{}
	var count any
	for i := 0; i+1 < len(args); i += 2 {
		name := fmt.Sprint(args[i])
		data[name] = args[i+1]
		if name == "Count" {
			count = args[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		if l.bundle != nil && l.bundle.OnMissing != nil {
			l.bundle.OnMissing(l.Lang, key)
		}
		return key
	}
	return s
}

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// Date formats a day in full: "lundi 23 novembre 2026" / "Monday 23 November 2026".
func (l *Localizer) Date(t time.Time) string {
	if l.Lang == "fr" {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %s %d", frDays[t.Weekday()], day, frMonths[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// ShortDate formats a day as 23/11/2026 (the French and British order).
func (l *Localizer) ShortDate(t time.Time) string { return t.Format("02/01/2006") }

// Label translates key when the catalogue has it, else gives fallback (a
// code shown as it is, such as an audit action no label names yet).
func (l *Localizer) Label(key, fallback string) string {
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: key})
	if err != nil {
		return fallback
	}
	return s
}

// Day formats a calendar day stored as YYYY-MM-DD (a birth date, a
// prescription's date) as 23/11/2026; anything else is shown as it is.
func (l *Localizer) Day(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return l.ShortDate(t)
}

// Time formats a clock time: "14 h 30" in French, "14:30" in English.
func (l *Localizer) Time(t time.Time) string {
	if l.Lang == "fr" {
		return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	}
	return t.Format("15:04")
}

// DateTime formats a moment as short date and time.
func (l *Localizer) DateTime(t time.Time) string { return l.ShortDate(t) + " " + l.Time(t) }

// Minutes formats a duration in minutes as "1 h 30" or "45 min".
func (l *Localizer) Minutes(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	default:
		return fmt.Sprintf("%d h %02d", m/60, m%60)
	}
}

// Decimal writes a number with the given decimals, with a decimal comma in
// French: "80,6" / "80.6".
func (l *Localizer) Decimal(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if l.Lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Signed is Decimal with its sign always written: "+1,5", "-3,5".
func (l *Localizer) Signed(v float64, digits int) string {
	if v >= 0 {
		return "+" + l.Decimal(v, digits)
	}
	return l.Decimal(v, digits)
}

// Measure writes an optional measure with the decimals it has ("" when
// absent): "98,4" / "98.4".
func (l *Localizer) Measure(v *float64) string {
	if v == nil {
		return ""
	}
	return l.Decimal(*v, -1)
}

// Euros formats an amount: "32,18 €" in French, "€32.18" in English.
func (l *Localizer) Euros(v float64) string {
	if l.Lang == "fr" {
		return strings.Replace(fmt.Sprintf("%.2f", v), ".", ",", 1) + "\u00a0€"
	}
	return fmt.Sprintf("€%.2f", v)
}
