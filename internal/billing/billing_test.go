package billing

import (
	"slices"
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

// The four patients of the estimate table, on the day of the act 2026-03-10.
var (
	general  = Patient{BirthDate: "1970-05-04"}
	ald      = Patient{BirthDate: "1958-02-11", Cover: Cover{Exempt: true, Reason: CoverALD}}
	minor    = Patient{BirthDate: "2010-06-01"}                               // 15 on 1 January 2026
	pregnant = Patient{BirthDate: "1992-09-20", PregnancyStart: "2025-10-01"} // 6th month from 2026-03-01
)

const tableDay = "2026-03-10"

// TestEstimateEveryActAndPatient computes, for every act and variant of the
// catalogue, the estimate of a general, an ALD, an under-18 and a pregnant
// (6th month) patient, against amounts computed by hand. Sources of the
// figures (ids of data/rates.yaml and the catalogue):
//   - tariffs: nomensland_ccam (clinical-facts F.5, effective 2025-01-01,
//     grid optam): AFLB001 51.76, AFLB007 45.90, AHLH007 28.80, LHLH002 32.18,
//     LHMH005 125.40, LHMH182 188.10, LHHH002 49.01, YYYY115 25.27;
//   - codes per act: the catalogue (YYYY115 with AFLB001 and AFLB007 at 100 %,
//     ccam_yyyy115_association, not confirmed; LHHH002 after the
//     vertebroplasty at 50 %, ccam_association_general, not confirmed);
//   - 70 % general (lemedecin_lhlh002: 22.53 / 32.18), 100 % ALD
//     (general_knowledge, not confirmed);
//   - 2 EUR flat contribution since 2024-05-15 (mutame_pf_2024), still paid in
//     ALD (pagesjaunes_pf_ald), not paid under 18 on 1 January or from the 6th
//     month of pregnancy (service_public_f165);
//   - 24 EUR instead of the patient's share from 120 EUR (ameli_forfait_24,
//     previssima_forfait_24), general cover only; the 2 EUR counted on top
//     of it, which no source read confirms (NoteHeavyFlat).
//
// Shares are rounded half up to the cent: 70 % of 77.03 = 53.921 -> 53.92.
func TestEstimateEveryActAndPatient(t *testing.T) {
	cat := loadCatalog(t)
	type want struct {
		base, share, flat, heavy, rest Cents
		notes                          []string // note kinds, in order
	}
	tests := []struct {
		act, variant string
		options      []string
		codes        []string
		sources      []string // source of each code's tariff (ids of rates.yaml), checked
		general      want
		ald          want
		minor        want
		pregnant     want
	}{
		// AFLB001 51.76 + YYYY115 25.27 = 77.03; 70 % = 53.92.
		{act: "epidural_blood_patch", codes: []string{"AFLB001", "YYYY115"}, sources: []string{"nomensland_ccam", "nomensland_ccam"},
			general:  want{7703, 5392, 200, 0, 7703 - 5392 + 200, []string{NoteChoice}},
			ald:      want{7703, 7703, 200, 0, 200, []string{NoteChoice, NoteRate}},
			minor:    want{7703, 5392, 0, 0, 7703 - 5392, []string{NoteChoice}},
			pregnant: want{7703, 5392, 0, 0, 7703 - 5392, []string{NoteChoice, NoteMaternity}}},
		// AFLB007 45.90 + YYYY115 25.27 = 71.17; 70 % = 49.819 -> 49.82.
		{act: "lumbar_epidural_infiltration", codes: []string{"AFLB007", "YYYY115"}, sources: []string{"nomensland_ccam", "nomensland_ccam"},
			general:  want{7117, 4982, 200, 0, 7117 - 4982 + 200, []string{NoteChoice}},
			ald:      want{7117, 7117, 200, 0, 200, []string{NoteChoice, NoteRate}},
			minor:    want{7117, 4982, 0, 0, 7117 - 4982, []string{NoteChoice}},
			pregnant: want{7117, 4982, 0, 0, 7117 - 4982, []string{NoteChoice, NoteMaternity}}},
		// AHLH007 28.80; 70 % = 20.16.
		{act: "lumbar_foraminal_infiltration", codes: []string{"AHLH007"}, sources: []string{"nomensland_ccam"},
			general:  want{2880, 2016, 200, 0, 1064, nil},
			ald:      want{2880, 2880, 200, 0, 200, []string{NoteRate}},
			minor:    want{2880, 2016, 0, 0, 864, nil},
			pregnant: want{2880, 2016, 0, 0, 864, []string{NoteMaternity}}},
		{act: "cervical_foraminal_infiltration", codes: []string{"AHLH007"}, sources: []string{"nomensland_ccam"},
			general:  want{2880, 2016, 200, 0, 1064, nil},
			ald:      want{2880, 2880, 200, 0, 200, []string{NoteRate}},
			minor:    want{2880, 2016, 0, 0, 864, nil},
			pregnant: want{2880, 2016, 0, 0, 864, []string{NoteMaternity}}},
		// LHLH002 32.18; 70 % = 22.53: 11.65 left to a general patient (issue 20).
		{act: "facet_joint_infiltration", codes: []string{"LHLH002"}, sources: []string{"nomensland_ccam"},
			general:  want{3218, 2253, 200, 0, 1165, nil},
			ald:      want{3218, 3218, 200, 0, 200, []string{NoteRate}},
			minor:    want{3218, 2253, 0, 0, 965, nil},
			pregnant: want{3218, 2253, 0, 0, 965, []string{NoteMaternity}}},
		// LHMH005 125.40 >= 120: the insurance pays 125.40 - 24 = 101.40.
		{act: "vertebroplasty", variant: "one_vertebra", codes: []string{"LHMH005"}, sources: []string{"nomensland_ccam"},
			general:  want{12540, 10140, 200, 2400, 2600, []string{NoteHeavyFlat}},
			ald:      want{12540, 12540, 200, 0, 200, []string{NoteRate}},
			minor:    want{12540, 10140, 0, 2400, 2400, nil},
			pregnant: want{12540, 10140, 0, 2400, 2400, []string{NoteMaternity}}},
		// LHMH182 188.10: 188.10 - 24 = 164.10.
		{act: "vertebroplasty", variant: "two_vertebrae", codes: []string{"LHMH182"}, sources: []string{"nomensland_ccam"},
			general:  want{18810, 16410, 200, 2400, 2600, []string{NoteHeavyFlat}},
			ald:      want{18810, 18810, 200, 0, 200, []string{NoteRate}},
			minor:    want{18810, 16410, 0, 2400, 2400, nil},
			pregnant: want{18810, 16410, 0, 2400, 2400, []string{NoteMaternity}}},
		// 3 or more: LHMH182 too, with the practice's not-confirmed choice for 4+.
		{act: "vertebroplasty", variant: "three_or_more_vertebrae", codes: []string{"LHMH182"}, sources: []string{"nomensland_ccam"},
			general:  want{18810, 16410, 200, 2400, 2600, []string{NoteChoice, NoteHeavyFlat}},
			ald:      want{18810, 18810, 200, 0, 200, []string{NoteChoice, NoteRate}},
			minor:    want{18810, 16410, 0, 2400, 2400, []string{NoteChoice}},
			pregnant: want{18810, 16410, 0, 2400, 2400, []string{NoteChoice, NoteMaternity}}},
		// + LHHH002 49.01 at 50 % = 24.505 -> 24.51: 188.10 + 24.51 = 212.61; - 24 = 188.61.
		{act: "vertebroplasty", variant: "three_or_more_vertebrae", options: []string{"bone_biopsy"}, codes: []string{"LHMH182", "LHHH002"}, sources: []string{"nomensland_ccam", "nomensland_ccam"},
			general:  want{21261, 18861, 200, 2400, 2600, []string{NoteChoice, NoteAssociation, NoteHeavyFlat}},
			ald:      want{21261, 21261, 200, 0, 200, []string{NoteChoice, NoteAssociation, NoteRate}},
			minor:    want{21261, 18861, 0, 2400, 2400, []string{NoteChoice, NoteAssociation}},
			pregnant: want{21261, 18861, 0, 2400, 2400, []string{NoteChoice, NoteAssociation, NoteMaternity}}},
		// LHMH005 125.40 + 24.51 = 149.91; - 24 = 125.91.
		{act: "vertebroplasty", variant: "one_vertebra", options: []string{"bone_biopsy"}, codes: []string{"LHMH005", "LHHH002"}, sources: []string{"nomensland_ccam", "nomensland_ccam"},
			general:  want{14991, 12591, 200, 2400, 2600, []string{NoteAssociation, NoteHeavyFlat}},
			ald:      want{14991, 14991, 200, 0, 200, []string{NoteAssociation, NoteRate}},
			minor:    want{14991, 12591, 0, 2400, 2400, []string{NoteAssociation}},
			pregnant: want{14991, 12591, 0, 2400, 2400, []string{NoteAssociation, NoteMaternity}}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.act+"/"+tt.variant] = true
		act, ok := cat.Act(tt.act)
		if !ok {
			t.Fatalf("act %s not in catalogue", tt.act)
		}
		for _, p := range []struct {
			name    string
			patient Patient
			want    want
		}{{"general", general, tt.general}, {"ald", ald, tt.ald}, {"under_18", minor, tt.minor}, {"pregnant", pregnant, tt.pregnant}} {
			t.Run(tt.act+"/"+tt.variant+"/"+strings.Join(tt.options, "+")+"/"+p.name, func(t *testing.T) {
				e, err := Compute(Request{Act: act, Variant: tt.variant, Options: tt.options, Day: tableDay, Patient: p.patient}, nil)
				if err != nil {
					t.Fatal(err)
				}
				var codes []string
				for _, l := range e.Lines {
					codes = append(codes, l.Code)
				}
				var sources []string
				for _, l := range e.Lines {
					sources = append(sources, l.Source)
				}
				if e.Unpriced || !slices.Equal(codes, tt.codes) || !slices.Equal(sources, tt.sources) {
					t.Fatalf("codes %v from %v (unpriced %v), want %v from %v", codes, sources, e.Unpriced, tt.codes, tt.sources)
				}
				got := want{e.BaseTotal, e.InsuranceShare, e.FlatContribution, e.HeavyActFee, e.RestToPay, noteKinds(e)}
				if got.base != p.want.base || got.share != p.want.share || got.flat != p.want.flat || got.heavy != p.want.heavy ||
					got.rest != p.want.rest || !slices.Equal(got.notes, p.want.notes) {
					t.Errorf("got  %+v\nwant %+v", got, p.want)
				}
				// The source of the share: 70 % lemedecin_lhlh002, 100 % ALD
				// general_knowledge, 24 EUR fee previssima_forfait_24.
				rateSource := map[string]string{"ald": "general_knowledge"}[p.name]
				if rateSource == "" {
					rateSource = "lemedecin_lhlh002"
				}
				if p.want.heavy > 0 {
					rateSource = "previssima_forfait_24"
				}
				if e.RateSource != rateSource {
					t.Errorf("share from %s, want %s", e.RateSource, rateSource)
				}
				if e.RestToPay != e.BaseTotal-e.InsuranceShare+e.FlatContribution+e.ExtraFee {
					t.Errorf("rest %d does not add up", e.RestToPay)
				}
			})
		}
	}
	for _, a := range cat.Acts() {
		if !covered[a.ID+"/"] && len(a.Variants) == 0 {
			t.Errorf("act %s has no row", a.ID)
		}
		for _, v := range a.Variants {
			if !covered[a.ID+"/"+v.ID] {
				t.Errorf("variant %s/%s has no row", a.ID, v.ID)
			}
		}
	}
}

func noteKinds(e Estimate) []string {
	var out []string
	for _, n := range e.Notes {
		out = append(out, n.Kind)
	}
	return out
}

// The radiologist's grid and extra fee. nomensland_ccam: LHLH002 is 9.60 EUR
// on the grid of sector 2 doctors outside OPTAM; no other code's amount on
// that grid is known, so those estimates say so instead of using the sector
// 1 amount.
func TestEstimateGridAndExtraFee(t *testing.T) {
	cat := loadCatalog(t)
	facet, _ := cat.Act("facet_joint_infiltration")
	patch, _ := cat.Act("epidural_blood_patch")
	tests := []struct {
		name        string
		act         *catalog.Act
		radiologist Radiologist
		patient     Patient
		unpriced    bool
		base, rest  Cents
		notes       []string
	}{
		// 32.18 - 22.53 + 2 + 40 = 51.65.
		{"optam with extra fee", facet, Radiologist{Convention: Sector2OPTAM, ExtraFee: 4000}, general, false, 3218, 5165, nil},
		// 9.60 - 6.72 + 2 + 40 = 44.88.
		{"outside optam", facet, Radiologist{Convention: Sector2, ExtraFee: 4000}, general, false, 960, 4488, nil},
		// ALD: 100 % of 32.18, the flat contribution and the extra fee: 2 + 48.27.
		{"ald with extra fee", facet, Radiologist{Convention: Sector2OPTAM, ExtraFee: 4827}, ald, false, 3218, 200 + 4827, []string{NoteRate}},
		{"no grid amount", patch, Radiologist{Convention: Sector2, ExtraFee: 4000}, general, true, 0, 0, []string{NoteChoice, NoteNoTariff, NoteNoTariff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compute(Request{Act: tt.act, Day: tableDay, Patient: tt.patient, Radiologist: tt.radiologist}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e.Unpriced != tt.unpriced || e.BaseTotal != tt.base || e.RestToPay != tt.rest || !slices.Equal(noteKinds(e), tt.notes) {
				t.Errorf("unpriced %v base %d rest %d notes %v; want %v %d %d %v", e.Unpriced, e.BaseTotal, e.RestToPay, noteKinds(e), tt.unpriced, tt.base, tt.rest, tt.notes)
			}
			if tt.unpriced && (e.InsuranceShare != 0 || e.ExtraFee != tt.radiologist.ExtraFee) {
				t.Errorf("unpriced estimate: %+v", e)
			}
		})
	}
}

// The flat contribution's exemption cases (service_public_f165, confirmed;
// c2s and ame not confirmed: charged and said; ALD still pays it).
func TestFlatContributionExemptions(t *testing.T) {
	facet, _ := loadCatalog(t).Act("facet_joint_infiltration")
	tests := []struct {
		name      string
		patient   Patient
		day       string
		flat      Cents
		exemption string
		notes     []string
	}{
		{"17 on 1 January, 18 since", Patient{BirthDate: "2008-01-02"}, "2026-06-01", 0, CaseUnder18, nil},
		{"18 on 1 January exactly", Patient{BirthDate: "2008-01-01"}, "2026-06-01", 200, "", nil},
		{"5th month", Patient{PregnancyStart: "2025-10-11"}, "2026-03-10", 200, "", nil},
		{"first day of the 6th month", Patient{PregnancyStart: "2025-10-10"}, "2026-03-10", 0, CasePregnancy, []string{NoteMaternity}},
		{"12th day after delivery", Patient{PregnancyStart: "2025-06-01", DeliveryDate: "2026-02-26"}, "2026-03-10", 0, CasePregnancy, []string{NoteMaternity}},
		{"13th day after delivery", Patient{PregnancyStart: "2025-06-01", DeliveryDate: "2026-02-25"}, "2026-03-10", 200, "", nil},
		{"delivery date only", Patient{DeliveryDate: "2026-03-05"}, "2026-03-10", 0, CasePregnancy, []string{NoteMaternity}},
		{"pregnancy declared without dates", Patient{PregnancyDeclared: true}, "2026-03-10", 200, "", []string{NotePregnancyDates}},
		{"c2s", Patient{Cover: Cover{Exempt: true, Reason: CoverC2S}}, "2026-03-10", 200, "", []string{NoteRate, NoteFlatExemption}},
		{"ame", Patient{Cover: Cover{Exempt: true, Reason: CoverAME}}, "2026-03-10", 200, "", []string{NoteRate, NoteFlatExemption}},
		{"c2s under 18: exempt, nothing to say", Patient{BirthDate: "2012-01-01", Cover: Cover{Exempt: true, Reason: CoverC2S}}, "2026-03-10", 0, CaseUnder18, []string{NoteRate}},
		{"at_mp still pays", Patient{Cover: Cover{Exempt: true, Reason: CoverATMP}}, "2026-03-10", 200, "", nil},
		{"1 EUR before 15 May 2024", Patient{}, "2024-05-14", 100, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Compute(Request{Act: facet, Day: tt.day, Patient: tt.patient}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e.FlatContribution != tt.flat || e.FlatExemption != tt.exemption || !slices.Equal(noteKinds(e), tt.notes) {
				t.Errorf("flat %d exemption %q notes %v; want %d %q %v", e.FlatContribution, e.FlatExemption, noteKinds(e), tt.flat, tt.exemption, tt.notes)
			}
		})
	}
}

// A tariff dated tomorrow changes tomorrow's estimates only.
func TestTariffChangeTomorrow(t *testing.T) {
	facet, _ := loadCatalog(t).Act("facet_joint_infiltration")
	builtin, err := BuiltinTable()
	if err != nil {
		t.Fatal(err)
	}
	table := builtin.With([]Tariff{{Code: "LHLH002", Label: "x", Activity: 1, Phase: 0, Grid: GridOPTAM, Amount: 3500, From: "2026-03-11", Source: "import", Status: catalog.Confirmed}})
	for day, base := range map[string]Cents{"2026-03-10": 3218, "2026-03-11": 3500, "2027-01-01": 3500} {
		e, err := Compute(Request{Act: facet, Day: day, Patient: general}, table)
		if err != nil {
			t.Fatal(err)
		}
		if e.BaseTotal != base {
			t.Errorf("%s: base %d, want %d", day, e.BaseTotal, base)
		}
	}
	if e, _ := Compute(Request{Act: facet, Day: "2026-03-11", Patient: general}, nil); e.BaseTotal != 3218 {
		t.Error("the built-in table changed")
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

// A new rule or amount is a data change: the row in force on the day is used.
func TestRatesByDate(t *testing.T) {
	r, err := ParseRates([]byte(`
sources: [{id: s, title: t}]
insurance_rates:
  - {cover: general, percent: 70, from: "2024-01-01", source: s, status: confirmed}
  - {cover: general, percent: 60, from: "2027-01-01", source: s, status: confirmed}
flat_contributions:
  - {amount_eur: 1, from: "2005-01-01", source: s, status: confirmed}
  - {amount_eur: 2, from: "2024-05-15", source: s, status: confirmed}
flat_contribution_exemptions:
  - {case: under_18, from: "2026-01-01", source: s, status: confirmed}
heavy_act_fees:
  - {threshold_eur: 120, amount_eur: 24, from: "2019-01-01", source: s, status: confirmed}
`))
	if err != nil {
		t.Fatal(err)
	}
	act := &catalog.Act{ID: "x", Billing: []catalog.BillingCode{{Code: "AAAA001", Tariffs: []catalog.Tariff{
		{From: "2024-01-01", BaseEU: 100}, {From: "2027-01-01", BaseEU: 200},
	}}}}
	table := NewTable()
	for _, tt := range []struct {
		day                    string
		patient                Patient
		base, share, flat, fee Cents
	}{
		{"2024-05-14", general, 10000, 7000, 100, 0},
		{"2024-05-15", general, 10000, 7000, 200, 0},
		{"2025-12-31", minor, 10000, 7000, 200, 0}, // the exemption row starts in 2026
		{"2026-01-01", minor, 10000, 7000, 0, 0},
		{"2027-02-01", general, 20000, 20000 - 2400, 200, 2400}, // heavy act: base >= 120 EUR
	} {
		e, err := r.Estimate(Request{Act: act, Day: tt.day, Patient: tt.patient}, table)
		if err != nil {
			t.Fatal(err)
		}
		if e.BaseTotal != tt.base || e.InsuranceShare != tt.share || e.FlatContribution != tt.flat || e.HeavyActFee != tt.fee {
			t.Errorf("%s: %+v", tt.day, e)
		}
	}
	for _, bad := range []string{
		"sources: []\ninsurance_rates: [{cover: general, percent: 70, from: '2024-01-01', source: nope, status: confirmed}]\n",
		"sources: [{id: s, title: t}]\nflat_contribution_exemptions: [{case: students, from: '2024-01-01', source: s, status: confirmed}]\n",
	} {
		if _, err := ParseRates([]byte(bad)); err == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
}

func TestCents(t *testing.T) {
	if CentsOf(32.18) != 3218 || CentsOf(0.1+0.2) != 30 || Cents(3218).percentOf(70) != 2253 || Cents(4901).percentOf(50) != 2451 {
		t.Error("cent arithmetic")
	}
}
