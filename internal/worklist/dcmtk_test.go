package worklist

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
)

// These tests query our worklist with dcmtk's findscu, the reference
// client: what it prints is what a console would get.

// findscu runs findscu -W against addr and returns its output split into
// one text per response.
// Arguments ending in ".dcm" are query files, given after the address.
func findscu(t *testing.T, addr string, args ...string) []string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"-W", "-aec", "REPERE", "-aet", "CT_SALLE1"}
	var files []string
	for _, a := range args {
		if strings.HasSuffix(a, ".dcm") {
			files = append(files, a)
		} else {
			all = append(all, a)
		}
	}
	all = append(all, host, port)
	all = append(all, files...)
	out, err := runTool(t, t.TempDir(), "findscu", all...)
	if err != nil {
		t.Fatalf("findscu %v: %v\n%s", args, err, out)
	}
	return splitResponses(string(out))
}

// splitResponses cuts findscu's output into one text per response.
func splitResponses(out string) []string {
	return strings.Split(out, "Find Response:")[1:]
}

var patientIDPattern = regexp.MustCompile(`\(0010,0020\) LO \[([^\]]*)\]`)

func patientIDs(responses []string) []string {
	var ids []string
	for _, r := range responses {
		if m := patientIDPattern.FindStringSubmatch(r); m != nil {
			ids = append(ids, strings.TrimSpace(m[1]))
		}
	}
	return ids
}

func TestFindscuMatching(t *testing.T) {
	addr := startWorklist(t, NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris}))
	spsKey := func(keyword, value string) string {
		return "(0040,0100)[0]." + keyword + "=" + value
	}
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"universal", nil, []string{"P0001", "P0003", "P0002", "P0004"}},
		{"station", []string{spsKey("ScheduledStationAETitle", "CT_SALLE1")}, []string{"P0001", "P0002", "P0004"}},
		{"single date", []string{spsKey("ScheduledProcedureStepStartDate", "20260610")}, []string{"P0001", "P0003", "P0002"}},
		{"open date range", []string{spsKey("ScheduledProcedureStepStartDate", "20260611-")}, []string{"P0004"}},
		{"combined date-time range", []string{
			spsKey("ScheduledProcedureStepStartDate", "20260610-20260611"),
			spsKey("ScheduledProcedureStepStartTime", "1200-0800"),
		}, []string{"P0002", "P0004"}},
		{"wildcard name", []string{"PatientName=DUP*"}, []string{"P0002"}},
		{"name ignores case", []string{"PatientName=lef?vre*"}, []string{"P0001"}},
		{"accented name in UTF-8", []string{"SpecificCharacterSet=ISO_IR 192", "PatientName=LEFÈVRE^Zoé"}, []string{"P0001"}},
		{"implicit VR", []string{"-xi", spsKey("Modality", "CT"), "PatientName=MARTIN*"}, []string{"P0004"}},
		{"no match", []string{"PatientID=NOBODY"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"-k", "PatientID"}
			for _, k := range tt.keys {
				if strings.HasPrefix(k, "-") {
					args = append(args, k)
				} else {
					args = append(args, "-k", k)
				}
			}
			got := patientIDs(findscu(t, addr, args...))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("patients (-want +got):\n%s", diff)
			}
		})
	}
}

var tagPattern = regexp.MustCompile(`(?m)^I:\s*\(([0-9a-f]{4},[0-9a-f]{4})\)`)

func TestFindscuReturnsOnlyRequestedKeys(t *testing.T) {
	addr := startWorklist(t, NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris}))
	responses := findscu(t, addr, "-k", "PatientName", "-k", "PatientComments", "-k", "(0040,0100)[0].ScheduledStationAETitle=CT_SALLE2")
	if len(responses) != 1 {
		t.Fatalf("got %d responses, want 1", len(responses))
	}
	var tags []string
	for _, m := range tagPattern.FindAllStringSubmatch(responses[0], -1) {
		tags = append(tags, m[1])
	}
	// Patient Comments is not in our model: it comes back empty.
	want := []string{"0008,0005", "0010,0010", "0010,4000", "0040,0100", "fffe,e000", "0040,0001", "fffe,e00d", "fffe,e0dd"}
	if diff := cmp.Diff(want, tags); diff != "" {
		t.Errorf("returned tags (-want +got):\n%s\n%s", diff, responses[0])
	}
}

