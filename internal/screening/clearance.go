package screening

import (
	"time"
)

// Clearance is a creatinine clearance computed with the Cockcroft-Gault
// formula from the patient's serum creatinine, age, weight and sex. GIHP
// 2015 gives dabigatran's hold by creatinine clearance, not by eGFR.
type Clearance struct {
	MLPerMin   float64   `json:"ml_per_min"`
	Age        int       `json:"age"`
	WeightKg   float64   `json:"weight_kg"`
	Sex        string    `json:"sex"`        // F or M
	Creatinine float64   `json:"creatinine"` // µmol/L
	TakenOn    time.Time `json:"taken_on"`   // of the creatinine
	Source     string    `json:"source"`
}

// SourceCockcroftGault is the source of the formula.
const SourceCockcroftGault = "cockcroft_gault"

// creatinineMgPerDL converts µmol/L to mg/dL (creatinine, 113.12 g/mol:
// 1 mg/dL = 88.4 µmol/L).
const creatinineMgPerDL = 88.4

// cockcroftGault is (140 − age) × weight / (72 × creatinine in mg/dL),
// × 0.85 for a woman.
func cockcroftGault(age int, weightKg float64, female bool, creatinineUmol float64) float64 {
	crcl := float64(140-age) * weightKg / (72 * creatinineUmol / creatinineMgPerDL)
	if female {
		crcl *= 0.85
	}
	return crcl
}

// clearance computes the patient's creatinine clearance when the
// creatinine (recent enough), the weight, the sex and the birth date are
// known; an age outside 18-120 or a value out of range gives none.
func (s *Set) clearance(in Input) (Clearance, bool) {
	if in.Patient.Sex != "F" && in.Patient.Sex != "M" {
		return Clearance{}, false
	}
	born, err := time.Parse(time.DateOnly, in.Patient.BirthDate)
	if err != nil {
		return Clearance{}, false
	}
	weight, ok := in.number("weight_kg")
	if !ok || weight <= 0 {
		return Clearance{}, false
	}
	creat, ok := in.latestLab(LabCreatinine, s.labMaxAge(LabCreatinine))
	if !ok || creat.Value <= 0 {
		return Clearance{}, false
	}
	ref := in.referenceDay()
	age := ref.Year() - born.Year()
	if ref.Month() < born.Month() || ref.Month() == born.Month() && ref.Day() < born.Day() {
		age--
	}
	if age < 18 || age > 120 {
		return Clearance{}, false // the formula is for adults
	}
	c := Clearance{Age: age, WeightKg: weight, Sex: in.Patient.Sex, Creatinine: creat.Value, TakenOn: creat.TakenOn, Source: SourceCockcroftGault}
	c.MLPerMin = cockcroftGault(age, weight, in.Patient.Sex == "F", creat.Value)
	return c, true
}
