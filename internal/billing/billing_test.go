package billing

import (
	"strings"
	"testing"

	"repere/internal/catalog"
)

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// One row per act of the real catalogue. The code and base are written in the
// row from the tariff data (catalogue, source in the row); the expected shares
// follow rates.yaml: 70 % general (lemedecin_lhlh002: 32.18 -> 22.53), 100 %
// exempt, 2 EUR participation forfaitaire since 2024-05-15 (mutame_pf_2024).
func TestEstimatePerAct(t *testing.T) {
	cat := loadCatalog(t)
	tests := []struct {
		act, variant string
		options      []string
		cover        Cover
		extra        float64
		// want
		unpriced                    bool
		code                        string
		base, share, flat, extraFee Cents
		rest                        Cents
		source                      string
	}{
		// lemedecin_lhlh002: LHLH002 32.18 EUR, reimbursed 22.53 EUR (70 %).
		{act: "facet_joint_infiltration", cover: Cover{}, code: "LHLH002", base: 3218, share: 2253, flat: 200, rest: 3218 - 2253 + 200, source: "lemedecin_lhlh002"},
		{act: "facet_joint_infiltration", cover: Cover{}, extra: 40, code: "LHLH002", base: 3218, share: 2253, flat: 200, extraFee: 4000, rest: 3218 - 2253 + 200 + 4000, source: "lemedecin_lhlh002"},
		{act: "facet_joint_infiltration", cover: Cover{Exempt: true, Reason: CoverALD}, extra: 48.27, code: "LHLH002", base: 3218, share: 3218, flat: 200, extraFee: 4827, rest: 200 + 4827, source: "lemedecin_lhlh002"},
		{act: "facet_joint_infiltration", cover: Cover{Exempt: true}, code: "LHLH002", base: 3218, share: 3218, flat: 200, rest: 200, source: "lemedecin_lhlh002"},
		// ccam_structure: no confirmed CT-guided code -> price given at booking.
		{act: "epidural_blood_patch", unpriced: true, extra: 40, extraFee: 4000, source: "ccam_structure"},
		{act: "lumbar_epidural_infiltration", unpriced: true, source: "ccam_structure"},
		{act: "lumbar_foraminal_infiltration", unpriced: true, source: "ccam_structure"},
		{act: "cervical_foraminal_infiltration", unpriced: true, source: "ccam_structure"},
		// pmsi_script_lhmh: LHMH family, exact codes and tariffs not confirmed.
		{act: "vertebroplasty", variant: "one_vertebra", unpriced: true, source: "pmsi_script_lhmh"},
		{act: "vertebroplasty", variant: "three_or_more_vertebrae", options: []string{"bone_biopsy"}, unpriced: true, source: "pmsi_script_lhmh"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.act] = true
		t.Run(tt.act+"/"+tt.variant, func(t *testing.T) {
			act, ok := cat.Act(tt.act)
			if !ok {
				t.Fatalf("act %s not in catalogue", tt.act)
			}
			e, err := EstimateFor(act, tt.variant, tt.options, "2026-03-10", tt.cover, tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			if e.Unpriced != tt.unpriced {
				t.Fatalf("Unpriced = %v, want %v", e.Unpriced, tt.unpriced)
			}
			if e.Lines[0].Source != tt.source {
				t.Errorf("source = %q, want %q", e.Lines[0].Source, tt.source)
			}
			if e.ExtraFee != tt.extraFee {
				t.Errorf("ExtraFee = %d, want %d", e.ExtraFee, tt.extraFee)
			}
			if tt.unpriced {
				if e.BaseTotal != 0 || e.RestToPay != 0 || e.InsuranceShare != 0 {
					t.Errorf("unpriced estimate has totals: %+v", e)
				}
				for _, l := range e.Lines {
					if l.Code == "" && l.Priced {
						t.Errorf("line without code is priced: %+v", l)
					}
				}
				return
			}
			if e.Lines[0].Code != tt.code || e.BaseTotal != tt.base || e.InsuranceShare != tt.share ||
				e.FlatContribution != tt.flat || e.RestToPay != tt.rest {
				t.Errorf("got code %s base %d share %d flat %d rest %d; want %s %d %d %d %d",
					e.Lines[0].Code, e.BaseTotal, e.InsuranceShare, e.FlatContribution, e.RestToPay,
					tt.code, tt.base, tt.share, tt.flat, tt.rest)
			}
		})
	}
	for _, a := range cat.Acts() {
		if !seen[a.ID] {
			t.Errorf("act %s has no estimate row", a.ID)
		}
	}
}

func TestVariantOptionLines(t *testing.T) {
	act, _ := loadCatalog(t).Act("vertebroplasty")
	e, err := EstimateFor(act, "two_vertebrae", []string{"bone_biopsy"}, "2026-03-10", Cover{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Lines) != 2 || !strings.Contains(e.Lines[0].Label, "2 vertèbres") || !strings.Contains(e.Lines[1].Label, "Biopsie") {
		t.Fatalf("lines = %+v", e.Lines)
	}
}

func TestEstimateErrors(t *testing.T) {
	act, _ := loadCatalog(t).Act("facet_joint_infiltration")
	for name, call := range map[string]func() error{
		"bad day":  func() error { _, err := EstimateFor(act, "", nil, "10/03/2026", Cover{}, 0); return err },
		"variant":  func() error { _, err := EstimateFor(act, "nope", nil, "2026-03-10", Cover{}, 0); return err },
		"option":   func() error { _, err := EstimateFor(act, "", []string{"nope"}, "2026-03-10", Cover{}, 0); return err },
		"negative": func() error { _, err := EstimateFor(act, "", nil, "2026-03-10", Cover{}, -1); return err },
		"reason": func() error {
			_, err := EstimateFor(act, "", nil, "2026-03-10", Cover{Exempt: true, Reason: "x"}, 0)
			return err
		},
		"nil act": func() error { _, err := EstimateFor(nil, "", nil, "2026-03-10", Cover{}, 0); return err },
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A new tariff year or rule is a data change: the row in force on the day is used.
func TestRatesByDate(t *testing.T) {
	r, err := ParseRates([]byte(`
sources: [{id: s, title: t}]
insurance_rates:
  - {cover: general, percent: 70, from: "2024-01-01", source: s, status: confirmed}
  - {cover: general, percent: 60, from: "2027-01-01", source: s, status: confirmed}
flat_contributions:
  - {amount_eur: 1, from: "2005-01-01", source: s, status: confirmed}
  - {amount_eur: 2, from: "2024-05-15", source: s, status: confirmed}
heavy_act_fees:
  - {threshold_eur: 120, amount_eur: 24, from: "2019-01-01", source: s, status: confirmed}
`))
	if err != nil {
		t.Fatal(err)
	}
	act := &catalog.Act{ID: "x", Billing: []catalog.BillingCode{{Code: "AAAA001", Tariffs: []catalog.Tariff{
		{From: "2024-01-01", BaseEU: 100}, {From: "2027-01-01", BaseEU: 200},
	}}}}
	for _, tt := range []struct {
		day                    string
		base, share, flat, fee Cents
	}{
		{"2024-05-14", 10000, 7000, 100, 0},
		{"2024-05-15", 10000, 7000, 200, 0},
		{"2027-02-01", 20000, 20000 - 2400, 200, 2400}, // heavy act: base >= 120 EUR
	} {
		e, err := r.EstimateFor(act, "", nil, tt.day, Cover{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if e.BaseTotal != tt.base || e.InsuranceShare != tt.share || e.FlatContribution != tt.flat || e.HeavyActFee != tt.fee {
			t.Errorf("%s: %+v", tt.day, e)
		}
	}
	if _, err := ParseRates([]byte("sources: []\ninsurance_rates: [{cover: general, percent: 70, from: '2024-01-01', source: nope, status: confirmed}]\n")); err == nil {
		t.Error("unknown source accepted")
	}
}

func TestCents(t *testing.T) {
	if CentsOf(32.18) != 3218 || CentsOf(0.1+0.2) != 30 || Cents(3218).percentOf(70) != 2253 {
		t.Error("cent arithmetic")
	}
}
