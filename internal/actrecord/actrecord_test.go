package actrecord

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"repere/internal/catalog"
)

func load(t *testing.T) (*catalog.Catalog, *Set) {
	t.Helper()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	return cat, set
}

func act(t *testing.T, cat *catalog.Catalog, id string) *catalog.Act {
	t.Helper()
	a, ok := cat.Act(id)
	if !ok {
		t.Fatalf("no act %s", id)
	}
	return a
}

func ids(fields []Field) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.ID)
	}
	return out
}

func field(fields []Field, id string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.ID == id })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}

func TestFieldsForEveryAct(t *testing.T) {
	cat, set := load(t)
	common := []string{"local_anaesthetic", "contrast_ml", "dlp", "ctdivol", "start", "end", "complications", "complication_note", "study_instance_uid", "notes"}
	tests := []struct {
		act      string
		options  []string
		want     []string // besides common
		required []string
		approach []string
	}{
		{"epidural_blood_patch", nil, []string{"levels", "side", "approach", "needle_gauge", "blood_ml"},
			[]string{"levels", "approach", "blood_ml", "dlp", "start", "end", "complications"}, []string{"interlaminar", "transforaminal"}},
		{"lumbar_epidural_infiltration", nil, []string{"levels", "side", "approach", "needle_gauge", "steroid"},
			[]string{"levels", "approach", "steroid", "dlp", "start", "end", "complications"}, []string{"interlaminar", "transforaminal", "caudal"}},
		{"lumbar_foraminal_infiltration", nil, []string{"levels", "side", "approach", "needle_gauge", "steroid"},
			[]string{"levels", "side", "approach", "steroid", "dlp", "start", "end", "complications"}, []string{"transforaminal"}},
		{"cervical_foraminal_infiltration", nil, []string{"levels", "side", "approach", "needle_gauge", "steroid"},
			[]string{"levels", "side", "approach", "steroid", "dlp", "start", "end", "complications"}, []string{"transarticular", "periarticular"}},
		{"facet_joint_infiltration", nil, []string{"levels", "side", "approach", "needle_gauge", "steroid"},
			[]string{"levels", "side", "approach", "steroid", "dlp", "start", "end", "complications"}, []string{"intraarticular", "periarticular"}},
		{"vertebroplasty", nil, []string{"levels", "side", "approach", "needle_gauge", "cement_ml"},
			[]string{"levels", "approach", "cement_ml", "dlp", "start", "end", "complications"}, []string{"transpedicular", "posterolateral", "anterolateral"}},
		{"vertebroplasty", []string{"bone_biopsy"}, []string{"levels", "side", "approach", "needle_gauge", "cement_ml", "biopsy_sent"},
			[]string{"levels", "approach", "cement_ml", "dlp", "start", "end", "complications"}, []string{"transpedicular", "posterolateral", "anterolateral"}},
	}
	for _, tt := range tests {
		t.Run(tt.act+strings.Join(tt.options, "+"), func(t *testing.T) {
			fields := set.FieldsFor(act(t, cat, tt.act), "", tt.options)
			got := ids(fields)
			want := append(slices.Clone(tt.want), common...)
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			var required []string
			for _, f := range fields {
				if f.Required {
					required = append(required, f.ID)
				}
				if f.Label["fr"] == "" || f.Label["en"] == "" {
					t.Errorf("%s: label missing", f.ID)
				}
				for _, c := range f.Choices {
					if c.Label["fr"] == "" {
						t.Errorf("%s: choice %s without label", f.ID, c.Key)
					}
				}
			}
			slices.Sort(required)
			slices.Sort(tt.required)
			if diff := cmp.Diff(tt.required, required); diff != "" {
				t.Errorf("required (-want +got):\n%s", diff)
			}
			approach, _ := field(fields, "approach")
			var keys []string
			for _, c := range approach.Choices {
				keys = append(keys, c.Key)
			}
			if diff := cmp.Diff(tt.approach, keys); diff != "" {
				t.Errorf("approaches (-want +got):\n%s", diff)
			}
		})
	}
	// Every catalogue act has its own entry: a new built-in act without one
	// would silently get only the common fields.
	for _, a := range cat.Acts() {
		if _, ok := set.acts[a.ID]; !ok {
			t.Errorf("act %s has no entry in data/fields.yaml", a.ID)
		}
	}
}

