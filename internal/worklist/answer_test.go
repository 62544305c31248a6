package worklist

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
)

// shape lists the tags of a dataset, sequences as "tag[" … "]".
func shape(ds *dimse.Dataset) []string {
	var tags []string
	for _, el := range ds.Elements() {
		tags = append(tags, el.Tag.String())
		if el.VR == dimse.SQ {
			tags = append(tags, "[")
			for _, item := range el.Items {
				tags = append(tags, shape(item)...)
			}
			tags = append(tags, "]")
		}
	}
	return tags
}

func TestAnswerShape(t *testing.T) {
	stepTags := []string{"(0008,0060)", "(0032,1070)", "(0040,0001)", "(0040,0002)", "(0040,0003)", "(0040,0004)",
		"(0040,0005)", "(0040,0006)", "(0040,0007)", "(0040,0008)", "[", "]", "(0040,0009)", "(0040,0010)",
		"(0040,0011)", "(0040,0012)", "(0040,0020)", "(0040,0400)"}
	tests := []struct {
		name  string
		query []*dimse.Element
		want  []string
	}{
		{"only requested keys, with the character set", []*dimse.Element{key(dimse.TagPatientName, "DUP*")},
			[]string{"(0008,0005)", "(0010,0010)", "(0010,0020)"}},
		{"sequence shaped like the query item", []*dimse.Element{key(dimse.TagPatientName, "DUP*"),
			stepKeys(key(dimse.TagSPSStartTime, ""), key(dimse.TagScheduledStationAETitle, ""))},
			[]string{"(0008,0005)", "(0010,0010)", "(0010,0020)", "(0040,0100)", "[", "(0040,0001)", "(0040,0003)", "]"}},
		{"sequence with no item gets every step key", []*dimse.Element{key(dimse.TagPatientName, "DUP*"),
			dimse.NewSequence(dimse.TagScheduledProcedureStepSeq)},
			append(append([]string{"(0008,0005)", "(0010,0010)", "(0010,0020)", "(0040,0100)", "["}, stepTags...), "]")},
		{"code sequence empty without a code", []*dimse.Element{key(dimse.TagPatientName, "DUP*"),
			dimse.NewSequence(dimse.TagRequestedProcedureCodeSeq, dimse.NewDataset(key(dimse.TagCodeValue, "")))},
			[]string{"(0008,0005)", "(0010,0010)", "(0010,0020)", "(0032,1064)", "[", "]"}},
		{"unknown keys returned empty", []*dimse.Element{key(dimse.TagPatientName, "DUP*"), key(0x00380010, ""),
			dimse.NewSequence(0x0040A370)},
			[]string{"(0008,0005)", "(0010,0010)", "(0010,0020)", "(0038,0010)", "(0040,A370)", "[", "]"}},
		{"private and group length keys ignored", []*dimse.Element{key(dimse.TagPatientName, "DUP*"),
			{Tag: 0x00090010, VR: dimse.LO, Value: []byte("PRIVATE")}, {Tag: 0x00100000, VR: dimse.UL, Value: make([]byte, 4)}},
			[]string{"(0008,0005)", "(0010,0010)", "(0010,0020)"}},
	}
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := find(t, h, "ANY", dimse.CharsetUTF8, tt.query...)
			if err != nil || len(got.answers) != 1 {
				t.Fatalf("err=%v, %d answers", err, len(got.answers))
			}
			if diff := cmp.Diff(tt.want, shape(got.answers[0])); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswerValues(t *testing.T) {
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris,
		CharsetByCallingAE: map[string]dimse.Charset{"MODERN": dimse.CharsetUTF8}})
	tests := []struct {
		name, callingAE string
		tag             dimse.Tag
		cs              dimse.Charset
		want            string
	}{
		{"Latin-1 by default, UTF-8 when a name needs it", "OLD", dimse.TagPatientName, dimse.CharsetUTF8, "ŒUVRARD^Gaëtan"},
		{"the answer says so", "OLD", dimse.TagSpecificCharacterSet, dimse.CharsetDefault, "ISO_IR 192"},
		{"UTF-8 per console", "MODERN", dimse.TagPatientName, dimse.CharsetUTF8, "ŒUVRARD^Gaëtan"},
		{"declared character set", "MODERN", dimse.TagSpecificCharacterSet, dimse.CharsetDefault, "ISO_IR 192"},
		{"time in the practice's zone", "OLD", dimse.TagSPSStartTime, dimse.CharsetDefault, "090000"},
		{"default status", "OLD", dimse.TagSPSStatus, dimse.CharsetDefault, "SCHEDULED"},
		{"default modality", "OLD", dimse.TagModality, dimse.CharsetDefault, "CT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := find(t, h, tt.callingAE, dimse.CharsetUTF8, key(dimse.TagPatientID, "P0003"), key(dimse.TagPatientName, ""),
				stepKeys(key(dimse.TagSPSStartTime, ""), key(dimse.TagSPSStatus, ""), key(dimse.TagModality, "")))
			if err != nil || len(got.answers) != 1 {
				t.Fatalf("err=%v, %d answers", err, len(got.answers))
			}
			ds := got.answers[0]
			if step := ds.Get(dimse.TagScheduledProcedureStepSeq); step != nil && ds.Get(tt.tag) == nil {
				ds = step.Items[0]
			}
			if value := ds.String(tt.tag, tt.cs); value != tt.want {
				t.Errorf("%s = %q, want %q", tt.tag, value, tt.want)
			}
		})
	}
}

