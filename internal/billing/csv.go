package billing

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"repere/internal/catalog"
)

// The columns of Repère's tariff import format, in this order; source and
// status may follow. See data/README.md for how to produce a file from the
// official CCAM files.
var csvColumns = []string{"code", "label", "activity", "phase", "grid", "amount_eur", "effective_from"}

// Limits of one import: the whole CCAM on both grids stays well below.
const (
	MaxImportRows  = 200000
	MaxImportBytes = 32 << 20
	maxLabelRunes  = 500
)

var codePattern = regexp.MustCompile(`^[A-Z]{4}[0-9]{3}$`)

// LineError is one problem of an import file: its line, the column and the
// value, and what is wrong (Problem, in English; Key for the pages).
type LineError struct {
	Line    int
	Field   string
	Value   string
	Problem string
	Key     string // i18n message key: tariffs.err.<kind>
}

// LineErrors are all the problems of a file; nothing is imported while there is one.
type LineErrors []LineError

func (e LineErrors) Error() string {
	var b strings.Builder
	for i, le := range e {
		if i == 10 {
			fmt.Fprintf(&b, "\n… and %d more", len(e)-10)
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		if le.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", le.Line)
		}
		fmt.Fprintf(&b, "%s %q: %s", le.Field, le.Value, le.Problem)
	}
	return b.String()
}

// ParseCSV reads a tariff file in Repère's format: a header line naming the
// columns code, label, activity, phase, grid, amount_eur, effective_from
// (then optionally source and status), separated by ";" or ","; amounts with a
// decimal point or comma; dates YYYY-MM-DD; lines starting with "#" ignored.
// A row without a source takes defaultSource; without a status, confirmed
// (the practice read it in the official file). Every problem is reported with
// its line; none means no row.
func ParseCSV(r io.Reader, defaultSource string) ([]Tariff, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, LineErrors{{Field: "file", Value: strconv.Itoa(len(data)), Problem: "larger than 32 MiB", Key: "tariffs.err.too_large"}}
	}
	if !utf8.Valid(data) {
		return nil, LineErrors{{Field: "file", Problem: "not UTF-8 text (save the file as CSV UTF-8)", Key: "tariffs.err.encoding"}}
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	header, sep := headerLine(text)
	if sep == 0 {
		return nil, LineErrors{{Field: "header", Value: header, Problem: "the first line must name the columns " + strings.Join(csvColumns, ";"), Key: "tariffs.err.header"}}
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma, cr.Comment, cr.FieldsPerRecord, cr.ReuseRecord = sep, '#', -1, false
	var rows []Tariff
	var problems LineErrors
	seen := map[string]int{}
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			problems = append(problems, LineError{Line: line, Field: "line", Problem: err.Error(), Key: "tariffs.err.line"})
			break
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if !sameColumns(rec) {
				return nil, LineErrors{{Line: line, Field: "header", Value: strings.Join(rec, string(sep)), Problem: "the first line must name the columns " + strings.Join(csvColumns, ";") + " (then optionally source;status)", Key: "tariffs.err.header"}}
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		t, errs := parseRow(rec, line, defaultSource)
		problems = append(problems, errs...)
		if len(errs) > 0 {
			continue
		}
		if prev, dup := seen[t.Key()]; dup {
			problems = append(problems, LineError{Line: line, Field: "code", Value: t.Code, Problem: fmt.Sprintf("same code, activity, phase, grid and date as line %d", prev), Key: "tariffs.err.duplicate"})
			continue
		}
		seen[t.Key()] = line
		rows = append(rows, t)
		if len(rows) > MaxImportRows {
			return nil, LineErrors{{Line: line, Field: "file", Problem: fmt.Sprintf("more than %d rows", MaxImportRows), Key: "tariffs.err.too_large"}}
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(rows) == 0 {
		return nil, LineErrors{{Field: "file", Problem: "no tariff row after the header", Key: "tariffs.err.empty"}}
	}
	return rows, nil
}

// headerLine returns the first line that is not a comment and its separator
// (0 when it is neither ";" nor "," separated).
func headerLine(text string) (string, rune) {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, sep := range []rune{';', ','} {
			if strings.HasPrefix(strings.ToLower(line), "code"+string(sep)) {
				return line, sep
			}
		}
		return line, 0
	}
	return "", 0
}

func sameColumns(rec []string) bool {
	if len(rec) < len(csvColumns) || len(rec) > len(csvColumns)+2 {
		return false
	}
	want := append(append([]string(nil), csvColumns...), "source", "status")
	for i, c := range rec {
		if strings.ToLower(strings.TrimSpace(c)) != want[i] {
			return false
		}
	}
	return true
}

func parseRow(rec []string, line int, defaultSource string) (Tariff, LineErrors) {
	var problems LineErrors
	bad := func(field, value, problem, key string) {
		problems = append(problems, LineError{Line: line, Field: field, Value: value, Problem: problem, Key: "tariffs.err." + key})
	}
	if len(rec) < len(csvColumns) {
		bad("line", strings.Join(rec, ";"), fmt.Sprintf("%d columns, %d expected", len(rec), len(csvColumns)), "columns")
		return Tariff{}, problems
	}
	field := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	t := Tariff{Code: strings.ToUpper(field(0)), Label: field(1), Grid: strings.ToLower(field(4)), From: field(6),
		Source: defaultSource, Status: catalog.Confirmed}
	if !codePattern.MatchString(t.Code) {
		bad("code", field(0), "not a CCAM code (4 letters, 3 digits)", "code")
	}
	if t.Label == "" || utf8.RuneCountInString(t.Label) > maxLabelRunes {
		bad("label", t.Label, "a label of 1 to 500 characters is required", "label")
	}
	var err error
	if t.Activity, err = strconv.Atoi(field(2)); err != nil || t.Activity < 1 || t.Activity > 9 {
		bad("activity", field(2), "an activity number 1 to 9 is required", "activity")
	}
	if t.Phase, err = strconv.Atoi(field(3)); err != nil || t.Phase < 0 || t.Phase > 9 {
		bad("phase", field(3), "a phase number 0 to 9 is required", "phase")
	}
	if t.Grid != GridOPTAM && t.Grid != GridNonOPTAM {
		bad("grid", field(4), "the grid must be optam or non_optam", "grid")
	}
	if t.Amount, err = parseEuros(field(5)); err != nil {
		bad("amount_eur", field(5), err.Error(), "amount")
	}
	if d, err := time.Parse(time.DateOnly, t.From); err != nil || d.Year() < 2000 {
		bad("effective_from", t.From, "a date YYYY-MM-DD is required", "date")
	}
	if s := field(7); s != "" {
		t.Source = s
	}
	if s := field(8); s != "" {
		t.Status = catalog.Status(s)
		if t.Status != catalog.Confirmed && t.Status != catalog.NotConfirmed && t.Status != catalog.Inference {
			bad("status", s, "the status must be confirmed, inference or not_confirmed", "status")
		}
	}
	if t.Source == "" {
		bad("source", "", "a source is required", "source")
	}
	return t, problems
}

// parseEuros reads an amount in euros, with a decimal point or comma and at
// most two decimals.
func parseEuros(s string) (Cents, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\u00a0", ""), " ", "")
	s = strings.ReplaceAll(s, ",", ".")
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 2 {
		return 0, errors.New("at most two decimals")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 100000 {
		return 0, errors.New("an amount in euros between 0 and 100000 is required")
	}
	return CentsOf(v), nil
}

func itoa(i int) string { return strconv.Itoa(i) }
