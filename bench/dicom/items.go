package main

import (
	"fmt"
	"strings"
	"time"

	"repere/internal/worklist"
)

// benchDay is the day every synthetic act is scheduled on, so that one
// console query (its station, its day) returns the whole worklist: the
// heaviest answer for a given size.
var benchDay = time.Date(2026, 6, 10, 7, 0, 0, 0, time.UTC)

const benchStation = "CT_SALLE1"

var families = []string{"LEFÈVRE", "DUPRÉ", "ŒUVRARD", "MARTIN", "NOËL", "FRANÇOIS", "BÉRANGER", "GIRAUD"}
var givens = []string{"Zoé", "Françoise", "Gaëtan", "Éloïse", "Jérôme", "Anaïs", "Hélène", "Noé"}

// syntheticItems returns n acts on benchDay in one room, with French
// accented names, in the shape Repère's bookings will produce.
func syntheticItems(n int) []worklist.Item {
	items := make([]worklist.Item, n)
	for i := range items {
		start := benchDay.Add(time.Duration(i%720) * time.Minute)
		items[i] = worklist.Item{
			PatientName:                   worklist.PersonName{Family: families[i%len(families)], Given: givens[(i/len(families))%len(givens)]},
			PatientID:                     fmt.Sprintf("P%06d", i),
			PatientBirthDate:              time.Date(1940+i%60, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
			PatientSex:                    []string{"F", "M"}[i%2],
			AccessionNumber:               fmt.Sprintf("A%06d", i),
			StudyInstanceUID:              fmt.Sprintf("2.25.%d", 1000000+i),
			ReferringPhysician:            worklist.PersonName{Family: "MARTIN", Given: "Hélène"},
			RequestedProcedureID:          fmt.Sprintf("RP%06d", i),
			RequestedProcedureDescription: "Infiltration foraminale sous scanner",
			Step: worklist.ScheduledStep{
				StationAETitle:      benchStation,
				Start:               start,
				Modality:            "CT",
				PerformingPhysician: worklist.PersonName{Family: "DURAND", Given: "Jérôme"},
				Description:         "Infiltration foraminale L5-S1",
				ID:                  fmt.Sprintf("S%06d", i),
				Status:              "SCHEDULED",
			},
		}
	}
	return items
}

// dumpItem writes an item as dcmtk dump text, the input of dump2dcm, in
// UTF-8 so both servers send the same bytes.
func dumpItem(it worklist.Item) string {
	var b strings.Builder
	line := func(tag, vr, value string) { fmt.Fprintf(&b, "(%s) %s [%s]\n", tag, vr, value) }
	line("0008,0005", "CS", "ISO_IR 192")
	line("0008,0050", "SH", it.AccessionNumber)
	line("0008,0090", "PN", it.ReferringPhysician.String())
	// Empty type 2 sequences, which wlmscpfs otherwise adds with a warning.
	b.WriteString("(0008,1110) SQ (Sequence with undefined length)\n(fffe,e0dd) na\n")
	b.WriteString("(0008,1120) SQ (Sequence with undefined length)\n(fffe,e0dd) na\n")
	line("0010,0010", "PN", it.PatientName.String())
	line("0010,0020", "LO", it.PatientID)
	line("0010,0030", "DA", it.PatientBirthDate.Format("20060102"))
	line("0010,0040", "CS", it.PatientSex)
	line("0020,000d", "UI", it.StudyInstanceUID)
	line("0032,1032", "PN", it.ReferringPhysician.String())
	line("0032,1060", "LO", it.RequestedProcedureDescription)
	b.WriteString("(0040,0100) SQ (Sequence with undefined length)\n(fffe,e000) na (Item with undefined length)\n")
	line("0008,0060", "CS", it.Step.Modality)
	line("0040,0001", "AE", it.Step.StationAETitle)
	line("0040,0002", "DA", it.Step.Start.Format("20060102"))
	line("0040,0003", "TM", it.Step.Start.Format("150405"))
	line("0040,0006", "PN", it.Step.PerformingPhysician.String())
	line("0040,0007", "LO", it.Step.Description)
	line("0040,0009", "SH", it.Step.ID)
	line("0040,0020", "CS", it.Step.Status)
	b.WriteString("(fffe,e00d) na\n(fffe,e0dd) na\n")
	line("0040,1001", "SH", it.RequestedProcedureID)
	return b.String()
}
