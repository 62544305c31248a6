package mpps

import (
	"regexp"
	"strconv"
	"strings"

	"repere/internal/dimse"
)

// readDose returns the DLP (mGy·cm) and CTDIvol (mGy) of a step, nil when
// not sent.
//
// The Radiation Dose module of the MPPS (PS3.3 C.4.16) was written for
// projection X-ray: it has no DLP or CTDIvol attribute, and a CT's full
// dose report is a separate Radiation Dose SR. What CT consoles put in
// their MPPS, and what we therefore read, is:
//
//   - CTDIvol (0018,9345) FD, at the top level or in the items of the
//     Exposure Dose Sequence (0040,030E), one per acquisition: the highest
//     value is kept, the one a dose audit compares to its reference level;
//   - Comments on Radiation Dose (0040,0310), the free text where consoles
//     write "Total DLP = 512.3 mGy*cm" or one "DLP: 212.3" per series (and
//     sometimes "CTDIvol = 12.1"), at the top level or per exposure item.
//     A "Total DLP" is taken as it is; otherwise the DLPs found, at the top
//     level or failing it in the items, are added up, as DLP is additive
//     over acquisitions.
//
// Values that are negative or cannot be read are ignored, never guessed.
func readDose(ds *dimse.Dataset, cs dimse.Charset) (dlp, ctdiVol *float64) {
	var items []*dimse.Dataset
	if el := ds.Get(tagExposureDoseSequence); el != nil {
		items = el.Items
	}
	comments := ds.String(tagCommentsOnRadiationDose, cs)

	if v, ok := dlpIn(comments); ok {
		dlp = &v
	} else {
		var total float64
		found := false
		for _, item := range items {
			if v, ok := dlpIn(item.String(tagCommentsOnRadiationDose, cs)); ok {
				total, found = total+v, true
			}
		}
		if found {
			dlp = &total
		}
	}

	best, found := nonNegative(ds.Get(tagCTDIvol))
	for _, item := range items {
		if v, ok := nonNegative(item.Get(tagCTDIvol)); ok && (!found || v > best) {
			best, found = v, true
		}
	}
	if !found {
		best, found = doseIn(ctdiVolPattern, comments)
	}
	if found {
		ctdiVol = &best
	}
	return dlp, ctdiVol
}

// The number after the name, within a few characters of units or
// punctuation ("DLP(mGy.cm)=", "Total DLP : "), with a point or a comma.
var (
	totalDLPPattern = regexp.MustCompile(`(?i)\btotal\s*DLP\b[^0-9\n]{0,16}?([0-9]+(?:[.,][0-9]+)?)`)
	dlpPattern      = regexp.MustCompile(`(?i)\bDLP\b[^0-9\n]{0,16}?([0-9]+(?:[.,][0-9]+)?)`)
	ctdiVolPattern  = regexp.MustCompile(`(?i)\bCTDI\s*vol\b[^0-9\n]{0,16}?([0-9]+(?:[.,][0-9]+)?)`)
)

// dlpIn reads the total DLP of a comment, or the sum of the DLPs it lists.
func dlpIn(text string) (float64, bool) {
	if v, ok := doseIn(totalDLPPattern, text); ok {
		return v, true
	}
	var sum float64
	matches := dlpPattern.FindAllStringSubmatch(text, 32)
	for _, m := range matches {
		v, err := parseDose(m[1])
		if err != nil {
			return 0, false
		}
		sum += v
	}
	return sum, len(matches) > 0
}

func parseDose(number string) (float64, error) {
	return strconv.ParseFloat(strings.ReplaceAll(number, ",", "."), 64)
}

func doseIn(pattern *regexp.Regexp, text string) (float64, bool) {
	m := pattern.FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := parseDose(m[1])
	return v, err == nil
}

func nonNegative(el *dimse.Element) (float64, bool) {
	v, ok := el.Float64()
	return v, ok && v >= 0
}
