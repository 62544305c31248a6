// Package billing computes the cost estimate of an act for a patient: its
// CCAM codes (from the catalogue), their tariffs on the act's day and the
// radiologist's grid (the tariff table: data/tariffs.csv, overlaid by the
// extracts a practice imports), the share the national health insurance pays
// and the flat contribution with its exemptions (data/rates.yaml), the 24 EUR
// flat fee of heavy acts, the radiologist's extra fee, and what is left for
// the patient before any complementary insurance.
//
// Amounts are kept in cents. A code without a tariff never counts as 0 EUR:
// the estimate is then marked Unpriced and says why. Every value that is not
// confirmed gives the estimate a Note, which the documents print as one
// sentence.
package billing

import (
	"errors"
	"fmt"
	"time"

	"repere/internal/catalog"
)

// Covers the secretary can choose; anything else is refused.
const (
	CoverGeneral = "general" // the usual 70 % case
	CoverALD     = "ald"     // long-term illness (affection de longue durée), care related to it
	CoverATMP    = "at_mp"   // work accident or occupational disease
	CoverExempt  = "exempt"  // another exemption from the patient's share
	CoverC2S     = "c2s"     // complémentaire santé solidaire
	CoverAME     = "ame"     // aide médicale de l'État
)

// Cover is the patient's situation with the national insurance for this act.
type Cover struct {
	Exempt bool   // exempt from the patient's share (100 %)
	Reason string // when Exempt: ald, at_mp, c2s, ame or exempt (the default)
}

func (c Cover) key() (string, error) {
	if !c.Exempt {
		return CoverGeneral, nil
	}
	switch c.Reason {
	case "", CoverExempt:
		return CoverExempt, nil
	case CoverALD, CoverATMP, CoverC2S, CoverAME:
		return c.Reason, nil
	}
	return "", fmt.Errorf("billing: unknown exemption reason %q (want %s, %s, %s, %s or %s)", c.Reason, CoverALD, CoverATMP, CoverC2S, CoverAME, CoverExempt)
}

// Radiologist is what the estimate needs of the radiologist who performs the act.
type Radiologist struct {
	Convention string // sector1, sector2_optam, sector2; "" reads as sector 1
	ExtraFee   Cents  // extra fee per act (dépassement), never reimbursed
}

// Line is one billing code of the estimate.
type Line struct {
	Code     string // CCAM code; empty for a practice's placeholder
	Label    string
	Tariff   Cents // the code's tariff on the day and grid
	Percent  int   // share of the tariff billed (association with the main code)
	Base     Cents // Tariff × Percent: what is billed; 0 and Priced false when unknown
	Priced   bool
	From     string // first day of the tariff row used
	Source   string // source of the tariff (or of the code when unpriced)
	Status   catalog.Status
	Activity int
	Phase    int
}

// Note kinds: each is one sentence on the estimate.
const (
	NoteRate           = "rate"            // the cover's reimbursement rate is not confirmed (Arg: cover)
	NoteAssociation    = "association"     // the code's association rule is not confirmed (Code)
	NoteChoice         = "choice"          // the practice's billing choice is not confirmed (Text)
	NoteTariff         = "tariff"          // the tariff row is not confirmed (Code)
	NoteNoTariff       = "no_tariff"       // no tariff for the code on the day and grid (Code, Arg: grid)
	NoteNoCode         = "no_code"         // the act has a placeholder without a code (Text: label)
	NoteFlatExemption  = "flat_exemption"  // an exemption not confirmed: contribution charged (Arg: case)
	NoteMaternity      = "maternity"       // maternity cover at 100 % not confirmed
	NotePregnancyDates = "pregnancy_dates" // pregnancy declared, dates unknown: exemption not worked out
	NoteHeavyFlat      = "heavy_flat"      // the flat contribution charged on top of the 24 EUR fee: not confirmed
)

// Note is a value of the estimate that is not confirmed, or missing.
type Note struct {
	Kind   string
	Code   string
	Arg    string
	Text   catalog.Text // the catalogue's own sentence (NoteChoice) or label (NoteNoCode)
	Source string
}

