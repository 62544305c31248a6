package report

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"repere/internal/documents"
	"repere/internal/i18n"
	"repere/internal/pdfa"
)

// PracticeHeader is the letterhead of the practice that signs the report.
type PracticeHeader struct {
	Name    string
	Address string
	Phone   string
	Email   string
	// Lines are further lines under the address (RPPS or FINESS numbers...).
	Lines []string
}

var (
	accent = &props.Color{Red: 22, Green: 78, Blue: 120}
	grey   = &props.Color{Red: 90, Green: 90, Blue: 90}
)

// PDF prints a version of the report: letterhead, title, amendment notice,
// the body with its sections, then the electronic signature line, the version
// and the content hash. Its dates are the signing time, so equal inputs give
// equal bytes. An unsigned version prints as a draft.
func PDF(v Version, ctx Context, practice PracticeHeader) ([]byte, error) {
	if strings.TrimSpace(v.Text.Body) == "" {
		return nil, errors.New("report: empty report")
	}
	l := ctx.lang()
	created := v.SignedAt
	m, err := documents.NewPDF(v.Text.Title, created)
	if err != nil {
		return nil, err
	}
	letterhead(m, practice)
	m.AddRows(text.NewAutoRow(v.Text.Title, props.Text{Size: 15, Style: fontstyle.Bold, Top: 4, Bottom: 3}))
	if v.SignedBy == "" {
		m.AddRows(text.NewAutoRow(say(l, "PROJET — non signé", "DRAFT — not signed"), props.Text{Size: 11, Style: fontstyle.Bold, Color: accent, Bottom: 1}))
	}
	if v.Amends > 0 {
		notice := fmt.Sprintf(say(l, "Version %d, qui modifie et remplace la version %d.", "Version %d, which amends and replaces version %d."), v.Number, v.Amends)
		if v.Reason != "" {
			notice += say(l, " Motif : ", " Reason: ") + v.Reason
		}
		m.AddRows(text.NewAutoRow(notice, props.Text{Size: 10, Style: fontstyle.Bold, Color: accent, Top: 1, Bottom: 1}))
	}
	addBody(m, normalise(v.Text.Body))
	signature(m, v, ctx, l)
	out, err := documents.GeneratePDF(m, created)
	if err != nil || v.SignedBy == "" {
		return out, err
	}
	// A signed report is kept for years: an archival PDF/A-2b file.
	return pdfa.Convert(out, pdfa.Meta{Title: v.Text.Title, Author: v.SignedBy, Creator: "Repère", Created: created})
}

func letterhead(m core.Maroto, p PracticeHeader) {
	if p.Name != "" {
		m.AddRows(text.NewAutoRow(p.Name, props.Text{Size: 12, Style: fontstyle.Bold, Color: accent}))
	}
	contact := strings.Join(nonEmpty(p.Phone, p.Email), " · ")
	for _, s := range append(nonEmpty(p.Address, contact), p.Lines...) {
		m.AddRows(text.NewAutoRow(s, props.Text{Size: 9, Color: grey, Bottom: 0.8}))
	}
	m.AddRows(line.NewRow(5, props.Line{Color: accent, Thickness: 0.4, SizePercent: 100}))
}

// addBody prints the body: a line in capitals is a section heading, kept on
// the page of its first paragraph; other lines are paragraphs.
func addBody(m core.Maroto, body string) {
	var heading string
	for _, raw := range strings.Split(body, "\n") {
		s := strings.TrimSpace(raw)
		switch {
		case s == "":
			continue
		case isHeading(s):
			heading = s
		case heading != "":
			rows := []core.Row{
				text.NewAutoRow(heading, props.Text{Size: 11, Style: fontstyle.Bold, Color: accent, Top: 4, Bottom: 0.5}),
				line.NewRow(2, props.Line{Color: accent, Thickness: 0.2, SizePercent: 100}),
				paragraph(s),
			}
			if m.FitlnCurrentPage(30) {
				m.AddRows(rows...)
			} else {
				m.AddPages(page.New().Add(rows...))
			}
			heading = ""
		default:
			m.AddRows(paragraph(s))
		}
	}
	if heading != "" {
		m.AddRows(text.NewAutoRow(heading, props.Text{Size: 11, Style: fontstyle.Bold, Color: accent, Top: 4}))
	}
}

func paragraph(s string) core.Row {
	return text.NewAutoRow(s, props.Text{Size: 10, Bottom: 1, VerticalPadding: 0.8})
}

// isHeading: a short line with letters, all of them capitals.
func isHeading(s string) bool {
	if len([]rune(s)) > 60 {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 3
}

func signature(m core.Maroto, v Version, ctx Context, l string) {
	f := &i18n.Localizer{Lang: l}
	var lines []string
	if v.SignedBy != "" {
		at := v.SignedAt.In(ctx.location())
		lines = append(lines, fmt.Sprintf(say(l, "Compte rendu signé électroniquement par %s le %s à %s.", "Report signed electronically by %s on %s at %s."),
			v.SignedBy, f.Date(at), f.Time(at)))
	}
	version := fmt.Sprintf(say(l, "Version %d", "Version %d"), v.Number)
	if v.Amends > 0 {
		version += fmt.Sprintf(say(l, ", modifiant la version %d", ", amending version %d"), v.Amends)
	}
	lines = append(lines, version+".")
	rows := []core.Row{line.NewRow(6, props.Line{Color: grey, Thickness: 0.2, SizePercent: 100})}
	for i, s := range lines {
		p := props.Text{Size: 10, Bottom: 1}
		if i == 0 {
			p.Style = fontstyle.Bold
		}
		rows = append(rows, text.NewAutoRow(s, p))
	}
	rows = append(rows, text.NewAutoRow(say(l, "Empreinte SHA-256 du contenu : ", "SHA-256 of the content: ")+v.Hash(), props.Text{Size: 7, Color: grey, Top: 1}))
	if m.FitlnCurrentPage(30) {
		m.AddRows(rows...)
		return
	}
	m.AddPages(page.New().Add(rows...))
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, s := range values {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