func TestFieldDetails(t *testing.T) {
	cat, set := load(t)
	fields := set.FieldsFor(act(t, cat, "cervical_foraminal_infiltration"), "", nil)
	levels, _ := field(fields, "levels")
	if !levels.HasChoice("C6-C7") || levels.HasChoice("L4-L5") {
		t.Error("cervical levels expected, lumbar refused")
	}
	steroid, _ := field(fields, "steroid")
	if steroid.Unit != "mg" || len(steroid.Drugs) == 0 || steroid.Drugs[0].ID != "dexamethasone" {
		t.Errorf("steroid field: %+v", steroid)
	}
	gauge, _ := field(fields, "needle_gauge")
	if gauge.Choices[1].Label["fr"] != "22 G" {
		t.Errorf("gauge label %q", gauge.Choices[1].Label["fr"])
	}
	dlp, _ := field(fields, "dlp")
	if dlp.Unit != "mGy·cm" || dlp.Fact.Source != "arrete_2006_dose_report" {
		t.Errorf("dlp field: %+v", dlp)
	}
	vp := set.FieldsFor(act(t, cat, "vertebroplasty"), "two_vertebrae", nil)
	vl, _ := field(vp, "levels")
	if vl.Levels == nil || vl.Levels.Min != 2 || vl.Levels.Max != 2 {
		t.Errorf("two vertebrae: %+v", vl.Levels)
	}
}

func ptr(v float64) *float64 { return &v }

var (
	start = time.Date(2026, 12, 10, 14, 5, 0, 0, time.UTC)
	end   = start.Add(20 * time.Minute)
)

func validRecord(actID string) Record {
	r := Record{Levels: []string{"L4-L5"}, Approach: "interlaminar", NeedleGauge: 22, DLP: ptr(120), CTDIvol: ptr(4.2),
		Start: start, End: end, Complications: []string{ComplicationNone}, ContrastML: ptr(1)}
	switch actID {
	case "epidural_blood_patch":
		r.NeedleGauge, r.BloodML = 18, ptr(18)
	case "lumbar_epidural_infiltration":
		r.Drugs = []DrugDose{{DrugID: "prednisolone_acetate", DoseMg: 50}}
	case "lumbar_foraminal_infiltration":
		r.Approach, r.Side = "transforaminal", "left"
		r.Drugs = []DrugDose{{DrugID: "dexamethasone", DoseMg: 7.5}, {DrugID: "lidocaine", DoseMg: 40}}
	case "cervical_foraminal_infiltration":
		r.Levels, r.Approach, r.Side = []string{"C6-C7"}, "periarticular", "right"
		r.Drugs = []DrugDose{{DrugID: "dexamethasone", DoseMg: 4}}
	case "facet_joint_infiltration":
		r.Levels, r.Approach, r.Side = []string{"L4-L5", "L5-S1"}, "intraarticular", "bilateral"
		r.Drugs = []DrugDose{{DrugID: "prednisolone_acetate", DoseMg: 25}}
	case "vertebroplasty":
		r.Levels, r.Approach, r.Side, r.NeedleGauge = []string{"L1"}, "transpedicular", "bilateral", 11
		r.CementML = map[string]float64{"L1": 4.5}
		r.BiopsySent = true
	}
	return r
}

