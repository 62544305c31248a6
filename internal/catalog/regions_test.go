package catalog

import (
	"slices"
	"testing"
)

func TestRegionsOf(t *testing.T) {
	for _, c := range []struct {
		levels string
		want   []string
	}{
		{"L4-L5", []string{RegionLumbar}},
		{"L4-L5, L5-S1", []string{RegionLumbar, RegionSacral}},
		{"C6-C7", []string{RegionCervical}},
		{"c5 c6 droite", []string{RegionCervical}},
		{"C7-T1", []string{RegionCervical, RegionThoracic}},
		{"D12", []string{RegionThoracic}}, // French "dorsal"
		{"Th10-Th11", []string{RegionThoracic}},
		{"", nil},
		{"niveau à préciser", nil},
	} {
		if got := RegionsOf(c.levels); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("RegionsOf(%q) = %v, want %v", c.levels, got, c.want)
		}
	}
}

func TestBleedingRiskAt(t *testing.T) {
	a := &Act{BleedingRisk: Choice{Value: BleedingLow}, BleedingRiskByRegion: map[string]Choice{
		RegionCervical: {Value: BleedingIntermediate, Fact: Fact{Status: NotConfirmed}}}}
	for _, c := range []struct {
		levels, class, region string
		levelsDecide          bool
	}{
		{"L4-L5", BleedingLow, "", false},
		{"C5-C6", BleedingIntermediate, RegionCervical, false},
		{"C7-T1", BleedingIntermediate, RegionCervical, false},
		{"", BleedingIntermediate, RegionCervical, true}, // not given: the strictest
	} {
		got, region := a.BleedingRiskAt(c.levels)
		if got.Value != c.class || region != c.region || a.LevelsDecideClass(c.levels) != c.levelsDecide {
			t.Errorf("%q: %s %q, want %s %q", c.levels, got.Value, region, c.class, c.region)
		}
	}
	plain := &Act{BleedingRisk: Choice{Value: BleedingHigh}}
	if got, region := plain.BleedingRiskAt("C5"); got.Value != BleedingHigh || region != "" || plain.LevelsDecideClass("") {
		t.Errorf("an act without classes by region keeps its own: %s %q", got.Value, region)
	}
}
