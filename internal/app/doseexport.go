package app

import (
	"context"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"repere/internal/patient"
	"repere/internal/spreadsheet"
)

// DoseExportLine is one act of the annual dose export.
type DoseExportLine struct {
	ActName, Date, Sex, Station, Protocol string
	AgeYears                              int
	WeightKg, CTDIvol, DLP                *float64
}

// DoseExport lists the dosed acts of a calendar year with what a dose
// survey asks (act type, date, age, sex, weight, scanner, protocol,
// CTDIvol, DLP). The official format of the national survey was not found:
// docs/dose.md says so; this is a plain CSV a practice can rearrange.
func (a *App) DoseExport(ctx context.Context, year int) ([]DoseExportLine, error) {
	loc := a.Location()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	rows, err := a.store.DoseExportRows(ctx, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	rooms, err := a.groupLabels(ctx, "room")
	if err != nil {
		return nil, err
	}
	out := make([]DoseExportLine, 0, len(rows))
	for _, r := range rows {
		start := r.Start.In(loc)
		l := DoseExportLine{ActName: a.actName(r.ActID), Date: start.Format(time.DateOnly), Sex: r.Sex, Station: r.Station,
			AgeYears: ageOrUnknown(r.BirthDate, start), CTDIvol: r.CTDIvol, DLP: r.DLP}
		if l.Station == "" {
			l.Station = rooms[strconv.FormatInt(r.RoomID, 10)]
		}
		if len(r.Answers) > 0 {
			if answers, err := decodeAnswers(r.AppointmentID, r.Answers); err == nil {
				if kg, ok := answers.Number("weight_kg"); ok && kg > 0 {
					l.WeightKg = &kg
				}
			}
		}
		l.Protocol = protocolsOf(r.Report)
		out = append(out, l)
	}
	return out, nil
}

// protocolsOf names the distinct acquisition protocols of a stored report.
func protocolsOf(report []byte) string {
	if len(report) == 0 {
		return ""
	}
	var r struct {
		Events []struct {
			Protocol string `json:"protocol"`
		} `json:"events"`
	}
	if json.Unmarshal(report, &r) != nil {
		return ""
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range r.Events {
		if e.Protocol != "" && !seen[e.Protocol] {
			seen[e.Protocol] = true
			names = append(names, e.Protocol)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " + ")
}

// WriteDoseCSV writes the annual export, semicolon-separated with decimal
// points, for a French spreadsheet to open as it is.
func WriteDoseCSV(w io.Writer, lines []DoseExportLine) error {
	c := spreadsheet.NewWriter(w)
	_ = c.Write([]string{"act", "date", "age_years", "sex", "weight_kg", "scanner", "protocol", "ctdivol_mGy", "dlp_mGy_cm"})
	for _, l := range lines {
		age := ""
		if l.AgeYears >= 0 {
			age = strconv.Itoa(l.AgeYears)
		}
		_ = c.Write([]string{l.ActName, l.Date, age, l.Sex, optional(l.WeightKg), l.Station, l.Protocol, optional(l.CTDIvol), optional(l.DLP)})
	}
	c.Flush()
	return c.Error()
}

func optional(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// ageOrUnknown is the age on day, -1 when the birth date is unknown.
func ageOrUnknown(birthDate string, day time.Time) int {
	if years, ok := patient.AgeOn(birthDate, day); ok {
		return years
	}
	return -1
}
