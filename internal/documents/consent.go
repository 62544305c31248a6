package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"repere/internal/catalog"
	"repere/internal/pdfa"
)

// InfoSheetPDF renders the act's public information page as a PDF.
func InfoSheetPDF(act *catalog.Act, language string) ([]byte, error) {
	if act == nil {
		return nil, errors.New("documents: information sheet without an act")
	}
	l := lang(language)
	d := doc{Lang: l, Title: act.Name.In(l), Subtitle: []string{act.Summary.In(l)}}
	for _, s := range []struct{ key, body string }{
		{"info.what", act.Patient.WhatItIs.In(l)},
		{"info.preparation", act.Patient.Preparation.In(l)},
		{"info.course", act.Patient.Course.In(l)},
		{"info.after", act.Patient.After.In(l)},
	} {
		if s.body != "" {
			d.Sections = append(d.Sections, section{Heading: msg(l, s.key), Paragraphs: []string{s.body}})
		}
	}
	bring := section{Heading: msg(l, "bring.heading")}
	for _, it := range act.DocumentsToBring {
		bring.Items = append(bring.Items, it.Text.In(l))
	}
	if len(bring.Items) > 0 {
		d.Sections = append(d.Sections, bring)
	}
	now := time.Now() // an information sheet is not a record: its date is when it was printed
	m, err := newPDF(d.Title, now)
	if err != nil {
		return nil, err
	}
	addDoc(m, d)
	return generate(m, now)
}

// consentDoc is the text the patient agrees to; ConsentVersion hashes it.
func consentDoc(act *catalog.Act, variant, l string) doc {
	l = lang(l)
	d := doc{Lang: l, Title: msg(l, "consent.title"), Subtitle: []string{msg(l, "consent.act", actName(act, variant, l))}}
	if s := act.Patient.WhatItIs.In(l); s != "" {
		d.Sections = append(d.Sections, section{Heading: msg(l, "consent.what"), Paragraphs: []string{s}})
	}
	if s := act.Patient.Course.In(l); s != "" {
		d.Sections = append(d.Sections, section{Heading: msg(l, "consent.course"), Paragraphs: []string{s}})
	}
	risks := section{Heading: msg(l, "consent.risks"), Paragraphs: []string{msg(l, "consent.risks_intro")}}
	for _, c := range act.Complications {
		risks.Items = append(risks.Items, msg(l, "consent.risk", c.Text.In(l), c.Frequency.In(l)))
	}
	d.Sections = append(d.Sections, risks, section{
		Heading: msg(l, "consent.statement"),
		Items:   []string{msg(l, "consent.s1"), msg(l, "consent.s2"), msg(l, "consent.s3")},
	})
	return d
}

