package documents

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	"github.com/phpdave11/gofpdf"
)

// maroto writes fonts and images from Go maps, in random order; gofpdf's
// catalogue sort (a process-wide default read when a document is created)
// makes equal inputs give equal bytes, which the signed consent's hash needs.
func init() { gofpdf.SetDefaultCatalogSort(true) }

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE): every Latin accent and
// the euro sign, embedded so the PDF looks the same on every reader.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuBold []byte
)

const (
	fontFamily = "dejavu"
	lineGap    = 0.8 // mm between the lines of a wrapped paragraph
)

var (
	accent = &props.Color{Red: 22, Green: 78, Blue: 120}
	grey   = &props.Color{Red: 90, Green: 90, Blue: 90}
)

// newPDF returns a maroto document with our fonts, margins and page numbers.
// created is written as the PDF's dates, so equal inputs give equal bytes.
func newPDF(title string, created time.Time) (core.Maroto, error) {
	fonts, err := repository.New().
		AddUTF8FontFromBytes(fontFamily, fontstyle.Normal, dejaVuRegular).
		AddUTF8FontFromBytes(fontFamily, fontstyle.Bold, dejaVuBold).
		Load()
	if err != nil {
		return nil, fmt.Errorf("documents: fonts: %w", err)
	}
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(18).WithRightMargin(18).WithTopMargin(15).WithBottomMargin(15).
		WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: fontFamily, Size: 10}).
		WithPageNumber(props.PageNumber{Pattern: "{current} / {total}", Place: props.RightBottom, Family: fontFamily, Size: 8, Color: grey}).
		WithTitle(title, true).
		WithCreator("Repère", true).
		WithCreationDate(created.UTC()).
		Build()
	return maroto.New(cfg), nil
}

// spacing is the vertical rhythm of a document (sizes in points, gaps in mm).
type spacing struct {
	titleSize, titleTop, headingSize, headingTop, lineBottom float64
}

var (
	normalSpacing = spacing{titleSize: 17, titleTop: 5, headingSize: 12, headingTop: 4, lineBottom: 1}
	// compactSpacing keeps a convocation, estimate included, on one page.
	compactSpacing = spacing{titleSize: 15, titleTop: 2, headingSize: 11, headingTop: 2.5, lineBottom: 0.2}
)

// addDoc lays a document out on m; a section never starts at the foot of a
// page with its heading alone.
func addDoc(m core.Maroto, d doc) {
	sp := normalSpacing
	header := d.Header
	if d.Compact {
		sp = compactSpacing
		if len(header) > 2 { // address and phone on one line
			header = []string{header[0], strings.Join(header[1:], " · ")}
		}
	}
	for i, h := range header {
		p := props.Text{Size: 9, Color: grey}
		if i == 0 {
			p = props.Text{Size: 12, Style: fontstyle.Bold, Color: accent}
		}
		m.AddRows(text.NewAutoRow(h, p))
	}
	m.AddRows(text.NewAutoRow(d.Title, props.Text{Size: sp.titleSize, Style: fontstyle.Bold, Top: sp.titleTop, Bottom: 1}))
	for _, s := range d.Subtitle {
		m.AddRows(text.NewAutoRow(s, props.Text{Size: 11, Bottom: 1}))
	}
	for _, s := range d.Sections {
		need := float64(keepTogether)
		if len(s.Rows) > 0 { // an estimate is read as a whole: keep it on one page
			need = 20 + 9*float64(len(s.Rows)) + 8*float64(len(s.After))
			if d.Compact {
				need = 12 + 5*float64(len(s.Rows)) + 6*float64(len(s.After))
			}
		}
		addKept(m, sectionRows(s, sp), need)
	}
	if d.Footer != "" {
		m.AddRows(text.NewAutoRow(d.Footer, props.Text{Size: 9, Top: 2 + sp.headingTop, Color: grey, Style: fontstyle.Bold}))
	}
}

// keepTogether is the height (mm) a block's first rows need on the page it starts on.
const keepTogether = 28

// addKept adds rows, starting a new page first when less than need (mm) is left.
func addKept(m core.Maroto, rows []core.Row, need float64) {
	if m.FitlnCurrentPage(need) {
		m.AddRows(rows...)
		return
	}
	m.AddPages(page.New().Add(rows...))
}

func sectionRows(s section, sp spacing) []core.Row {
	rows := []core.Row{
		text.NewAutoRow(s.Heading, props.Text{Size: sp.headingSize, Style: fontstyle.Bold, Color: accent, Top: sp.headingTop, Bottom: 0.5}),
		line.NewRow(2.5, props.Line{Color: accent, Thickness: 0.3, SizePercent: 100}),
	}
	for _, p := range s.Strong {
		rows = append(rows, text.NewAutoRow(p, props.Text{Style: fontstyle.Bold, Bottom: sp.lineBottom, VerticalPadding: lineGap}))
	}
	for _, p := range s.Paragraphs {
		rows = append(rows, text.NewAutoRow(p, props.Text{Bottom: sp.lineBottom, VerticalPadding: lineGap}))
	}
	for _, it := range s.Items {
		rows = append(rows, row.New().Add(
			text.NewCol(1, "•", props.Text{Align: align.Right, Right: 2}),
			text.NewCol(11, it, props.Text{Bottom: sp.lineBottom, VerticalPadding: lineGap}),
		))
	}
	for _, r := range s.Rows {
		p := props.Text{Bottom: sp.lineBottom, VerticalPadding: lineGap}
		if r.Strong {
			p.Style = fontstyle.Bold
		}
		v := p
		v.Align = align.Right
		rows = append(rows, row.New().Add(text.NewCol(9, r.Label, p), text.NewCol(3, r.Value, v)))
	}
	for i, a := range s.After {
		p := props.Text{Top: sp.lineBottom, Bottom: sp.lineBottom, VerticalPadding: lineGap}
		if s.SmallAfter {
			p.Size = 8.5
		}
		if i == 0 {
			p.Top = 1
		}
		rows = append(rows, text.NewAutoRow(a, p))
	}
	return rows
}

// generate renders the rows and fixes the modification date to created:
// maroto sets the creation date but leaves the modification date to the clock.
func generate(m core.Maroto, created time.Time) ([]byte, error) {
	document, err := m.Generate()
	if err != nil {
		return nil, fmt.Errorf("documents: PDF: %w", err)
	}
	return fixModDate(document.GetBytes(), created)
}

// fixModDate rewrites the 14 digits of /ModDate (D:YYYYMMDDHHMMSS) in place;
// the length does not change, so the cross-reference offsets stay right.
func fixModDate(pdf []byte, created time.Time) ([]byte, error) {
	marker := []byte("/ModDate (D:")
	i := bytes.Index(pdf, marker)
	if i < 0 || i+len(marker)+14 > len(pdf) {
		return nil, errors.New("documents: PDF without a modification date to fix")
	}
	copy(pdf[i+len(marker):], created.UTC().Format("20060102150405"))
	return pdf, nil
}