func TestValidate(t *testing.T) {
	cat, set := load(t)
	tests := []struct {
		name    string
		act     string
		variant string
		change  func(*Record)
		errs    []string
		warns   []string
	}{
		{name: "valid blood patch", act: "epidural_blood_patch"},
		{name: "valid lumbar epidural", act: "lumbar_epidural_infiltration"},
		{name: "valid lumbar foraminal", act: "lumbar_foraminal_infiltration"},
		{name: "valid cervical foraminal", act: "cervical_foraminal_infiltration"},
		{name: "valid facet", act: "facet_joint_infiltration"},
		{name: "valid vertebroplasty", act: "vertebroplasty", variant: "one_vertebra"},
		{name: "blood patch without blood volume", act: "epidural_blood_patch", change: func(r *Record) { r.BloodML = nil }, errs: []string{"blood_ml"}},
		{name: "blood patch, 30 mL: above the recommended volume", act: "epidural_blood_patch", change: func(r *Record) { r.BloodML = ptr(30) }, warns: []string{"blood_ml"}},
		{name: "negative blood volume", act: "epidural_blood_patch", change: func(r *Record) { r.BloodML = ptr(-2) }, errs: []string{"blood_ml"}},
		{name: "negative contrast volume", act: "facet_joint_infiltration", change: func(r *Record) { r.ContrastML = ptr(-1) }, errs: []string{"contrast_ml"}},
		{name: "negative DLP", act: "facet_joint_infiltration", change: func(r *Record) { r.DLP = ptr(-5) }, errs: []string{"dlp"}},
		{name: "dexamethasone 40 mg", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Drugs[0].DoseMg = 40 }, warns: []string{"steroid"}},
		{name: "negative steroid dose", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Drugs[0].DoseMg = -4 }, errs: []string{"steroid"}},
		{name: "steroid dose missing", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Drugs[0].DoseMg = 0 }, errs: []string{"steroid"}},
		{name: "no steroid on an infiltration", act: "facet_joint_infiltration", change: func(r *Record) { r.Drugs = nil }, errs: []string{"steroid"}},
		{name: "lidocaine 400 mg", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Drugs[1].DoseMg = 400 }, warns: []string{"local_anaesthetic"}},
		{name: "prednisolone acetate foraminal", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Drugs[0] = DrugDose{DrugID: "prednisolone_acetate", DoseMg: 25} }, warns: []string{"steroid"}},
		{name: "prednisolone acetate transforaminal epidural", act: "lumbar_epidural_infiltration", change: func(r *Record) { r.Approach = "transforaminal" }, warns: []string{"steroid"}},
		{name: "cortivazol withdrawn", act: "facet_joint_infiltration", change: func(r *Record) { r.Drugs[0] = DrugDose{DrugID: "cortivazol", DoseMg: 3.75} }, warns: []string{"steroid"}},
		{name: "unknown drug", act: "facet_joint_infiltration", change: func(r *Record) { r.Drugs = append(r.Drugs, DrugDose{DrugID: "aspirin", DoseMg: 1}) }, errs: []string{"drugs"}},
		{name: "steroid on a blood patch", act: "epidural_blood_patch", change: func(r *Record) { r.Drugs = []DrugDose{{DrugID: "dexamethasone", DoseMg: 4}} }, errs: []string{"steroid"}},
		{name: "blood volume on an infiltration", act: "facet_joint_infiltration", change: func(r *Record) { r.BloodML = ptr(10) }, errs: []string{"blood_ml"}},
		{name: "missing side on a foraminal", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Side = "" }, errs: []string{"side"}},
		{name: "wrong approach", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.Approach = "caudal" }, errs: []string{"approach"}},
		{name: "wrong gauge", act: "lumbar_foraminal_infiltration", change: func(r *Record) { r.NeedleGauge = 11 }, errs: []string{"needle_gauge"}},
		{name: "lumbar level on a cervical act", act: "cervical_foraminal_infiltration", change: func(r *Record) { r.Levels = []string{"L4-L5"} }, errs: []string{"levels"}},
		{name: "no levels", act: "cervical_foraminal_infiltration", change: func(r *Record) { r.Levels = nil }, errs: []string{"levels"}},
		{name: "no DLP", act: "cervical_foraminal_infiltration", change: func(r *Record) { r.DLP = nil }, errs: []string{"dlp"}},
		{name: "end before start", act: "facet_joint_infiltration", change: func(r *Record) { r.End = start.Add(-time.Minute) }, errs: []string{"end"}},
		{name: "no times", act: "facet_joint_infiltration", change: func(r *Record) { r.Start, r.End = time.Time{}, time.Time{} }, errs: []string{"end", "start"}},
		{name: "complications not recorded", act: "facet_joint_infiltration", change: func(r *Record) { r.Complications = nil }, errs: []string{"complications"}},
		{name: "none with a complication", act: "facet_joint_infiltration", change: func(r *Record) { r.Complications = []string{"none", "vasovagal"} }, errs: []string{"complications"}},
		{name: "other without a note", act: "facet_joint_infiltration", change: func(r *Record) { r.Complications = []string{"other"} }, errs: []string{"complication_note"}},
		{name: "cement leak on an infiltration", act: "facet_joint_infiltration", change: func(r *Record) { r.Complications = []string{"cement_leak"} }, errs: []string{"complications"}},
		{name: "cement volume missing for a vertebra", act: "vertebroplasty", variant: "two_vertebrae", change: func(r *Record) { r.Levels = []string{"L1", "L2"} }, errs: []string{"cement_ml"}},
		{name: "cement volume of an untreated vertebra", act: "vertebroplasty", change: func(r *Record) { r.CementML["T12"] = 3 }, errs: []string{"cement_ml"}},
		{name: "negative cement volume", act: "vertebroplasty", change: func(r *Record) { r.CementML["L1"] = -1 }, errs: []string{"cement_ml"}},
		{name: "8 mL of cement", act: "vertebroplasty", variant: "one_vertebra", change: func(r *Record) { r.CementML["L1"] = 8 }, warns: []string{"cement_ml"}},
		{name: "variant for two, one treated", act: "vertebroplasty", variant: "two_vertebrae", warns: []string{"levels"}},
		{name: "biopsy on an infiltration", act: "facet_joint_infiltration", change: func(r *Record) { r.BiopsySent = true }, errs: []string{"biopsy_sent"}},
		{name: "bad study UID", act: "facet_joint_infiltration", change: func(r *Record) { r.StudyInstanceUID = "1.2.03.abc" }, errs: []string{"study_instance_uid"}},
		{name: "good study UID", act: "facet_joint_infiltration", change: func(r *Record) { r.StudyInstanceUID = "1.2.840.113619.2.55.3.604688119" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRecord(tt.act)
			if tt.change != nil {
				tt.change(&r)
			}
			errs, warns := set.Validate(act(t, cat, tt.act), tt.variant, r)
			if diff := cmp.Diff(tt.errs, sortedKeys(errs), cmp.Comparer(emptyEqual)); diff != "" {
				t.Errorf("errors (-want +got):\n%s\n%v", diff, errs)
			}
			if diff := cmp.Diff(tt.warns, sortedKeys(warns), cmp.Comparer(emptyEqual)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%v", diff, warns)
			}
			for _, m := range []map[string]catalog.Text{errs, warns} {
				for k, msg := range m {
					if msg["fr"] == "" || msg["en"] == "" {
						t.Errorf("%s: message not in both languages: %v", k, msg)
					}
				}
			}
		})
	}
}

