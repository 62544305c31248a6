package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"repere/internal/worklist"
)

// dumpItem writes an item as dcmtk dump text, the input of dump2dcm, in
// UTF-8 so both servers send the same text.
func dumpItem(b *strings.Builder, it worklist.Item) {
	line := func(tag, vr, value string) { fmt.Fprintf(b, "(%s) %s [%s]\n", tag, vr, value) }
	line("0008,0005", "CS", "ISO_IR 192")
	line("0008,0050", "SH", it.AccessionNumber)
	line("0008,0090", "PN", it.ReferringPhysician.String())
	line("0010,0010", "PN", it.PatientName.String())
	line("0010,0020", "LO", it.PatientID)
	line("0010,0030", "DA", it.PatientBirthDate.Format("20060102"))
	line("0010,0040", "CS", it.PatientSex)
	line("0020,000d", "UI", it.StudyInstanceUID)
	line("0032,1060", "LO", it.RequestedProcedureDescription)
	b.WriteString("(0040,0100) SQ (Sequence with undefined length)\n(fffe,e000) na (Item with undefined length)\n")
	modality := it.Step.Modality
	if modality == "" {
		modality = "CT" // wlmscpfs skips an item without it (type 1)
	}
	line("0008,0060", "CS", modality)
	line("0040,0001", "AE", it.Step.StationAETitle)
	line("0040,0002", "DA", it.Step.Start.Format("20060102"))
	line("0040,0003", "TM", it.Step.Start.Format("150405"))
	line("0040,0006", "PN", it.Step.PerformingPhysician.String())
	line("0040,0007", "LO", it.Step.Description)
	line("0040,0009", "SH", it.Step.ID)
	b.WriteString("(fffe,e00d) na\n(fffe,e0dd) na\n")
	line("0040,1001", "SH", it.RequestedProcedureID)
}

func dump2dcm(base, dump string) error {
	if err := os.WriteFile(base+".dump", []byte(dump), 0o644); err != nil {
		return err
	}
	defer os.Remove(base + ".dump")
	if out, err := exec.Command("dump2dcm", base+".dump", base+".wl").CombinedOutput(); err != nil {
		return fmt.Errorf("dump2dcm: %v: %s", err, out)
	}
	return nil
}