// TestFindscuCharsets checks accented names and safety information (issue
// 9 item 1: medical alerts, contrast allergy, premedication, contrast
// agent, weight) both as findscu prints the bytes and as dcmtk converts
// them to UTF-8 from our Specific Character Set: the second proves the
// declared charset matches the bytes. In ISO_IR 100 mode, the answer whose
// name needs more (ŒUVRARD) goes in UTF-8, said so, rather than changed.
func TestFindscuCharsets(t *testing.T) {
	all := []string{"LEFÈVRE^Zoé", "DUPRÉ^Françoise", "ŒUVRARD^Gaëtan", "MARTIN^Éloïse", "DURAND^Jérôme", "Prémédication antiallergique", "Produit de contraste iodé", `Anticoagulant suspendu\Non accompagnée`, "Iopamidol", "[62.5]"}
	tests := []struct {
		charset  dimse.Charset
		decode   func(string) string
		want     []string        // in the output as printed, decoded with decode
		sets     []dimse.Charset // Specific Character Sets of the answers
		notWants []string
	}{
		{dimse.CharsetLatin1, latin1ToUTF8, []string{"LEFÈVRE^Zoé", "DUPRÉ^Françoise", "MARTIN^Éloïse", "DURAND^Jérôme", "Prémédication antiallergique", "Produit de contraste iodé", `Anticoagulant suspendu\Non accompagnée`, "Iopamidol", "[62.5]"},
			[]dimse.Charset{dimse.CharsetLatin1, dimse.CharsetUTF8}, []string{"OEUVRARD"}},
		{dimse.CharsetUTF8, func(s string) string { return s }, all, []dimse.Charset{dimse.CharsetUTF8}, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.charset), func(t *testing.T) {
			h := NewHandler(Config{AllowUnmappedAll: true,
				Source: StaticSource(demoItems()), Location: paris,
				CharsetByCallingAE: map[string]dimse.Charset{"CT_SALLE1": tt.charset},
			})
			addr := startWorklist(t, h)
			host, port, _ := net.SplitHostPort(addr)
			dir := t.TempDir()
			out, err := runTool(t, dir, "findscu", "-W", "-aec", "REPERE", "-aet", "CT_SALLE1", "-X", "+sr",
				"-k", "PatientName", "-k", "(0040,0100)[0].ScheduledPerformingPhysicianName",
				"-k", "(0040,0100)[0].PreMedication", "-k", "(0040,0100)[0].RequestedContrastAgent",
				"-k", "MedicalAlerts", "-k", "Allergies", "-k", "PatientWeight", host, port)
			if err != nil {
				t.Fatalf("findscu: %v\n%s", err, out)
			}
			printed := tt.decode(string(out))
			converted := dumpUTF8(t, dir)
			for _, name := range tt.want {
				if !strings.Contains(printed, name) {
					t.Errorf("findscu output lacks %q:\n%s", name, printed)
				}
			}
			for _, name := range all {
				if !strings.Contains(converted, name) {
					t.Errorf("dcmdump +U8 output lacks %q:\n%s", name, converted)
				}
			}
			for _, name := range tt.notWants {
				if strings.Contains(converted, name) {
					t.Errorf("a name was changed to %q:\n%s", name, converted)
				}
			}
			for _, cs := range tt.sets {
				if !strings.Contains(printed, "(0008,0005) CS ["+string(cs)+"]") {
					t.Errorf("no answer with Specific Character Set %s:\n%s", cs, printed)
				}
			}
		})
	}
}

func latin1ToUTF8(s string) string { return dimse.CharsetLatin1.Decode([]byte(s)) }

