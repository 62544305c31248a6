package documents

import (
	"errors"
	"time"
)

// AccessLetter is the letter the staff print for a patient without email or
// SMS: the address of their questionnaire or of the portal, with the
// one-time code that opens it. The application writes the sentences in the
// patient's language; this package lays them out.
type AccessLetter struct {
	Site      Site
	Title     string
	Recipient string // the patient's name, as on the envelope
	Sections  []AccessSection
	Issued    time.Time
}

// AccessSection is one block: a heading, the address or code in bold, and
// the sentences around them.
type AccessSection struct {
	Heading    string
	Strong     []string
	Paragraphs []string
}

// AccessLetterPDF renders the letter as an A4 PDF with embedded fonts; its
// metadata names no patient.
func AccessLetterPDF(l AccessLetter) ([]byte, error) {
	if l.Title == "" || len(l.Sections) == 0 {
		return nil, errors.New("documents: an access letter needs a title and a section")
	}
	d := doc{Header: siteHeader(l.Site), Title: l.Title}
	if l.Recipient != "" {
		d.Subtitle = []string{l.Recipient}
	}
	for _, s := range l.Sections {
		d.Sections = append(d.Sections, section{Heading: s.Heading, Strong: s.Strong, Paragraphs: s.Paragraphs})
	}
	m, err := newPDF(l.Title, l.Issued)
	if err != nil {
		return nil, err
	}
	addDoc(m, d)
	return generate(m, l.Issued)
}

// siteHeader is the practice's name, address and phone, those it has.
func siteHeader(s Site) []string {
	var out []string
	for _, v := range []string{s.Name, s.Address, s.Phone} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
