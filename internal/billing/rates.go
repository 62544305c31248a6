package billing

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"sync"

	"go.yaml.in/yaml/v3"

	"repere/internal/catalog"
)

//go:embed data/rates.yaml
var ratesYAML []byte

// Source is a reference cited by a rate.
type Source struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	URL   string `yaml:"url,omitempty"`
}

// Provenance is where a rate comes from and how sure we are of it.
type Provenance struct {
	From   string         `yaml:"from"` // YYYY-MM-DD, first day the row applies
	Source string         `yaml:"source"`
	Status catalog.Status `yaml:"status"`
	Note   string         `yaml:"note,omitempty"`
}

// InsuranceRate is the share of the base tariff the national insurance pays for a cover.
type InsuranceRate struct {
	Cover      string `yaml:"cover"` // general, ald, at_mp, exempt
	Percent    int64  `yaml:"percent"`
	Provenance `yaml:",inline"`
}

// FlatContribution is the participation forfaitaire kept from the reimbursement.
type FlatContribution struct {
	AmountEUR  float64 `yaml:"amount_eur"`
	Provenance `yaml:",inline"`
}

// FlatExemption is a case of patients who do not pay the flat contribution.
// Only a confirmed exemption is applied.
type FlatExemption struct {
	Case       string `yaml:"case"` // under_18, pregnancy, c2s, ame
	Provenance `yaml:",inline"`
}

// HeavyActFee replaces the patient's share when the appointment's base reaches a threshold.
type HeavyActFee struct {
	ThresholdEUR float64 `yaml:"threshold_eur"`
	AmountEUR    float64 `yaml:"amount_eur"`
	Provenance   `yaml:",inline"`
}

// Rates is the reimbursement data: a new tariff year is a new row, not new code.
type Rates struct {
	Sources           []Source           `yaml:"sources"`
	InsuranceRates    []InsuranceRate    `yaml:"insurance_rates"`
	FlatContributions []FlatContribution `yaml:"flat_contributions"`
	FlatExemptions    []FlatExemption    `yaml:"flat_contribution_exemptions"`
	HeavyActFees      []HeavyActFee      `yaml:"heavy_act_fees"`
	Modifiers         []Modifier         `yaml:"modifiers"`
}

// Modifier is a CCAM modifier letter the act record may carry.
type Modifier struct {
	Code       string `yaml:"code"`
	Label      string `yaml:"label"`
	Provenance `yaml:",inline"`
}

// ModifierOf returns the built-in modifier with the given letter.
func ModifierOf(code string) (Modifier, bool) {
	r, err := Builtin()
	if err != nil {
		return Modifier{}, false
	}
	for _, m := range r.Modifiers {
		if m.Code == code {
			return m, true
		}
	}
	return Modifier{}, false
}

var (
	builtinOnce  sync.Once
	builtinRates *Rates
	builtinErr   error
)

// Builtin returns the rates shipped in the binary, parsed and checked once.
func Builtin() (*Rates, error) {
	builtinOnce.Do(func() { builtinRates, builtinErr = ParseRates(ratesYAML) })
	return builtinRates, builtinErr
}

// ParseRates reads and checks a rates file (unknown keys are refused).
func ParseRates(data []byte) (*Rates, error) {
	var r Rates
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("rates: invalid YAML: %w", err)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Rates) check() error {
	known := map[string]bool{}
	for _, s := range r.Sources {
		known[s.ID] = true
	}
	var all []Provenance
	for _, x := range r.InsuranceRates {
		if x.Percent < 0 || x.Percent > 100 || x.Cover == "" {
			return fmt.Errorf("rates: insurance rate %q from %s: cover and a percent in 0..100 required", x.Cover, x.From)
		}
		all = append(all, x.Provenance)
	}
	for _, x := range r.FlatContributions {
		all = append(all, x.Provenance)
	}
	for _, x := range r.FlatExemptions {
		switch x.Case {
		case CaseUnder18, CasePregnancy, CaseC2S, CaseAME:
		default:
			return fmt.Errorf("rates: flat contribution exemption %q: want %s, %s, %s or %s", x.Case, CaseUnder18, CasePregnancy, CaseC2S, CaseAME)
		}
		all = append(all, x.Provenance)
	}
	for _, x := range r.HeavyActFees {
		all = append(all, x.Provenance)
	}
	for _, x := range r.Modifiers {
		if len(x.Code) != 1 || x.Code[0] < 'A' || x.Code[0] > 'Z' {
			return fmt.Errorf("rates: modifier %q: one capital letter", x.Code)
		}
		all = append(all, x.Provenance)
	}
	for _, p := range all {
		if len(p.From) != 10 || !known[p.Source] || p.Status == "" {
			return fmt.Errorf("rates: row from %q: a YYYY-MM-DD date, a listed source and a status are required (source %q)", p.From, p.Source)
		}
	}
	return nil
}

// Source returns a cited source.
func (r *Rates) Source(id string) (Source, bool) {
	for _, s := range r.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return Source{}, false
}

// latest returns the index of the row in force on day: the latest From not after day.
func latest(n int, from func(int) string, day string) int {
	best := -1
	for i := 0; i < n; i++ {
		if f := from(i); f <= day && (best < 0 || f > from(best)) {
			best = i
		}
	}
	return best
}

func (r *Rates) insuranceRate(cover, day string) (InsuranceRate, bool) {
	var rows []InsuranceRate
	for _, x := range r.InsuranceRates {
		if x.Cover == cover {
			rows = append(rows, x)
		}
	}
	i := latest(len(rows), func(i int) string { return rows[i].From }, day)
	if i < 0 {
		return InsuranceRate{}, false
	}
	return rows[i], true
}

func (r *Rates) flatContribution(day string) (FlatContribution, bool) {
	i := latest(len(r.FlatContributions), func(i int) string { return r.FlatContributions[i].From }, day)
	if i < 0 {
		return FlatContribution{}, false
	}
	return r.FlatContributions[i], true
}

// flatExemption returns the exemption row of a case in force on day.
func (r *Rates) flatExemption(c, day string) (FlatExemption, bool) {
	var rows []FlatExemption
	for _, x := range r.FlatExemptions {
		if x.Case == c {
			rows = append(rows, x)
		}
	}
	i := latest(len(rows), func(i int) string { return rows[i].From }, day)
	if i < 0 {
		return FlatExemption{}, false
	}
	return rows[i], true
}

func (r *Rates) heavyActFee(day string) (HeavyActFee, bool) {
	i := latest(len(r.HeavyActFees), func(i int) string { return r.HeavyActFees[i].From }, day)
	if i < 0 {
		return HeavyActFee{}, false
	}
	return r.HeavyActFees[i], true
}

// Cents is an amount of money in euro cents; sums in cents never drift.
type Cents int64

// CentsOf converts euros to cents, rounding to the nearest cent.
func CentsOf(eur float64) Cents { return Cents(math.Round(eur * 100)) }

// EUR returns the amount in euros, for display.
func (c Cents) EUR() float64 { return float64(c) / 100 }

// percentOf returns pct % of c, rounded half up (amounts are never negative here).
func (c Cents) percentOf(pct int64) Cents { return Cents((int64(c)*pct + 50) / 100) }
