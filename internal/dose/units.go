package dose

import (
	"math"

	"repere/internal/dimse"
)

// Unit factors to the unit we keep, by UCUM code (PS3.16 CID 7181 and
// the units CT reports use). A value in a unit we do not know is dropped
// with a warning rather than guessed.
var (
	unitsDose   = map[string]float64{"mGy": 1, "Gy": 1000, "uGy": 0.001}
	unitsDLP    = map[string]float64{"mGy.cm": 1, "mGy*cm": 1, "Gy.cm": 1000, "mGy.mm": 0.1, "mGycm": 1}
	unitsLength = map[string]float64{"mm": 1, "cm": 10, "m": 1000}
)

// maxPlausible bounds what a CT can give for one quantity in its kept unit;
// above it the value is an error of the scanner's (or of its unit).
const maxPlausible = 1e6

// number reads a NUM content item's value in the kept unit; nil when it is
// missing, negative, absurd, or in an unknown unit.
func (p *parser) number(ds *dimse.Dataset, what string, units map[string]float64) *float64 {
	measured := items(ds, tagMeasuredValue)
	if len(measured) == 0 {
		p.warn("%s without measured value", what)
		return nil
	}
	mv := measured[0]
	v, ok := mv.Get(tagFloatingValue).Float64()
	if !ok {
		v, ok = mv.Get(tagNumericValue).Float64()
	}
	if !ok {
		p.warn("%s: value not readable", what)
		return nil
	}
	unit := p.code(mv, tagUnitsSequence)
	factor := 1.0
	switch f, known := units[unit.Value]; {
	case unit.Value == "":
		p.warn("%s without unit, read in the usual unit", what)
	case !known:
		p.warn("%s in unknown unit %q, ignored", what, unit.Value)
		return nil
	default:
		factor = f
	}
	v *= factor
	if v < 0 || v > maxPlausible || math.IsNaN(v) {
		p.warn("%s: implausible value %g, ignored", what, v)
		return nil
	}
	return &v
}