// ConsentVersion identifies the consent text of an act, variant and language:
// a changed catalogue text or wording gives a new version.
func ConsentVersion(act *catalog.Act, variant, lang string) string {
	d := consentDoc(act, variant, lang)
	h := sha256.New()
	write := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	write(d.Lang)
	write(d.Title)
	for _, s := range d.Subtitle {
		write(s)
	}
	for _, s := range d.Sections {
		write(s.Heading)
		for _, p := range append(append(append([]string{}, s.Strong...), s.Paragraphs...), s.Items...) {
			write(p)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ConsentFormPDF renders the consent form to sign on paper: the act, its risks
// with their frequencies from the catalogue, and blank fields.
func ConsentFormPDF(act *catalog.Act, variant, lang string) ([]byte, error) {
	if act == nil {
		return nil, errors.New("documents: consent form without an act")
	}
	d := consentDoc(act, variant, lang)
	l := d.Lang
	now := time.Now() // a blank form is not a record
	m, err := newPDF(d.Title+" – "+act.Name.In(l), now)
	if err != nil {
		return nil, err
	}
	addDoc(m, d)
	blank := strings.Repeat("_", 40)
	m.AddRows(
		field(msg(l, "consent.name"), blank, 4),
		field(msg(l, "consent.birth"), blank, 1),
		field(msg(l, "consent.date"), blank, 1),
	)
	addKept(m, []core.Row{
		text.NewAutoRow(msg(l, "consent.signature"), props.Text{Top: 3, Bottom: 1.5}),
		row.New(30).Add(col.New(7).WithStyle(&props.Cell{BorderType: border.Full, BorderColor: grey, BorderThickness: 0.2})),
		versionRow(l, ConsentVersion(act, variant, l)),
	}, 50)
	return generate(m, now)
}

// SignedConsent is a consent signed on screen, to be frozen as a PDF.
type SignedConsent struct {
	Act          *catalog.Act
	Variant      string
	Lang         string
	Version      string // ConsentVersion shown to the patient when signing
	SignerName   string // typed by the signer (the patient or their representative)
	SignaturePNG []byte // the drawn signature
	SignedAt     time.Time
	PatientName  string
	BirthDate    time.Time
	Location     *time.Location // for the printed signing time; nil: Europe/Paris
}

// ErrVersionMismatch means the catalogue changed between showing the consent
// and freezing it: the patient signed another text, so nothing is produced.
var ErrVersionMismatch = errors.New("documents: consent version differs from the current text")

// SignedConsentPDF freezes a signed consent: the consent text, the patient, the
// signer's typed name and drawn signature, the signing time and the document
// version. Equal inputs give equal bytes (the PDF dates are the signing time),
// so the returned SHA-256 (hex) can be stored and checked later.
func SignedConsentPDF(s SignedConsent) (pdf []byte, sha256hex string, err error) {
	if s.Act == nil {
		return nil, "", errors.New("documents: signed consent without an act")
	}
	if strings.TrimSpace(s.SignerName) == "" || s.SignedAt.IsZero() {
		return nil, "", errors.New("documents: signed consent needs the signer's name and the signing time")
	}
	if _, err := png.DecodeConfig(bytes.NewReader(s.SignaturePNG)); err != nil {
		return nil, "", fmt.Errorf("documents: signature is not a PNG image: %w", err)
	}
	if current := ConsentVersion(s.Act, s.Variant, s.Lang); s.Version != current {
		return nil, "", fmt.Errorf("%w (signed %q, current %q)", ErrVersionMismatch, s.Version, current)
	}
	d := consentDoc(s.Act, s.Variant, s.Lang)
	l := d.Lang
	f := formatter(l)
	signedAt := s.SignedAt.In(locationOr(s.Location))
	m, err := newPDF(d.Title, s.SignedAt) // no name in the metadata: it travels with the file
	if err != nil {
		return nil, "", err
	}
	addDoc(m, d)
	birth := ""
	if !s.BirthDate.IsZero() {
		birth = f.ShortDate(s.BirthDate)
	}
	m.AddRows(
		field(msg(l, "consent.name"), s.PatientName, 4),
		field(msg(l, "consent.birth"), birth, 1),
		text.NewAutoRow(msg(l, "consent.signed_by", s.SignerName), props.Text{Top: 1}),
		text.NewAutoRow(msg(l, "consent.signed_at", f.Date(signedAt), f.Time(signedAt)), props.Text{Top: 1}),
	)
	addKept(m, []core.Row{
		text.NewAutoRow(msg(l, "consent.signature"), props.Text{Top: 3, Bottom: 1.5}),
		row.New(30).Add(
			image.NewFromBytesCol(7, s.SignaturePNG, extension.Png, props.Rect{Percent: 90, Center: true}).
				WithStyle(&props.Cell{BorderType: border.Full, BorderColor: grey, BorderThickness: 0.2}),
		),
		versionRow(l, s.Version),
	}, 50)
	out, err := generate(m, s.SignedAt)
	if err != nil {
		return nil, "", err
	}
	// A consent is kept for years: an archival PDF/A-2b file.
	if out, err = pdfa.Convert(out, pdfa.Meta{Title: d.Title, Author: s.SignerName, Creator: "Repère", Created: s.SignedAt}); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(out)
	return out, hex.EncodeToString(sum[:]), nil
}

func field(label, value string, top float64) core.Row {
	return row.New().Add(
		text.NewCol(4, label, props.Text{Top: top, Style: fontstyle.Bold}),
		text.NewCol(8, value, props.Text{Top: top}),
	)
}

func versionRow(l, version string) core.Row {
	return text.NewAutoRow(msg(l, "consent.version", version), props.Text{Top: 4, Size: 8, Color: grey})
}
