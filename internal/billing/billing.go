// Package billing computes the cost estimate of an act for a patient: its
// billing codes and base tariffs (from the catalogue), the share the national
// health insurance pays (rates in data/rates.yaml), the radiologist's extra fee
// and what is left for the patient before any complementary insurance.
//
// Amounts are kept in cents. A code without a confirmed tariff never counts as
// 0 EUR: the estimate is then marked Unpriced and says the price is given at
// booking.
package billing

import (
	"errors"
	"fmt"
	"math"
	"time"

	"repere/internal/catalog"
)

// Covers the secretary can choose; anything else is refused.
const (
	CoverGeneral = "general" // the usual 70 % case
	CoverALD     = "ald"     // long-term illness (affection de longue durée), care related to it
	CoverATMP    = "at_mp"   // work accident or occupational disease
	CoverExempt  = "exempt"  // another exemption from the patient's share
)

// Cover is the patient's situation with the national insurance for this act.
type Cover struct {
	Exempt bool   // exempt from the patient's share (100 %)
	Reason string // when Exempt: ald, at_mp or exempt (the default)
}

func (c Cover) key() (string, error) {
	if !c.Exempt {
		return CoverGeneral, nil
	}
	switch c.Reason {
	case "", CoverExempt:
		return CoverExempt, nil
	case CoverALD, CoverATMP:
		return c.Reason, nil
	}
	return "", fmt.Errorf("billing: unknown exemption reason %q (want %s, %s or %s)", c.Reason, CoverALD, CoverATMP, CoverExempt)
}

// Line is one billing code of the estimate.
type Line struct {
	Code   string // CCAM code; empty when not confirmed
	Label  string
	Base   Cents // base tariff on the day; 0 and Priced false when unknown
	Priced bool
	Source string // source id of the tariff (or of the code when unpriced)
	Status catalog.Status
}

// Estimate is the cost of one appointment for the patient.
//
// When Unpriced is true, at least one code has no confirmed tariff: the totals
// (BaseTotal, InsuranceShare, FlatContribution, RestToPay) are left at zero and
// must not be shown; the document says the price is given at booking.
type Estimate struct {
	Day      string // YYYY-MM-DD of the act
	Cover    Cover
	Lines    []Line
	Unpriced bool

	BaseTotal        Cents
	InsurancePercent int64 // 70 or 100; 0 when the heavy-act fee applies
	HeavyActFee      Cents // flat fee replacing the patient's share, when the base reaches the threshold
	InsuranceShare   Cents // paid by the national insurance, before the flat contribution
	FlatContribution Cents // participation forfaitaire kept from the reimbursement
	ExtraFee         Cents // the radiologist's extra fee (sector 2), never reimbursed by the national insurance
	RestToPay        Cents // BaseTotal - InsuranceShare + FlatContribution + ExtraFee

	// Provenance of the rules applied, for the practice to check.
	RateSource, RateStatus string
}

// EstimateFor computes the cost of act (in the given variant, with options) on
// day (YYYY-MM-DD) for a patient with cover, with the radiologist's extra fee in
// euros, using the built-in rates.
func EstimateFor(act *catalog.Act, variant string, options []string, day string, cover Cover, extraFeeEUR float64) (Estimate, error) {
	rates, err := Builtin()
	if err != nil {
		return Estimate{}, err
	}
	return rates.EstimateFor(act, variant, options, day, cover, extraFeeEUR)
}

// EstimateFor is the same as the package function with these rates.
func (r *Rates) EstimateFor(act *catalog.Act, variant string, options []string, day string, cover Cover, extraFeeEUR float64) (Estimate, error) {
	if act == nil {
		return Estimate{}, errors.New("billing: no act")
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return Estimate{}, fmt.Errorf("billing: day %q: want YYYY-MM-DD", day)
	}
	if extraFeeEUR < 0 || math.IsNaN(extraFeeEUR) || math.IsInf(extraFeeEUR, 0) {
		return Estimate{}, fmt.Errorf("billing: extra fee %v: must be a positive amount or 0", extraFeeEUR)
	}
	coverKey, err := cover.key()
	if err != nil {
		return Estimate{}, err
	}
	codes, err := billingCodes(act, variant, options)
	if err != nil {
		return Estimate{}, err
	}

	e := Estimate{Day: day, Cover: cover, ExtraFee: CentsOf(extraFeeEUR)}
	for _, code := range codes {
		line := Line{Code: code.Code, Label: code.Label, Source: code.Source, Status: code.Status}
		if t, ok := code.TariffOn(day); ok && code.Code != "" {
			line.Base, line.Priced = CentsOf(t.BaseEU), true
			line.Source, line.Status = t.Source, t.Status
		} else {
			e.Unpriced = true
		}
		e.Lines = append(e.Lines, line)
	}
	if len(codes) == 0 {
		e.Unpriced = true // an act without any code has no price we can show
	}
	if e.Unpriced {
		return e, nil
	}

	for _, l := range e.Lines {
		e.BaseTotal += l.Base
	}
	rate, ok := r.insuranceRate(coverKey, day)
	if !ok {
		return Estimate{}, fmt.Errorf("billing: no %s insurance rate in force on %s", coverKey, day)
	}
	e.InsurancePercent = rate.Percent
	e.InsuranceShare = e.BaseTotal.percentOf(rate.Percent)
	e.RateSource, e.RateStatus = rate.Source, string(rate.Status)
	if heavy, ok := r.heavyActFee(day); ok && coverKey == CoverGeneral && e.BaseTotal >= CentsOf(heavy.ThresholdEUR) {
		e.HeavyActFee = CentsOf(heavy.AmountEUR)
		e.InsurancePercent = 0
		e.InsuranceShare = e.BaseTotal - e.HeavyActFee
		e.RateSource, e.RateStatus = heavy.Source, string(heavy.Status)
	}
	if pf, ok := r.flatContribution(day); ok {
		e.FlatContribution = min(CentsOf(pf.AmountEUR), e.InsuranceShare)
	}
	e.RestToPay = e.BaseTotal - e.InsuranceShare + e.FlatContribution + e.ExtraFee
	return e, nil
}

// billingCodes lists the codes billed for the act: the variant's own codes
// replace the act's when it has some, and each option adds its codes.
func billingCodes(act *catalog.Act, variant string, options []string) ([]catalog.BillingCode, error) {
	codes := act.Billing
	if variant != "" {
		found := false
		for _, v := range act.Variants {
			if v.ID == variant {
				found = true
				if len(v.Billing) > 0 {
					codes = v.Billing
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("billing: act %s has no variant %q", act.ID, variant)
		}
	}
	codes = append([]catalog.BillingCode(nil), codes...)
	for _, id := range options {
		found := false
		for _, o := range act.Options {
			if o.ID == id {
				found = true
				codes = append(codes, o.Billing...)
			}
		}
		if !found {
			return nil, fmt.Errorf("billing: act %s has no option %q", act.ID, id)
		}
	}
	return codes, nil
}
