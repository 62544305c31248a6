package privacy

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

var paris, _ = time.LoadLocation("Europe/Paris")

func rules(t *testing.T) Rules {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPlan: with any evidence of care the medical record is kept 20 years
// from the last care, or to a minor's 28th birthday when later (R1112-7);
// contact details, portal codes, questionnaire links and emails always go;
// without a record everything goes or is anonymised.
func TestPlan(t *testing.T) {
	t.Parallel()
	r := rules(t)
	act := time.Date(2026, 3, 10, 9, 30, 0, 0, paris)
	for _, c := range []struct {
		name      string
		rec       Record
		record    bool
		until     string
		untilAge  int
		kept      []string // parts that must be kept
		erased    []string // parts that must be erased or anonymised
		keptRules string   // the source cited by the kept record
	}{
		{"recorded by mistake", Record{BirthDate: "1990-02-02", Evidence: map[string]int{"consents": 0}}, false, "", 0,
			[]string{"audit_log", "erasures"}, []string{"identity", "contact", "referrals", "screenings", "outbox", "portal_codes", "screening_links", "waiting_list"}, ""},
		{"a signed report only", Record{BirthDate: "1958-06-01", Evidence: map[string]int{"reports": 1}, LastCare: act}, true, "2046-03-10", 0,
			[]string{"identity", "referrals", "reports", "act_records", "consents", "screenings", "screening_decisions", "checklist_checks", "followup_scores", "audit_log"},
			[]string{"contact", "outbox", "portal_codes", "screening_links", "waiting_list"}, "csp_r1112_7"},
		{"an act done on an adult", Record{BirthDate: "2000-01-01", Evidence: map[string]int{"acts_done": 2}, LastCare: act}, true, "2046-03-10", 0,
			[]string{"identity", "appointments"}, []string{"contact"}, "csp_r1112_7"},
		{"a child of 5: until the 28th birthday", Record{BirthDate: "2021-07-15", Evidence: map[string]int{"consents": 1}, LastCare: act}, true, "2049-07-15", 28,
			[]string{"identity", "consents"}, []string{"contact"}, "csp_r1112_7"},
		{"a minor of 17: 20 years is later than 28", Record{BirthDate: "2009-01-01", Evidence: map[string]int{"act_records": 1}, LastCare: act}, true, "2046-03-10", 0,
			nil, nil, "csp_r1112_7"},
		{"last care late in the evening counts on the practice's day", Record{BirthDate: "1970-01-01", Evidence: map[string]int{"acts_done": 1},
			LastCare: time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)}, true, "2047-01-01", 0, nil, nil, "csp_r1112_7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := r.Plan(c.rec, paris)
			if p.MedicalRecord != c.record || p.UntilAge != c.untilAge {
				t.Fatalf("record %v until age %d, want %v %d", p.MedicalRecord, p.UntilAge, c.record, c.untilAge)
			}
			if got := p.KeptUntil.Format(time.DateOnly); c.record && got != c.until {
				t.Errorf("kept until %s, want %s", got, c.until)
			}
			kept, erased := p.Parts(Keep), p.Parts(Erase, Anonymise)
			for _, id := range c.kept {
				if !slices.Contains(kept, id) {
					t.Errorf("%s is not kept (kept: %v)", id, kept)
				}
			}
			for _, id := range c.erased {
				if !slices.Contains(erased, id) {
					t.Errorf("%s is not erased (erased: %v)", id, erased)
				}
			}
			for _, d := range p.Decisions {
				if (d.Action == Keep || d.Action == Erase || d.Action == Anonymise) && (d.Source.ID == "" || d.Source.Status == "") {
					t.Errorf("%s: %s without a source", d.Part.ID, d.Action)
				}
			}
			for _, d := range p.Decisions {
				inRecord := c.record && d.Action == Keep && d.Part.ID != "audit_log" && d.Part.ID != "erasures"
				if inRecord != !d.KeptUntil.IsZero() || (inRecord && !d.KeptUntil.Equal(p.KeptUntil)) {
					t.Errorf("%s kept until %s, want the record's date only for the record's parts", d.Part.ID, d.KeptUntil)
				}
			}
			if c.record && p.Rule.ID != c.keptRules {
				t.Errorf("the record is kept by %q, want %q", p.Rule.ID, c.keptRules)
			}
		})
	}
}