// dumpUTF8 converts the responses findscu extracted to UTF-8 with dcmdump.
func dumpUTF8(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "rsp*.dcm"))
	if len(files) == 0 {
		t.Fatal("findscu extracted no response")
	}
	var all strings.Builder
	for _, f := range files {
		out, err := runTool(t, dir, "dcmdump", "+U8", f)
		if err != nil {
			t.Fatalf("dcmdump: %v\n%s", err, out)
		}
		all.Write(out)
	}
	return all.String()
}

// standardQuery is the query of dcmtk's wlistqry example, the shape most
// consoles send, written as a file with dump2dcm.
const standardQuery = `(0008,0005) CS [ISO_IR 100]
(0008,0050) SH []
(0010,0010) PN []
(0010,0020) LO []
(0010,0030) DA []
(0010,0040) CS []
(0010,1030) DS []
(0010,2000) LO []
(0010,2110) LO []
(0020,000d) UI []
(0032,1032) PN []
(0032,1060) LO []
(0032,1064) SQ (Sequence with undefined length)
(fffe,e000) na (Item with undefined length)
(0008,0100) SH []
(0008,0102) SH []
(0008,0104) LO []
(fffe,e00d) na
(fffe,e0dd) na
(0040,0100) SQ (Sequence with undefined length)
(fffe,e000) na (Item with undefined length)
(0008,0060) CS []
(0032,1070) LO []
(0040,0001) AE [CT_SALLE1]
(0040,0002) DA [20260610]
(0040,0003) TM []
(0040,0006) PN []
(0040,0007) LO []
(0040,0008) SQ (Sequence with undefined length)
(fffe,e0dd) na
(0040,0009) SH []
(0040,0010) SH []
(0040,0011) SH []
(0040,0012) LO []
(0040,0020) CS []
(fffe,e00d) na
(fffe,e0dd) na
(0040,1001) SH []
(0040,1003) SH []
`

func TestFindscuStandardQueryFile(t *testing.T) {
	requireTool(t, "dump2dcm")
	addr := startWorklist(t, NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris}))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "query.dump"), []byte(standardQuery), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runTool(t, dir, "dump2dcm", "query.dump", "query.dcm"); err != nil {
		t.Fatalf("dump2dcm: %v\n%s", err, out)
	}
	responses := findscu(t, addr, filepath.Join(dir, "query.dcm"))
	if len(responses) != 2 {
		t.Fatalf("got %d responses, want 2", len(responses))
	}
	first := latin1ToUTF8(responses[0])
	// Type 1 keys of PS3.4 Table K.6-1 must have values; the others asked
	// for must be present.
	for _, want := range []string{
		"(0010,0010) PN [LEFÈVRE^Zoé]", "(0010,0020) LO [P0001]", "(0020,000d) UI [2.25.1001]",
		"(0040,1001) SH [RP0001]", "(0008,0060) CS [CT]", "(0040,0001) AE [CT_SALLE1]",
		"(0040,0002) DA [20260610]", "(0040,0003) TM [083000]", "(0040,0009) SH [S0001]",
		"(0040,0020) CS [SCHEDULED]", "(0010,1030) DS [62.5]",
		`(0010,2000) LO [Anticoagulant suspendu\Non accompagnée]`,
		"(0010,2110) LO [Produit de contraste iodé]", "(0032,1070) LO [Iopamidol]",
		"(0008,0100) SH [LHLH001]", "(0008,0102) SH [CCAM]",
		"(0040,1003) SH (no value available)", "(0040,0008) SQ (Sequence with explicit length #=0)",
	} {
		if !strings.Contains(normalisePadding(first), want) {
			t.Errorf("first response lacks %q:\n%s", want, first)
		}
	}
}

// normalisePadding drops the padding (space, or NUL for UIDs) dcmtk shows
// before "]" for values of odd length.
func normalisePadding(s string) string {
	return strings.NewReplacer(" ]", "]", "\x00]", "]").Replace(s)
}