// Estimate is the cost of one appointment for the patient.
//
// When Unpriced is true, at least one code has no tariff: the totals
// (BaseTotal, InsuranceShare, FlatContribution, RestToPay) are left at zero and
// must not be shown; the notes say which code.
type Estimate struct {
	Day        string // YYYY-MM-DD of the act
	Cover      Cover
	Convention string
	Grid       string
	Lines      []Line
	Unpriced   bool

	BaseTotal        Cents
	InsurancePercent int64  // 70 or 100; 0 when the heavy-act fee applies
	HeavyActFee      Cents  // flat fee replacing the patient's share, when the base reaches the threshold
	InsuranceShare   Cents  // paid by the national insurance, before the flat contribution
	FlatContribution Cents  // participation forfaitaire kept from the reimbursement
	FlatAmount       Cents  // the contribution in force on the day, charged or not
	FlatExemption    string // the case that exempts the patient (under_18, pregnancy), "" if charged
	ExtraFee         Cents  // the radiologist's extra fee (sector 2), never reimbursed by the national insurance
	RestToPay        Cents  // BaseTotal - InsuranceShare + FlatContribution + ExtraFee

	Notes []Note

	// Provenance of the rules applied, for the practice to check.
	RateSource, RateStatus string
}

// Request is one estimate to compute.
type Request struct {
	Act         *catalog.Act
	Variant     string
	Options     []string
	Day         string // YYYY-MM-DD of the act, in the practice's zone
	Patient     Patient
	Radiologist Radiologist
}

// EstimateFor computes the cost of act (in the given variant, with options) on
// day (YYYY-MM-DD) for a general patient with cover, with the radiologist's
// extra fee in euros (sector 1 grid), using the built-in rates and tariffs.
func EstimateFor(act *catalog.Act, variant string, options []string, day string, cover Cover, extraFeeEUR float64) (Estimate, error) {
	if extraFeeEUR < 0 || extraFeeEUR != extraFeeEUR || extraFeeEUR > 1e6 {
		return Estimate{}, fmt.Errorf("billing: extra fee %v: must be a positive amount or 0", extraFeeEUR)
	}
	return Compute(Request{Act: act, Variant: variant, Options: options, Day: day, Patient: Patient{Cover: cover},
		Radiologist: Radiologist{ExtraFee: CentsOf(extraFeeEUR)}}, nil)
}

// Compute computes an estimate with the built-in rates and table overlaid
// by imported (nil: the built-in table alone).
func Compute(req Request, table *Table) (Estimate, error) {
	rates, err := Builtin()
	if err != nil {
		return Estimate{}, err
	}
	if table == nil {
		if table, err = BuiltinTable(); err != nil {
			return Estimate{}, err
		}
	}
	return rates.Estimate(req, table)
}

// Estimate computes req with these rates and the tariff table.
func (r *Rates) Estimate(req Request, table *Table) (Estimate, error) {
	if req.Act == nil {
		return Estimate{}, errors.New("billing: no act")
	}
	if _, err := time.Parse(time.DateOnly, req.Day); err != nil {
		return Estimate{}, fmt.Errorf("billing: day %q: want YYYY-MM-DD", req.Day)
	}
	if req.Radiologist.ExtraFee < 0 {
		return Estimate{}, fmt.Errorf("billing: extra fee %d cents: must be a positive amount or 0", req.Radiologist.ExtraFee)
	}
	coverKey, err := req.Patient.Cover.key()
	if err != nil {
		return Estimate{}, err
	}
	codes, choices, err := req.Act.BillingFor(req.Variant, req.Options)
	if err != nil {
		return Estimate{}, fmt.Errorf("billing: %w", err)
	}
	e := Estimate{Day: req.Day, Cover: req.Patient.Cover, Convention: req.Radiologist.Convention,
		Grid: GridOf(req.Radiologist.Convention), ExtraFee: req.Radiologist.ExtraFee}
	var n notes
	for _, c := range choices {
		if c.NeedsCheck() {
			n.add(Note{Kind: NoteChoice, Text: c.Patient, Source: c.Source})
		}
	}
	for _, code := range codes {
		e.Lines = append(e.Lines, e.line(code, table, &n))
	}
	if len(codes) == 0 {
		e.Unpriced = true // an act without any code has no price we can show
	}
	if !e.Unpriced {
		if err := r.price(&e, coverKey, req.Patient, &n); err != nil {
			return Estimate{}, err
		}
	}
	e.Notes = n.list
	return e, nil
}