// TestMedicalRecordNeverErased: what makes a medical record exist (consents,
// signed reports, act records, performed acts) is never erased, whatever the
// case; contact details always are.
func TestMedicalRecordNeverErased(t *testing.T) {
	t.Parallel()
	r := rules(t)
	for _, p := range r.Parts {
		switch p.ID {
		case "consents", "consent_events", "reports", "act_records", "performed_steps", "audit_log":
			if p.WithRecord != Keep || p.WithoutRecord != Keep {
				t.Errorf("%s may be erased: %s / %s", p.ID, p.WithRecord, p.WithoutRecord)
			}
		case "contact", "portal_codes", "screening_links", "outbox":
			if p.WithRecord != Erase || p.WithoutRecord != Erase {
				t.Errorf("%s may be kept: %s / %s", p.ID, p.WithRecord, p.WithoutRecord)
			}
		}
	}
	if r.MedicalRecord.Years != 20 || r.MedicalRecord.UntilAge != 28 || r.MedicalRecord.AfterDeathYears != 10 || r.Source(r.MedicalRecord.Source).Status != "confirmed" {
		t.Errorf("the medical record rule is not R1112-7 as read: %+v", r.MedicalRecord)
	}
}

// TestLoadRefusesIncompleteRules: a rule without its source, a source without
// a status or an unknown action is refused at start.
func TestLoadRefusesIncompleteRules(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*Rules){
		"unknown source":     func(r *Rules) { r.Parts[0].KeepSource = "nowhere" },
		"unknown action":     func(r *Rules) { r.Parts[0].WithRecord = "shred" },
		"source unchecked":   func(r *Rules) { s := r.Sources["rgpd_art17"]; s.Status = ""; r.Sources["rgpd_art17"] = s },
		"part without why":   func(r *Rules) { r.Parts[1].Why = nil },
		"no evidence":        func(r *Rules) { r.MedicalRecord.Evidence = nil },
		"duplicate part id":  func(r *Rules) { r.Parts[1].ID = r.Parts[0].ID },
		"record rule source": func(r *Rules) { r.MedicalRecord.Source = "" },
	} {
		r := rules(t)
		edit(&r)
		if err := r.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestWriteZIP: data.json holds every table, documents become files named in
// it with their hash, JSON columns stay JSON.
func TestWriteZIP(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.4 report")
	x := Export{PatientID: 7, ExportedAt: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Tables: map[string][]Row{
		"reports":      {{"id": int64(3), "title": "Blood patch", "pdf": pdf}},
		"act_records":  {{"appointment_id": int64(5), "record": `{"blood_ml":18}`}},
		"outbox":       {{"id": int64(9), "attachments": []File{{Name: "../convocation.pdf", ContentType: "application/pdf", Data: pdf}}}},
		"portal_codes": {},
	}}
	var buf bytes.Buffer
	if err := WriteZIP(&buf, x); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	if files["files/reports/3-pdf.pdf"] != string(pdf) || files["files/outbox/9-attachments-1-.._convocation.pdf"] != string(pdf) {
		t.Errorf("documents not written as files: %v", keys(files))
	}
	var data struct {
		Format string                      `json:"format"`
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal([]byte(files["data.json"]), &data); err != nil {
		t.Fatal(err)
	}
	if data.Format != ExportFormat || data.Tables["reports"][0]["pdf"] != "files/reports/3-pdf.pdf" {
		t.Errorf("data.json: %+v", data)
	}
	if rec, ok := data.Tables["act_records"][0]["record"].(map[string]any); !ok || rec["blood_ml"] != 18.0 {
		t.Errorf("a JSON column is not kept as JSON: %v", data.Tables["act_records"])
	}
	if rows, ok := data.Tables["portal_codes"]; !ok || rows == nil {
		t.Error("an empty table has no section")
	}
	for name := range files {
		if strings.Contains(name, "/../") || strings.HasPrefix(name, "/") {
			t.Errorf("unsafe file name %q", name)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
