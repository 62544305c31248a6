package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"repere/internal/catalog"
)

// Keys name the rows of the data a practice can confirm (see Input.Confirmed
// and the review of the data, internal/review). They are stable across
// upgrades as long as the row keeps its id.

// RuleKey is the key of a rule.
func RuleKey(id string) string { return "rule:" + id }

// HoldKey is the key of a drug's hold row for one bleeding-risk class.
func HoldKey(row, class string) string { return "hold:" + row + ":" + class }

// ThresholdKey is the key of a lab threshold (its classes joined by "+").
func ThresholdKey(lab string, classes []string) string {
	return "threshold:" + lab + ":" + strings.Join(classes, "+")
}

// RequirementKey is the key of a lab requirement.
func RequirementKey(id string) string { return "lab:" + id }

// DrugKey is the key of an entry of the drug list.
func DrugKey(id string) string { return "drug:" + id }

// ClassKey is the key of the bleeding-risk class an act takes at a
// referral's levels: its own class ("class:<act>") or its class for a region
// ("class:<act>:cervical").
func ClassKey(act *catalog.Act, levels string) string {
	_, region := act.BleedingRiskAt(levels)
	return ClassKeyOf(act.ID, region)
}

// ClassKeyOf is the key of an act's class for a region ("" for its own).
func ClassKeyOf(act, region string) string {
	if region == "" {
		return "class:" + act
	}
	return "class:" + act + ":" + region
}

// Fingerprint is a short hash of a row's content: a practice's decision is
// bound to the value it was taken on, and a changed row asks a new one.
func Fingerprint(row any) string {
	b, err := json.Marshal(row)
	if err != nil {
		panic(err) // rows are plain data
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// effectiveClass is the act's bleeding-risk class for the referral's levels.
func (in Input) class() (catalog.Choice, string) {
	return in.Act.BleedingRiskAt(in.Levels)
}

// Rules returns the rules in file order.
func (s *Set) Rules() []Rule { return append([]Rule(nil), s.rules...) }

// HoldRows returns the hold rows sorted by id.
func (s *Set) HoldRows() []HoldRow {
	out := make([]HoldRow, 0, len(s.holds))
	for _, id := range sortedKeys(s.holds) {
		out = append(out, s.holds[id])
	}
	return out
}

// HoldRow returns a hold row by id.
func (s *Set) HoldRow(id string) (HoldRow, bool) { r, ok := s.holds[id]; return r, ok }

// ForClass returns the row's hold for a bleeding-risk class.
func (r HoldRow) ForClass(class string) *HoldClass { return r.forClass(class) }

// Thresholds returns the lab thresholds in file order.
func (s *Set) Thresholds() []Threshold { return append([]Threshold(nil), s.thresholds...) }

// Requirements returns the lab requirements in file order.
func (s *Set) Requirements() []Requirement { return append([]Requirement(nil), s.requirements...) }

// Applies reports whether a rule applies to an act.
func (r Rule) Applies(act string) bool { return contains(r.Acts, act) }

// AppliesTo reports whether a requirement applies to an act at a class.
func (r Requirement) AppliesTo(act, class string) bool {
	return (len(r.Acts) == 0 || contains(r.Acts, act)) && (len(r.Classes) == 0 || contains(r.Classes, class))
}
