// Package dosetest builds synthetic CT Radiation Dose SR objects for tests:
// as a dataset for our DIMSE client, and as a DICOM file made by dcmtk's
// dump2dcm for storescu. No scanner's file is copied.
package dosetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"repere/internal/dimse"
)

// Event is one irradiation event of a synthetic report.
type Event struct {
	UID                    string
	Spiral                 bool // else a localizer (constant angle)
	CTDIvol, DLP, LengthMM float64
}

// Spec describes a synthetic report.
type Spec struct {
	SOPClassUID      string // default X-Ray Radiation Dose SR
	SOPInstanceUID   string
	StudyInstanceUID string
	AccessionNumber  string
	PatientID        string // (0010,0020), empty when not sent
	StudyDate        string // (0008,0020), YYYYMMDD, empty when not sent
	TotalDLP         float64
	Events           []Event
	// RootCode replaces the root concept (113701) to build a foreign SR.
	RootCode string
}

func code(tag dimse.Tag, value, scheme, meaning string) *dimse.Element {
	return dimse.NewSequence(tag, dimse.NewDataset(
		dimse.NewString(0x00080100, value), dimse.NewString(0x00080102, scheme),
		dimse.NewText(0x00080104, dimse.LO, meaning, dimse.CharsetDefault)))
}

func item(relationship, valueType, value, meaning string, rest ...*dimse.Element) *dimse.Dataset {
	ds := dimse.NewDataset(rest...)
	ds.Set(dimse.NewString(0x0040A010, relationship))
	ds.Set(dimse.NewString(0x0040A040, valueType))
	ds.Set(code(0x0040A043, value, "DCM", meaning))
	return ds
}

func num(value, meaning string, v float64, unit string) *dimse.Dataset {
	return item("CONTAINS", "NUM", value, meaning, dimse.NewSequence(0x0040A300, dimse.NewDataset(
		dimse.NewString(0x0040A30A, strconv.FormatFloat(v, 'f', -1, 64)),
		code(0x004008EA, unit, "UCUM", unit))))
}

func container(value, meaning string, children ...*dimse.Dataset) *dimse.Dataset {
	return item("CONTAINS", "CONTAINER", value, meaning,
		dimse.NewString(0x0040A050, "SEPARATE"), dimse.NewSequence(0x0040A730, children...))
}

