package documents

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"repere/internal/pdftest"
)

func TestConvocationPDF(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		t.Run(a.ID, func(t *testing.T) {
			variant := ""
			if len(a.Variants) > 0 {
				variant = a.Variants[0].ID
			}
			c := sampleConvocation(t, a, variant)
			pdf, err := ConvocationPDF(c)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := ConvocationPDF(c)
			if !bytes.Equal(pdf, again) {
				t.Error("same convocation, different bytes")
			}
			got := pdftest.Text(t, pdf)
			for _, w := range []string{"Votre convocation", "jeudi 10 décembre 2026", "Être à jeun", "Hélène Lefèvre",
				"dernière prise le lundi 7 décembre 2026", "12 rue des Écoles", a.Name.In("fr"), a.DocumentsToBring[0].Text.In("fr")} {
				if !strings.Contains(got, w) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			switch a.ID {
			case "cervical_foraminal_infiltration":
				if !strings.Contains(got, "À jeun à partir de 6 h 30") {
					t.Error("PDF lacks the fasting time")
				}
				pdftest.RenderPage1(t, pdf, "convocation")
			case "vertebroplasty":
				if !strings.Contains(got, "Vertébroplastie") && !strings.Contains(got, "vertébroplastie") {
					t.Error("PDF lacks the act name with its accent")
				}
			case "facet_joint_infiltration":
				for _, w := range []string{"LHLH002", "32,18 €", "22,53 €", "51,65 €"} {
					if !strings.Contains(got, w) {
						t.Errorf("PDF lacks %q", w)
					}
				}
			}
		})
	}
}

func TestInfoSheetAndConsentFormPDF(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		t.Run(a.ID, func(t *testing.T) {
			info, err := InfoSheetPDF(a, "fr")
			if err != nil {
				t.Fatal(err)
			}
			got := pdftest.Text(t, info)
			for _, w := range []string{a.Name.In("fr"), "De quoi s'agit-il ?", firstWords(a.Patient.WhatItIs.In("fr"), 6)} {
				if !strings.Contains(got, w) {
					t.Errorf("information sheet lacks %q", w)
				}
			}
			form, err := ConsentFormPDF(a, "", "fr")
			if err != nil {
				t.Fatal(err)
			}
			got = pdftest.Text(t, form)
			for _, c := range a.Complications {
				risk := strings.Join(strings.Fields(c.Text.In("fr")+" : "+c.Frequency.In("fr")), " ")
				if !strings.Contains(got, risk) {
					t.Errorf("consent form lacks the risk %q", risk)
				}
			}
			if !strings.Contains(got, "Consentement éclairé") || !strings.Contains(got, ConsentVersion(a, "", "fr")) {
				t.Error("consent form lacks its title or version")
			}
			if a.ID == "vertebroplasty" {
				pdftest.RenderPage1(t, form, "consent-form")
				if !strings.Contains(got, "1 à 5 % des cas") {
					t.Error("cement leak frequency missing")
				}
			}
		})
	}
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(n, len(w))], " ")
}

func signaturePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 300, 100))
	ink := color.NRGBA{A: 255, B: 120}
	for x := 20; x < 280; x++ {
		y := 50 + int(25*float64((x%60)-30)/30.0)
		for d := 0; d < 3; d++ {
			img.Set(x, y+d, ink)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSignedConsentPDF(t *testing.T) {
	act, _ := loadCatalog(t).Act("vertebroplasty")
	s := SignedConsent{
		Act: act, Variant: "two_vertebrae", Lang: "fr", Version: ConsentVersion(act, "two_vertebrae", "fr"),
		SignerName: "Hélène Lefèvre", SignaturePNG: signaturePNG(t),
		SignedAt:    time.Date(2026, 12, 1, 9, 15, 0, 0, time.UTC),
		PatientName: "Mme Hélène Lefèvre", BirthDate: time.Date(1958, 4, 3, 0, 0, 0, 0, time.UTC),
	}
	pdf, sum, err := SignedConsentPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	pdf2, sum2, err := SignedConsentPDF(s)
	if err != nil || sum != sum2 || !bytes.Equal(pdf, pdf2) {
		t.Fatalf("same input, different output: %s %s %v", sum, sum2, err)
	}
	if len(sum) != 64 {
		t.Errorf("hash %q is not SHA-256 hex", sum)
	}
	renamed := s
	renamed.SignerName = "Helene Lefevre"
	if _, other, _ := SignedConsentPDF(renamed); other == sum {
		t.Error("changed signer name, same hash")
	}
	later := s
	later.SignedAt = s.SignedAt.Add(time.Minute)
	if _, other, _ := SignedConsentPDF(later); other == sum {
		t.Error("changed signing time, same hash")
	}

	got := pdftest.Text(t, pdf)
	for _, w := range []string{"Consentement éclairé", "Signé par : Hélène Lefèvre", "Signé le mardi 1er décembre 2026 à 10 h 15",
		"Version du document : " + s.Version, "03/04/1958", "Décès : exceptionnel"} {
		if !strings.Contains(got, w) {
			t.Errorf("signed consent lacks %q", w)
		}
	}
	pdftest.RenderPage1(t, pdf, "signed-consent")
	// Kept for years: an archival file, whose metadata never names the patient.
	pdftest.Archival(t, pdf, "Consentement éclairé")

	stale := s
	stale.Version = "0000000000000000"
	if _, _, err := SignedConsentPDF(stale); !errors.Is(err, ErrVersionMismatch) {
		t.Errorf("stale version: err = %v", err)
	}
	bad := s
	bad.SignaturePNG = []byte("not a png")
	if _, _, err := SignedConsentPDF(bad); err == nil {
		t.Error("a signature that is not a PNG was accepted")
	}
}

func TestConvocationICS(t *testing.T) {
	act, _ := loadCatalog(t).Act("cervical_foraminal_infiltration")
	c := sampleConvocation(t, act, "")
	data, err := ConvocationICS(c)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ConvocationICS(c)
	if !bytes.Equal(data, again) {
		t.Error("same convocation, different calendar file")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	ev := events[0]
	start, err := ev.GetStartAt()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 10, 10, 0, 0, 0, paris); !start.Equal(want) || start.In(paris).Format("15:04") != "10:00" {
		t.Errorf("DTSTART = %s, want arrival %s", start, want)
	}
	end, _ := ev.GetEndAt()
	if want := appointment.Add(time.Duration(act.RoomMinutes.Value+act.Monitoring.Minutes) * time.Minute); !end.Equal(want) {
		t.Errorf("DTEND = %s, want %s", end, want)
	}
	if uid := ev.Id(); uid != "appointment-appt-42-patient@repere.invalid" {
		t.Errorf("UID = %q", uid)
	}
	// RFC 5545 3.1: every content line ends with CRLF.
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
			t.Fatalf("line %d does not end in CRLF: %q", i+1, line)
		}
	}
	if loc := ev.GetProperty(ics.ComponentPropertyLocation); loc == nil || !strings.Contains(loc.Value, "12 rue des Écoles") {
		t.Errorf("LOCATION = %+v", loc)
	}
	if d := ev.GetProperty(ics.ComponentPropertyDescription); d == nil || !strings.Contains(d.Value, "À jeun à partir de 6 h 30") {
		t.Error("description lacks the fasting time")
	}
	alarms := ev.Alarms()
	if len(alarms) != 1 {
		t.Fatalf("%d alarms", len(alarms))
	}
	if tr := alarms[0].GetProperty(ics.ComponentPropertyTrigger); tr == nil || tr.Value != "-P1D" {
		t.Errorf("TRIGGER = %+v", tr)
	}

	moved := c
	moved.Start = appointment.Add(48 * time.Hour)
	data2, _ := ConvocationICS(moved)
	cal2, _ := ics.ParseCalendar(bytes.NewReader(data2))
	if cal2.Events()[0].Id() != ev.Id() {
		t.Error("a rescheduled appointment gets another UID")
	}
	c.AppointmentID = ""
	if _, err := ConvocationICS(c); err == nil {
		t.Error("calendar file without an appointment id")
	}
}

// Every act and variant's convocation, two treatments to stop and the
// estimate with its not-confirmed sentences included, fits on one page: the
// estimate never pushes an almost empty second page.
func TestConvocationFitsOnePage(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		variants := []string{""}
		for _, v := range a.Variants {
			variants = append(variants, v.ID)
		}
		for _, variant := range variants {
			c := sampleConvocation(t, a, variant)
			pdf, err := ConvocationPDF(c)
			if err != nil {
				t.Fatal(err)
			}
			if pages := bytes.Count(pdf, []byte("<</Type /Page\n")); pages != 1 {
				t.Errorf("%s %s: %d pages", a.ID, variant, pages)
			}
		}
	}
}

func TestFileType(t *testing.T) {
	for in, want := range map[string]string{"%PDF-1.7\n": "application/pdf", "\xFF\xD8\xFF\xE0": "image/jpeg", "\x89PNG\r\n\x1a\nIHDR": "image/png",
		"MZ\x90": "", "<html>": "", "": "", "%PDF": ""} {
		if got := FileType([]byte(in)); got != want {
			t.Errorf("FileType(%q) = %q, want %q", in, got, want)
		}
	}
}