// line prices one code on the estimate's day and grid.
func (e *Estimate) line(code catalog.BillingCode, table *Table, n *notes) Line {
	l := Line{Code: code.Code, Label: code.Label, Percent: code.PercentOf(), Source: code.Source, Status: code.Status,
		Activity: ActActivity, Phase: ActPhase}
	if code.Code == "" {
		e.Unpriced = true
		n.add(Note{Kind: NoteNoCode, Text: catalog.Text{"fr": code.Label}, Source: code.Source})
		return l
	}
	if code.NeedsCheck() {
		n.add(Note{Kind: NoteTariff, Code: code.Code, Source: code.Source})
	}
	if code.Association != nil && code.Association.NeedsCheck() {
		n.add(Note{Kind: NoteAssociation, Code: code.Code, Source: code.Association.Source})
	}
	if t, ok := table.On(code.Code, e.Grid, e.Day); ok {
		l.Tariff, l.From, l.Source, l.Status = t.Amount, t.From, t.Source, t.Status
	} else if t, ok := code.TariffOn(e.Day); ok && e.Grid == GridOPTAM {
		// A practice's own code with its tariff in its act file.
		l.Tariff, l.From, l.Source, l.Status = CentsOf(t.BaseEU), t.From, t.Source, t.Status
	} else {
		e.Unpriced = true
		n.add(Note{Kind: NoteNoTariff, Code: code.Code, Arg: e.Grid})
		return l
	}
	if l.Status == catalog.NotConfirmed {
		n.add(Note{Kind: NoteTariff, Code: code.Code, Source: l.Source})
	}
	l.Base, l.Priced = l.Tariff.percentOf(int64(l.Percent)), true
	return l
}

// price fills the shares of a priced estimate.
func (r *Rates) price(e *Estimate, coverKey string, p Patient, n *notes) error {
	for _, l := range e.Lines {
		e.BaseTotal += l.Base
	}
	rate, ok := r.insuranceRate(coverKey, e.Day)
	if !ok {
		return fmt.Errorf("billing: no %s insurance rate in force on %s", coverKey, e.Day)
	}
	if rate.Status == catalog.NotConfirmed {
		n.add(Note{Kind: NoteRate, Arg: coverKey, Source: rate.Source})
	}
	e.InsurancePercent = rate.Percent
	e.InsuranceShare = e.BaseTotal.percentOf(rate.Percent)
	e.RateSource, e.RateStatus = rate.Source, string(rate.Status)
	if heavy, ok := r.heavyActFee(e.Day); ok && coverKey == CoverGeneral && e.BaseTotal >= CentsOf(heavy.ThresholdEUR) {
		e.HeavyActFee = CentsOf(heavy.AmountEUR)
		e.InsurancePercent = 0
		e.InsuranceShare = e.BaseTotal - e.HeavyActFee
		e.RateSource, e.RateStatus = heavy.Source, string(heavy.Status)
	}
	if pf, ok := r.flatContribution(e.Day); ok {
		e.FlatAmount = CentsOf(pf.AmountEUR)
		e.FlatContribution = min(e.FlatAmount, e.InsuranceShare)
		r.exempt(e, coverKey, p, n)
	}
	if e.HeavyActFee > 0 && e.FlatContribution > 0 {
		// No source read says whether both are charged: both are counted
		// (the estimate errs on the patient's side) and the letter says so.
		n.add(Note{Kind: NoteHeavyFlat, Source: "general_knowledge"})
	}
	e.RestToPay = e.BaseTotal - e.InsuranceShare + e.FlatContribution + e.ExtraFee
	return nil
}

// exempt applies the first confirmed exemption of the patient's cases; an
// exemption not confirmed is not applied but said.
func (r *Rates) exempt(e *Estimate, coverKey string, p Patient, n *notes) {
	var unconfirmed []Note
	for _, c := range p.cases(coverKey, e.Day) {
		x, ok := r.flatExemption(c, e.Day)
		switch {
		case !ok:
		case x.Status == catalog.NotConfirmed:
			unconfirmed = append(unconfirmed, Note{Kind: NoteFlatExemption, Arg: c, Source: x.Source})
		case e.FlatExemption == "":
			e.FlatExemption, e.FlatContribution = c, 0
		}
	}
	if e.FlatExemption == "" { // said only while the contribution is charged
		for _, x := range unconfirmed {
			n.add(x)
		}
	}
	if e.FlatExemption == CasePregnancy && coverKey == CoverGeneral {
		n.add(Note{Kind: NoteMaternity, Source: "general_knowledge"})
	}
	if p.PregnancyDeclared && p.PregnancyStart == "" && p.DeliveryDate == "" && e.FlatExemption == "" {
		n.add(Note{Kind: NotePregnancyDates})
	}
}

// notes keeps one note per kind and code, and drops an association note
// whose source a billing choice already speaks for.
type notes struct {
	list []Note
}

func (n *notes) add(x Note) {
	for _, old := range n.list {
		if old.Kind == x.Kind && old.Code == x.Code && old.Arg == x.Arg && old.Text.In("fr") == x.Text.In("fr") {
			return
		}
		if x.Kind == NoteAssociation && old.Kind == NoteChoice && old.Source == x.Source {
			return
		}
	}
	n.list = append(n.list, x)
}