// Dataset builds the report as a dataset.
func (s Spec) Dataset() *dimse.Dataset {
	class := s.SOPClassUID
	if class == "" {
		class = dimse.XRayRadiationDoseSRStorage
	}
	root := s.RootCode
	if root == "" {
		root = "113701"
	}
	content := []*dimse.Dataset{container("113811", "CT Accumulated Dose Data",
		num("113812", "Total Number of Irradiation Events", float64(len(s.Events)), "{events}"),
		num("113813", "CT Dose Length Product Total", s.TotalDLP, "mGy.cm"))}
	for _, e := range s.Events {
		acq := []string{"113805", "DCM", "Constant Angle Acquisition"}
		if e.Spiral {
			acq = []string{"P5-08001", "SRT", "Spiral Acquisition"}
		}
		content = append(content, container("113819", "CT Acquisition",
			item("CONTAINS", "CODE", "123014", "Target Region", code(0x0040A168, "T-11503", "SRT", "Lumbar spine")),
			item("CONTAINS", "CODE", "113820", "CT Acquisition Type", code(0x0040A168, acq[0], acq[1], acq[2])),
			item("CONTAINS", "UIDREF", "113769", "Irradiation Event UID", dimse.NewString(0x0040A124, e.UID)),
			container("113822", "CT Acquisition Parameters", num("113825", "Scanning Length", e.LengthMM, "mm")),
			container("113829", "CT Dose",
				num("113830", "Mean CTDIvol", e.CTDIvol, "mGy"),
				item("CONTAINS", "CODE", "113835", "CTDIw Phantom Type", code(0x0040A168, "113691", "DCM", "IEC Body Dosimetry Phantom")),
				num("113838", "DLP", e.DLP, "mGy.cm"))))
	}
	ds := dimse.NewDataset(
		dimse.NewString(0x00080005, "ISO_IR 192"),
		dimse.NewString(0x00080016, class),
		dimse.NewString(0x00080018, s.SOPInstanceUID),
		dimse.NewString(0x00080050, s.AccessionNumber),
		dimse.NewString(0x00080060, "SR"),
		dimse.NewText(0x00080070, dimse.LO, "Synthetic CT", dimse.CharsetUTF8),
		dimse.NewText(0x00081010, dimse.SH, "CT1", dimse.CharsetUTF8),
		dimse.NewText(0x00100010, dimse.PN, "TEST^DOSE", dimse.CharsetUTF8),
		dimse.NewString(0x0020000D, s.StudyInstanceUID),
		dimse.NewString(0x0020000E, s.StudyInstanceUID+".1"),
		dimse.NewString(0x0040A040, "CONTAINER"),
		code(0x0040A043, root, "DCM", "X-Ray Radiation Dose Report"),
		dimse.NewString(0x0040A050, "SEPARATE"),
		dimse.NewString(0x0040A491, "COMPLETE"),
		dimse.NewString(0x0040A493, "UNVERIFIED"),
		dimse.NewSequence(0x0040A504, dimse.NewDataset(dimse.NewString(0x00080105, "DCMR"), dimse.NewString(0x0040DB00, "10011"))),
		dimse.NewSequence(0x0040A730, content...),
	)
	if s.PatientID != "" {
		ds.Set(dimse.NewText(0x00100020, dimse.LO, s.PatientID, dimse.CharsetUTF8))
	}
	if s.StudyDate != "" {
		ds.Set(dimse.NewString(0x00080020, s.StudyDate))
	}
	return ds
}

// Dump writes the dataset in dcmdump's text form, which dump2dcm reads.
func Dump(ds *dimse.Dataset) string {
	var b strings.Builder
	b.WriteString("(0002,0010) UI =LittleEndianExplicit\n")
	dumpInto(&b, ds, "")
	return b.String()
}

func dumpInto(b *strings.Builder, ds *dimse.Dataset, indent string) {
	for _, el := range ds.Elements() {
		tag := fmt.Sprintf("(%04x,%04x)", el.Tag.Group(), el.Tag.Element())
		if el.VR == dimse.SQ {
			fmt.Fprintf(b, "%s%s SQ (Sequence with undefined length)\n", indent, tag)
			for _, it := range el.Items {
				fmt.Fprintf(b, "%s  (fffe,e000) na (Item with undefined length)\n", indent)
				dumpInto(b, it, indent+"    ")
				fmt.Fprintf(b, "%s  (fffe,e00d) na (ItemDelimitationItem)\n", indent)
			}
			fmt.Fprintf(b, "%s(fffe,e0dd) na (SequenceDelimitationItem)\n", indent)
			continue
		}
		fmt.Fprintf(b, "%s%s %s [%s]\n", indent, tag, el.VR, strings.TrimRight(string(el.Value), " \x00"))
	}
}

// WriteFile makes the report a DICOM file with dcmtk's dump2dcm in dir and
// returns its path.
func WriteFile(dump2dcm, dir, name string, ds *dimse.Dataset) (string, error) {
	dumpPath := filepath.Join(dir, name+".dump")
	if err := os.WriteFile(dumpPath, []byte(Dump(ds)), 0o600); err != nil {
		return "", err
	}
	out := filepath.Join(dir, name+".dcm")
	if msg, err := exec.Command(dump2dcm, "--write-xfer-little", dumpPath, out).CombinedOutput(); err != nil {
		return "", fmt.Errorf("dump2dcm: %v\n%s", err, msg)
	}
	return out, nil
}
