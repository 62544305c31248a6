package catalog

import (
	"regexp"
	"sort"
	"strings"
)

// Spine regions a referral's levels fall in.
const (
	RegionCervical = "cervical"
	RegionThoracic = "thoracic"
	RegionLumbar   = "lumbar"
	RegionSacral   = "sacral"
)

var regions = set(RegionCervical, RegionThoracic, RegionLumbar, RegionSacral)

// vertebra matches a vertebra as French and English referrals write it:
// C5, T12, Th10, D12 (French "dorsal"), L4, S1, with or without a space.
var vertebra = regexp.MustCompile(`(?i)(?:^|[^a-z])(c|th|t|d|l|s)\s?([0-9]{1,2})`)

// RegionsOf returns the spine regions named by a referral's levels
// ("L4-L5, L5-S1" gives lumbar and sacral), sorted; none when no vertebra
// can be read.
func RegionsOf(levels string) []string {
	found := map[string]bool{}
	for _, m := range vertebra.FindAllStringSubmatch(levels, -1) {
		switch strings.ToLower(m[1]) {
		case "c":
			found[RegionCervical] = true
		case "t", "th", "d":
			found[RegionThoracic] = true
		case "l":
			found[RegionLumbar] = true
		case "s":
			found[RegionSacral] = true
		}
	}
	out := make([]string, 0, len(found))
	for r := range found {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

var classRank = map[string]int{BleedingLow: 0, BleedingIntermediate: 1, BleedingHigh: 2}

// BleedingRiskAt is the act's bleeding-risk class for a referral's levels,
// and the region whose class it is ("" for the act's own class). An act
// without a class by region always has its own. When the levels reach
// several regions the strictest class wins; when they name no vertebra, the
// strictest class the act can take is used (see LevelsDecideClass).
func (a *Act) BleedingRiskAt(levels string) (Choice, string) {
	if len(a.BleedingRiskByRegion) == 0 {
		return a.BleedingRisk, ""
	}
	best, region := a.BleedingRisk, ""
	consider := func(c Choice, r string) {
		if classRank[c.Value] > classRank[best.Value] {
			best, region = c, r
		}
	}
	found := RegionsOf(levels)
	if len(found) == 0 {
		for _, r := range sortedRegions(a.BleedingRiskByRegion) {
			consider(a.BleedingRiskByRegion[r], r)
		}
		return best, region
	}
	for _, r := range found {
		if c, ok := a.BleedingRiskByRegion[r]; ok {
			consider(c, r)
		}
	}
	return best, region
}

// LevelsDecideClass reports whether the act's class depends on levels that
// name no vertebra: BleedingRiskAt then applies the strictest class.
func (a *Act) LevelsDecideClass(levels string) bool {
	return len(a.BleedingRiskByRegion) > 0 && len(RegionsOf(levels)) == 0
}

// BleedingClasses lists every class the act can take, its own first.
func (a *Act) BleedingClasses() []string {
	out := []string{a.BleedingRisk.Value}
	for _, r := range sortedRegions(a.BleedingRiskByRegion) {
		if c := a.BleedingRiskByRegion[r].Value; !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func sortedRegions(m map[string]Choice) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
