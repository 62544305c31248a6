package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"repere/internal/pdftest"
	"repere/internal/report"
)

// TestSignedReportIsPDFA checks a signed report with tools written by
// others: qpdf finds no error, pdffonts lists every font embedded, pdfinfo
// reads the metadata and its XMP back with the PDF/A-2b identification, the
// title without the patient's name; and the same report gives the same bytes.
func TestSignedReportIsPDFA(t *testing.T) {
	v := report.Version{Number: 1, Text: report.Text{Title: "Blood patch épidural lombaire", Body: "Technique : abord interlaminaire L3-L4.\nRésultat satisfaisant."},
		SignedBy: "Dr Hélène Martin", SignedAt: time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC)}
	ctx := report.Context{PatientName: "LEFÈVRE Zoé", BirthDate: "12/04/1991", Lang: "fr"}
	pdf, err := report.PDF(v, ctx, report.PracticeHeader{Name: "Centre d'imagerie", Phone: "01 23 45 67 89"})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := report.PDF(v, ctx, report.PracticeHeader{Name: "Centre d'imagerie", Phone: "01 23 45 67 89"})
	if !bytes.Equal(pdf, again) {
		t.Error("the same report gives different bytes")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.3\n%\xe2\xe3\xcf\xd3\n")) {
		t.Errorf("header %q: no binary comment", pdf[:16])
	}
	pdftest.Archival(t, pdf, "Blood patch épidural lombaire")
	if !bytes.Contains(pdf, []byte("/OutputIntents [")) || !bytes.Contains(pdf, []byte("/S /GTS_PDFA1")) || !bytes.Contains(pdf, []byte("/ID [<")) {
		t.Error("no output intent or no file identifier")
	}
	if text := pdftest.Text(t, pdf); !strings.Contains(text, "interlaminaire L3-L4") {
		t.Errorf("the content does not read back:\n%s", text)
	}
}
