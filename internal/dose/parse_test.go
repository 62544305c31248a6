package dose_test

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"repere/internal/dimse"
	"repere/internal/dose"
	"repere/internal/dose/dosetest"
)

func spec() dosetest.Spec {
	return dosetest.Spec{SOPInstanceUID: "2.25.100", StudyInstanceUID: "2.25.200", AccessionNumber: "RP00000042", TotalDLP: 312.5,
		PatientID: "REP42", StudyDate: "20261203",
		Events: []dosetest.Event{
			{UID: "2.25.301", CTDIvol: 0.9, DLP: 12.5, LengthMM: 250},
			{UID: "2.25.302", Spiral: true, CTDIvol: 14.2, DLP: 300, LengthMM: 180},
		}}
}

func TestParseCTDoseReport(t *testing.T) {
	r, err := dose.Parse(spec().Dataset())
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalDLP == nil || *r.TotalDLP != 312.5 || r.StudyInstanceUID != "2.25.200" || r.AccessionNumber != "RP00000042" ||
		r.PatientID != "REP42" || r.StudyDate != "20261203" {
		t.Fatalf("report: %+v", r)
	}
	if len(r.Events) != 2 {
		t.Fatalf("events: %+v", r.Events)
	}
	spiral := r.Events[1]
	if spiral.UID != "2.25.302" || *spiral.CTDIvol != 14.2 || *spiral.DLP != 300 || *spiral.ScanLengthMM != 180 ||
		!spiral.AcquisitionType.Is("SRT", "P5-08001") || spiral.Phantom != dose.PhantomBody || !spiral.TargetRegion.Is("SRT", "T-11503") {
		t.Fatalf("spiral event: %+v", spiral)
	}
	if m := r.MaxCTDIvol(); m == nil || *m != 14.2 {
		t.Fatalf("max CTDIvol %v", m)
	}
	if len(r.Warnings) != 0 {
		t.Fatalf("warnings on a conformant report: %v", r.Warnings)
	}
}

func TestParseRefusesWhatIsNotACTDoseReport(t *testing.T) {
	foreign := spec()
	foreign.RootCode = "126000" // Imaging Measurement Report
	noStudy := spec()
	noStudy.StudyInstanceUID = ""
	projection := spec().Dataset()
	projection.Remove(0x0040A730) // no CT content at all
	for _, tt := range []struct {
		name string
		ds   *dimse.Dataset
		want error
	}{
		{"another SR", foreign.Dataset(), dose.ErrNotDoseReport},
		{"no CT containers", projection, dose.ErrNotDoseReport},
		{"no study", noStudy.Dataset(), dose.ErrIncomplete},
		{"empty dataset", dimse.NewDataset(), dose.ErrNotDoseReport},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := dose.Parse(tt.ds); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseTolerates(t *testing.T) {
	// The retired event UID code, a DLP in Gy.cm and a value with an
	// unknown unit: read, converted, dropped with a warning.
	ds := spec().Dataset()
	events := ds.Get(0x0040A730).Items
	var replace func(d *dimse.Dataset)
	replace = func(d *dimse.Dataset) {
		for _, it := range itemsOf(d) {
			name := itemsOfTag(it, 0x0040A043)[0]
			switch name.String(0x00080100, dimse.CharsetDefault) {
			case "113769":
				name.Set(dimse.NewString(0x00080100, "113853"))
			case "113838":
				unit := itemsOfTag(itemsOfTag(it, 0x0040A300)[0], 0x004008EA)[0]
				unit.Set(dimse.NewString(0x00080100, "Gy.cm"))
			case "113825":
				unit := itemsOfTag(itemsOfTag(it, 0x0040A300)[0], 0x004008EA)[0]
				unit.Set(dimse.NewString(0x00080100, "furlong"))
			}
			replace(it)
		}
	}
	replace(events[2])
	r, err := dose.Parse(ds)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Events[1]
	if e.UID != "2.25.302" || e.DLP == nil || *e.DLP != 300000 || e.ScanLengthMM != nil {
		t.Fatalf("event: %+v", e)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "furlong") {
		t.Fatalf("warnings: %v", r.Warnings)
	}
}

func itemsOf(d *dimse.Dataset) []*dimse.Dataset { return itemsOfTag(d, 0x0040A730) }

func itemsOfTag(d *dimse.Dataset, tag dimse.Tag) []*dimse.Dataset {
	if el := d.Get(tag); el != nil {
		return el.Items
	}
	return nil
}

// TestDcmtkReadsTheSyntheticReport checks the test reports against another
// implementation: dcmtk makes the file from our dump, dsrdump reads it as
// an X-Ray Radiation Dose SR, and our decoder reads the file back.
func TestDcmtkReadsTheSyntheticReport(t *testing.T) {
	dump2dcm, dsrdump := tool(t, "dump2dcm"), tool(t, "dsrdump")
	path, err := dosetest.WriteFile(dump2dcm, t.TempDir(), "ct", spec().Dataset())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(dsrdump, path).CombinedOutput()
	if err != nil {
		t.Fatalf("dsrdump: %v\n%s", err, out)
	}
	for _, want := range []string{"X-Ray Radiation Dose SR", "CT Dose Length Product Total", `="312.5" (mGy.cm`, "Mean CTDIvol", `="14.2" (mGy`} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("dsrdump output lacks %q:\n%s", want, out)
		}
	}
	r, err := dose.Parse(readPart10(t, path))
	if err != nil || r.TotalDLP == nil || *r.TotalDLP != 312.5 || len(r.Events) != 2 {
		t.Fatalf("file read back: %+v, %v", r, err)
	}
}

func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (apt-get install dcmtk)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// readPart10 decodes a DICOM file written in Explicit VR Little Endian:
// preamble, "DICM", the meta group, then the dataset.
func readPart10(t *testing.T, path string) *dimse.Dataset {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 144 || string(b[128:132]) != "DICM" {
		t.Fatal("not a DICOM file")
	}
	// (0002,0000) UL: tag 4, VR 2, length 2, value 4.
	metaLength := int(binary.LittleEndian.Uint32(b[140:144]))
	ds, err := dimse.DecodeDataset(b[144+metaLength:], dimse.ExplicitVRLittleEndian, dimse.Limits{MaxDepth: 16})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
