package billing

import (
	"io"
	"strconv"

	"repere/internal/spreadsheet"
)

// DayLine is one code billed on a day, for the practice's billing software:
// who, when, which act and code with its modifiers, what is billed (the
// tariff times the association share, modifiers not included) and the
// radiologist's extra fee (on the act's first code only).
type DayLine struct {
	Day           string // YYYY-MM-DD
	Time          string // HH:MM, start of the act
	AppointmentID int64
	PatientName   string
	BirthDate     string
	INS           string
	Act           string // the act's name as the export writes it (French)
	ActID         string
	Radiologist   string
	Convention    string
	Cover         string
	Code          string
	Label         string
	Activity      int
	Phase         int
	Modifiers     string
	Percent       int
	Tariff        Cents
	Amount        Cents
	Priced        bool
	ExtraFee      Cents
	// Recorded: the code comes from the saved act record; otherwise from
	// the booking (no record saved yet).
	Recorded bool
}

// DayColumns are the export's columns, in order.
var DayColumns = []string{"date", "heure", "rendez_vous", "patient", "date_naissance", "ins", "acte", "radiologue", "convention", "couverture",
	"code", "libelle", "activite", "phase", "modificateurs", "pourcentage", "tarif_eur", "montant_eur", "depassement_eur", "source"}

// WriteDayCSV writes the lines as CSV: ";" separated, decimal point, UTF-8,
// one header line; an amount not known is left empty.
func WriteDayCSV(w io.Writer, lines []DayLine) error {
	cw := spreadsheet.NewWriter(w)
	if err := cw.Write(DayColumns); err != nil {
		return err
	}
	euros := func(c Cents, known bool) string {
		if !known {
			return ""
		}
		return strconv.FormatFloat(c.EUR(), 'f', 2, 64)
	}
	for _, l := range lines {
		source := "rendez-vous"
		if l.Recorded {
			source = "compte-rendu d'acte"
		}
		// The writer makes a name a spreadsheet would run as a formula inert.
		if err := cw.Write([]string{l.Day, l.Time, strconv.FormatInt(l.AppointmentID, 10), l.PatientName, l.BirthDate, l.INS,
			l.Act, l.Radiologist, l.Convention, l.Cover, l.Code, l.Label, strconv.Itoa(l.Activity), strconv.Itoa(l.Phase),
			l.Modifiers, strconv.Itoa(l.Percent), euros(l.Tariff, l.Priced), euros(l.Amount, l.Priced), euros(l.ExtraFee, true), source}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
