package billing

import (
	"bytes"
	_ "embed"
	"sort"
	"sync"

	"repere/internal/catalog"
)

//go:embed data/tariffs.csv
var tariffsCSV []byte

// Grids of CCAM tariffs: a code may have one amount for the doctors of one
// grid and another for the others.
const (
	GridOPTAM    = "optam"     // sector 1 doctors and sector 2 doctors in OPTAM
	GridNonOPTAM = "non_optam" // sector 2 doctors outside OPTAM
)

// Conventions of a radiologist with the national insurance.
const (
	Sector1      = "sector1"
	Sector2OPTAM = "sector2_optam"
	Sector2      = "sector2" // sector 2 outside OPTAM
)

// Conventions lists the conventions a radiologist may have, in form order.
var Conventions = []string{Sector1, Sector2OPTAM, Sector2}

// GridOf returns the tariff grid of a convention (an unknown one reads the
// sector 1 grid).
func GridOf(convention string) string {
	if convention == Sector2 {
		return GridNonOPTAM
	}
	return GridOPTAM
}

// The activity and phase an estimate bills: the act itself (activity 1), in
// one phase (0). Anaesthesia (activity 4) is not estimated.
const (
	ActActivity = 1
	ActPhase    = 0
)

// Tariff is one row of the tariff table: a code's amount on a grid from a day on.
type Tariff struct {
	Code     string
	Label    string
	Activity int
	Phase    int
	Grid     string
	Amount   Cents
	From     string // YYYY-MM-DD, first day the amount applies
	Source   string // an id of rates.yaml, or the description given at import
	Status   catalog.Status
}

// Key identifies a row: one amount per code, activity, phase, grid and day.
func (t Tariff) Key() string {
	return t.Code + "|" + itoa(t.Activity) + "|" + itoa(t.Phase) + "|" + t.Grid + "|" + t.From
}

// Table is the tariff table estimates read: the built-in rows overlaid by
// the rows a practice imported. It is read-only once built.
type Table struct {
	byKey  map[string]Tariff
	byCode map[string][]Tariff
}

// NewTable builds a table from layers of rows; a later layer's row replaces
// an earlier one with the same key.
func NewTable(layers ...[]Tariff) *Table {
	t := &Table{byKey: map[string]Tariff{}, byCode: map[string][]Tariff{}}
	for _, rows := range layers {
		for _, r := range rows {
			t.byKey[r.Key()] = r
		}
	}
	for _, r := range t.byKey {
		t.byCode[r.Code] = append(t.byCode[r.Code], r)
	}
	return t
}

// With returns a new table: t's rows overlaid by rows.
func (t *Table) With(rows []Tariff) *Table { return NewTable(t.Rows(), rows) }

// Rows returns every row, by code, grid, activity, phase and date.
func (t *Table) Rows() []Tariff {
	out := make([]Tariff, 0, len(t.byKey))
	for _, r := range t.byKey {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// On returns the amount of code on grid in force on day (YYYY-MM-DD), for the
// act itself (activity 1, phase 0): the row with the latest date not after day.
func (t *Table) On(code, grid, day string) (Tariff, bool) {
	var best Tariff
	found := false
	for _, r := range t.byCode[code] {
		if r.Grid == grid && r.Activity == ActActivity && r.Phase == ActPhase && r.From <= day && (!found || r.From > best.From) {
			best, found = r, true
		}
	}
	return best, found
}

// Next returns the first row of code on grid that starts after day, if any:
// a change already known.
func (t *Table) Next(code, grid, day string) (Tariff, bool) {
	var best Tariff
	found := false
	for _, r := range t.byCode[code] {
		if r.Grid == grid && r.Activity == ActActivity && r.Phase == ActPhase && r.From > day && (!found || r.From < best.From) {
			best, found = r, true
		}
	}
	return best, found
}

var (
	builtinTableOnce sync.Once
	builtinTable     *Table
	builtinTableErr  error
)

// BuiltinTable returns the tariffs shipped in the binary (data/tariffs.csv).
func BuiltinTable() (*Table, error) {
	builtinTableOnce.Do(func() {
		rows, err := ParseCSV(bytes.NewReader(tariffsCSV), "")
		if err != nil {
			builtinTableErr = err
			return
		}
		rates, err := Builtin()
		if err != nil {
			builtinTableErr = err
			return
		}
		for _, r := range rows {
			if _, ok := rates.Source(r.Source); !ok {
				builtinTableErr = &LineErrors{{Field: "source", Value: r.Source, Problem: "not a source of rates.yaml"}}
				return
			}
		}
		builtinTable = NewTable(rows)
	})
	return builtinTable, builtinTableErr
}

// Diff is what importing rows would change in a table.
type Diff struct {
	Added     []Tariff
	Changed   []Change
	Unchanged int
}

// Change is a row whose amount or label differs from the table's.
type Change struct {
	Before, After Tariff
}

// Diff compares rows with the table.
func (t *Table) Diff(rows []Tariff) Diff {
	var d Diff
	for _, r := range rows {
		old, ok := t.byKey[r.Key()]
		switch {
		case !ok:
			d.Added = append(d.Added, r)
		case old.Amount != r.Amount || old.Label != r.Label:
			d.Changed = append(d.Changed, Change{Before: old, After: r})
		default:
			d.Unchanged++
		}
	}
	return d
}