func emptyEqual(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }

func TestValidateMessages(t *testing.T) {
	cat, set := load(t)
	r := validRecord("lumbar_foraminal_infiltration")
	r.Drugs[0].DoseMg = 40
	_, warns := set.Validate(act(t, cat, "lumbar_foraminal_infiltration"), "", r)
	if got := warns["steroid"]["fr"]; got != "dexaméthasone 40 mg : hors de la plage habituelle (4–12 mg)." {
		t.Errorf("fr warning %q", got)
	}
	if got := warns["steroid"]["en"]; got != "dexamethasone 40 mg: outside the usual range (4–12 mg)." {
		t.Errorf("en warning %q", got)
	}
	r = validRecord("vertebroplasty")
	r.CementML["L1"] = 7.5
	_, warns = set.Validate(act(t, cat, "vertebroplasty"), "one_vertebra", r)
	if got := warns["cement_ml"]["fr"]; got != "7,5 mL : hors de la plage habituelle (jusqu'à 7 mL)." {
		t.Errorf("fr cement warning %q", got)
	}
}

func TestMergeScanner(t *testing.T) {
	typedStart := start.Add(-5 * time.Minute)
	scanStart, scanEnd := start, end.Add(2*time.Minute)
	tests := []struct {
		name string
		rec  Record
		dlp  *float64
		ctdi *float64
		want Record
	}{
		{"empty record takes everything", Record{}, ptr(150), ptr(5),
			Record{Start: scanStart, End: scanEnd, DLP: ptr(150), CTDIvol: ptr(5)}},
		{"typed values are kept", Record{Start: typedStart, End: end, DLP: ptr(99), CTDIvol: ptr(3)}, ptr(150), ptr(5),
			Record{Start: typedStart, End: end, DLP: ptr(99), CTDIvol: ptr(3)}},
		{"typed zero dose is kept", Record{DLP: ptr(0)}, ptr(150), nil,
			Record{Start: scanStart, End: scanEnd, DLP: ptr(0)}},
		{"scanner without dose", Record{Start: typedStart}, nil, nil,
			Record{Start: typedStart, End: scanEnd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rec.MergeScanner(scanStart, scanEnd, tt.dlp, tt.ctdi)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.dlp != nil && got.DLP == tt.dlp {
				t.Error("the record shares the scanner's pointer")
			}
		})
	}
	// Merging the scanner twice changes nothing more.
	once := Record{}.MergeScanner(scanStart, scanEnd, ptr(150), ptr(5))
	twice := once.MergeScanner(scanStart.Add(time.Hour), scanEnd.Add(time.Hour), ptr(999), ptr(9))
	if diff := cmp.Diff(once, twice); diff != "" {
		t.Errorf("second merge overwrote: %s", diff)
	}
}

