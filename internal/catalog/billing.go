package catalog

import "fmt"

// Association is how a code is paid when it is billed after the act's main
// code in the same session (the CCAM association rules). The first code of a
// list is the main one and is paid in full; a code without Association is
// paid in full too.
type Association struct {
	Percent int `yaml:"percent"`
	Fact    `yaml:",inline"`
}

// BillingChoice is the practice's choice of codes where CCAM has no code for
// the act as it is performed (no CT-guided code for an epidural injection,
// no code for four vertebrae or more): what is billed and why, for the staff
// (Reason), and the sentence the patient's estimate prints while the choice is
// not confirmed (Patient). A practice changes it in its own act file.
type BillingChoice struct {
	Reason  Text `yaml:"reason"`
	Patient Text `yaml:"patient"`
	Fact    `yaml:",inline"`
}

// PercentOf returns the share of the code's tariff billed (100 without an
// association rule).
func (b BillingCode) PercentOf() int {
	if b.Association == nil {
		return 100
	}
	return b.Association.Percent
}

// BillingFor returns the codes billed for the act in a variant with options
// (the variant's codes replace the act's when it has some; each option adds
// its own) and the billing choices that apply (the act's, then the
// variant's).
func (a *Act) BillingFor(variant string, options []string) ([]BillingCode, []BillingChoice, error) {
	codes := a.Billing
	var choices []BillingChoice
	if a.BillingChoice != nil {
		choices = append(choices, *a.BillingChoice)
	}
	if variant != "" {
		v, ok := a.Variant(variant)
		if !ok {
			return nil, nil, fmt.Errorf("catalog: act %s has no variant %q", a.ID, variant)
		}
		if len(v.Billing) > 0 {
			codes = v.Billing
		}
		if v.BillingChoice != nil {
			choices = append(choices, *v.BillingChoice)
		}
	}
	codes = append([]BillingCode(nil), codes...)
	for _, id := range options {
		found := false
		for _, o := range a.Options {
			if o.ID == id {
				found = true
				codes = append(codes, o.Billing...)
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("catalog: act %s has no option %q", a.ID, id)
		}
	}
	return codes, choices, nil
}

// Variant returns the act's variant with the given id.
func (a *Act) Variant(id string) (Variant, bool) {
	for _, v := range a.Variants {
		if v.ID == id {
			return v, true
		}
	}
	return Variant{}, false
}

func (k *checker) association(field string, as *Association) {
	if as == nil {
		return
	}
	if as.Percent <= 0 || as.Percent > 100 {
		k.fail(field+".percent", "must be between 1 and 100 (got %d)", as.Percent)
	}
	k.fact(field, as.Fact)
}

func (k *checker) billingChoice(field string, c *BillingChoice) {
	if c == nil {
		return
	}
	k.text(field+".reason", c.Reason)
	k.text(field+".patient", c.Patient)
	k.fact(field, c.Fact)
}