func TestAnswerTimesFollowLocation(t *testing.T) {
	items := demoItems()[:1]
	items[0].Step.Start = items[0].Step.Start.UTC() // as a database may return it
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(items), Location: paris})
	got, err := find(t, h, "ANY", dimse.CharsetUTF8, stepKeys(key(dimse.TagSPSStartTime, "0830")))
	if err != nil || len(got.answers) != 1 {
		t.Fatalf("err=%v, %d answers: the 08:30 Paris act must match 0830", err, len(got.answers))
	}
}

func TestValuesCutToTheirVR(t *testing.T) {
	items := demoItems()[:1]
	items[0].Step.ID = strings.Repeat("9", 20)
	items[0].MedicalAlerts = []string{strings.Repeat("a", 70), "court"}
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(items), Location: paris})
	got, _ := find(t, h, "ANY", dimse.CharsetUTF8, key(dimse.TagMedicalAlerts, ""), stepKeys(key(dimse.TagSPSID, "")))
	step := got.answers[0].Get(dimse.TagScheduledProcedureStepSeq).Items[0]
	if id := step.String(dimse.TagSPSID, dimse.CharsetUTF8); len(id) != 16 {
		t.Errorf("step ID %q not cut to 16", id)
	}
	want := strings.Repeat("a", 64) + `\court`
	if alerts := got.answers[0].String(dimse.TagMedicalAlerts, dimse.CharsetUTF8); alerts != want {
		t.Errorf("alerts %q, want each value cut to 64", alerts)
	}
}

func TestItemValidate(t *testing.T) {
	valid := demoItems()[0]
	if err := valid.Validate(); err != nil {
		t.Fatalf("demo item invalid: %v", err)
	}
	tests := []struct {
		name   string
		change func(it *Item)
		want   string
	}{
		{"no patient name", func(it *Item) { it.PatientName = PersonName{} }, "patient name is required"},
		{"no station", func(it *Item) { it.Step.StationAETitle = "" }, "station AE title is required"},
		{"no start", func(it *Item) { it.Step.Start = time.Time{} }, "scheduled start is required"},
		{"bad UID", func(it *Item) { it.StudyInstanceUID = "1.02.3" }, "not a valid UID"},
		{"long accession", func(it *Item) { it.AccessionNumber = strings.Repeat("1", 17) }, "accession number longer than 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := demoItems()[0]
			tt.change(&it)
			if err := it.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPersonNameAndUID(t *testing.T) {
	if got := (PersonName{"DE LA TOUR^X", "Anne=Marie"}).String(); got != "DE LA TOUR X^Anne Marie" {
		t.Errorf("separators inside components: %q", got)
	}
	if got := (PersonName{Family: "SEUL"}).String(); got != "SEUL" {
		t.Errorf("family only: %q", got)
	}
	uid := NewStudyInstanceUID()
	if !strings.HasPrefix(uid, "2.25.") || !validUID(uid) || uid == NewStudyInstanceUID() {
		t.Errorf("NewStudyInstanceUID() = %q", uid)
	}
}