func TestRecordJSON(t *testing.T) {
	r := validRecord("vertebroplasty")
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(data), `"cement_ml":{"L1":4.5}`) {
		t.Errorf("JSON %s", data)
	}
}

func TestLoadPracticeOverride(t *testing.T) {
	cat, _ := load(t)
	dir := t.TempDir()
	over := `
drugs:
  - id: ropivacaine
    class: local_anaesthetic
    name: {fr: "ropivacaïne", en: "ropivacaine"}
    fact: {source: repere_default, status: practice_default}
acts:
  facet_joint_infiltration:
    - {id: levels, required: true, levels: [lumbar_segments]}
    - {id: approach, required: true, choices: [intraarticular]}
    - {id: steroid, required: true}
`
	if err := os.WriteFile(filepath.Join(dir, "fields.yaml"), []byte(over), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(cat, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := set.Drug("ropivacaine"); !ok {
		t.Error("practice drug not added")
	}
	fields := set.FieldsFor(act(t, cat, "facet_joint_infiltration"), "", nil)
	if _, ok := field(fields, "side"); ok {
		t.Error("the practice's act list should replace the built-in one")
	}

	bad := "acts:\n  no_such_act:\n    - {id: levels}\n  facet_joint_infiltration:\n    - {id: levels, source: nowhere, status: sure}\n"
	if err := os.WriteFile(filepath.Join(dir, "fields.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(cat, dir)
	if err == nil {
		t.Fatal("bad field data accepted")
	}
	for _, want := range []string{"no_such_act", `unknown source "nowhere"`, `unknown status "sure"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
