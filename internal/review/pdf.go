package review

import (
	"fmt"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	textc "github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"repere/internal/catalog"
	"repere/internal/documents"
)

// Print is what the PDF needs besides the book.
type Print struct {
	Lang     string
	Practice string    // the practice's name, printed at the top
	At       time.Time // when it was printed (also the PDF's dates)
	Loc      *time.Location
	// Cite gives a source's short citation and address.
	Cite func(id, lang string) (string, string)
	// Acts limits the PDF to some acts (all when empty).
	Acts []string
}

var (
	accent = &props.Color{Red: 22, Green: 78, Blue: 120}
	grey   = &props.Color{Red: 90, Green: 90, Blue: 90}
	red    = &props.Color{Red: 150, Green: 30, Blue: 30}
)

// PDF prints the review for the medical director to sign: every row of the
// chosen acts with its value, effect, source, status and the practice's
// decision, the drug list once, and a signature block.
func PDF(b Book, p Print) ([]byte, error) {
	l := p.Lang
	if l != "en" {
		l = "fr"
	}
	if p.Loc == nil {
		p.Loc = time.UTC
	}
	m, err := documents.NewPDF(word(l, "Revue des données cliniques", "Review of the clinical data"), p.At)
	if err != nil {
		return nil, err
	}
	m.AddRows(textc.NewAutoRow(p.Practice, props.Text{Size: 12, Style: fontstyle.Bold, Color: accent}))
	m.AddRows(textc.NewAutoRow(word(l, "Revue des données cliniques", "Review of the clinical data"), props.Text{Size: 17, Style: fontstyle.Bold, Top: 4, Bottom: 1}))
	m.AddRows(textc.NewAutoRow(word(l, "Éditée le ", "Printed on ")+p.At.In(p.Loc).Format("02/01/2006 15:04"), props.Text{Size: 10, Color: grey, Bottom: 2}))
	m.AddRows(textc.NewAutoRow(word(l,
		"Chaque valeur porte sa source et son statut. Une valeur non confirmée dans une source primaire ne donne jamais un verdict favorable tant que le cabinet ne l'a pas confirmée ; la décision du cabinet (qui, quand, pourquoi) est rappelée sous chaque valeur.",
		"Each value carries its source and status. A value not confirmed in a primary source never gives a clear verdict until the practice confirms it; the practice's decision (who, when, why) is shown under each value."),
		props.Text{Size: 9, Bottom: 3, VerticalPadding: 0.8}))
	var drugs []Row
	for _, pg := range b.Pages {
		if len(p.Acts) > 0 && !contains(p.Acts, pg.Act.ID) {
			continue
		}
		m.AddRows(textc.NewAutoRow(fmt.Sprintf("%s — %s", pg.Act.Name.In(l), counts(l, pg)), props.Text{Size: 10, Bottom: 1}))
	}
	for _, pg := range b.Pages {
		if len(p.Acts) > 0 && !contains(p.Acts, pg.Act.ID) {
			continue
		}
		m.AddPages(page.New().Add(textc.NewAutoRow(pg.Act.Name.In(l), props.Text{Size: 15, Style: fontstyle.Bold, Color: accent, Bottom: 1})))
		m.AddRows(textc.NewAutoRow(counts(l, pg), props.Text{Size: 9, Color: grey, Bottom: 2}))
		for _, s := range pg.Sections {
			if s.ID == "drugs" {
				drugs = s.Rows
				continue
			}
			addSection(m, s, p, l)
		}
	}
	if len(drugs) > 0 {
		addSection(m, Section{Title: text("Liste des médicaments (commune à tous les gestes)", "Drug list (shared by every act)"), Rows: drugs}, p, l)
	}
	addSignature(m, l)
	return documents.GeneratePDF(m, p.At)
}

func counts(l string, pg Page) string {
	return fmt.Sprintf(word(l, "%d valeurs — à décider : %d ; décidées par le cabinet : %d ; à décider de nouveau : %d", "%d values — to decide: %d; decided by the practice: %d; to decide again: %d"),
		pg.Total, pg.Open, pg.Decided, pg.Stale)
}

func addSection(m core.Maroto, s Section, p Print, l string) {
	if len(s.Rows) == 0 {
		return
	}
	head := []core.Row{
		textc.NewAutoRow(s.Title.In(l), props.Text{Size: 12, Style: fontstyle.Bold, Color: accent, Top: 4, Bottom: 0.5}),
		line.NewRow(2.5, props.Line{Color: accent, Thickness: 0.3, SizePercent: 100}),
	}
	addKept(m, head, 30)
	for _, r := range s.Rows {
		lines := rowLines(r, p, l)
		addKept(m, lines, blockHeight(r, p, l))
	}
}

// addKept adds rows, starting a new page first when less than need (mm) is left.
func addKept(m core.Maroto, rows []core.Row, need float64) {
	if m.FitlnCurrentPage(need) {
		m.AddRows(rows...)
		return
	}
	m.AddPages(page.New().Add(rows...))
}

// blockHeight over-estimates the height (mm) of a row's block, so a block
// never starts where it cannot end: maroto's own estimate of wrapped text is
// short by a line now and then, which pushes the last block over the page
// number.
func blockHeight(r Row, p Print, l string) float64 {
	chars := []int{len([]rune(r.Label.In(l))), len([]rune(r.Value.In(l))), len([]rune(r.Effect.In(l))) + 10, 120, 120}
	if r.Seed != nil {
		chars = append(chars, len([]rune(r.Seed.Says.In(l)))+40, len([]rune(r.Reason.In(l)))+20)
	}
	for _, a := range r.Also {
		chars = append(chars, len([]rune(a.Says.In(l)))+60)
	}
	lines := 0
	for _, c := range chars {
		lines += 1 + c/95
	}
	return float64(lines)*4.6 + 6
}

func rowLines(r Row, p Print, l string) []core.Row {
	small := props.Text{Size: 8.5, VerticalPadding: 0.6, Left: 4}
	out := []core.Row{
		textc.NewAutoRow(r.Label.In(l), props.Text{Size: 9.5, Style: fontstyle.Bold, Top: 2, VerticalPadding: 0.6}),
		textc.NewAutoRow(r.Value.In(l), props.Text{Size: 9, VerticalPadding: 0.6, Left: 4}),
	}
	if r.Seed != nil {
		cite, _ := p.Cite(r.Seed.Source, l)
		out = append(out, textc.NewAutoRow(word(l, "Page d'origine : ", "Seed page: ")+r.Seed.Says.In(l)+" ("+cite+")", small),
			textc.NewAutoRow(word(l, "Pourquoi l'écart : ", "Why they differ: ")+r.Reason.In(l), small))
	}
	out = append(out, textc.NewAutoRow(word(l, "Effet : ", "Effect: ")+r.Effect.In(l), small))
	cite, url := p.Cite(r.Source, l)
	src := word(l, "Source : ", "Source: ") + cite + " — " + statusWord(r.Status, l)
	if url != "" {
		src += " — " + url
	}
	out = append(out, textc.NewAutoRow(src, small))
	for _, a := range r.Also {
		c, _ := p.Cite(a.Source, l)
		out = append(out, textc.NewAutoRow(word(l, "Autre source : ", "Other source: ")+c+" ("+statusWord(a.Status, l)+") — "+a.Says.In(l), small))
	}
	decision := small
	decision.Style = fontstyle.Bold
	if r.Standing == StandingOpen || r.Standing == StandingStale {
		decision.Color = red
	}
	out = append(out, textc.NewAutoRow(standingLine(r, p, l), decision))
	return append(out, row.New(1))
}

func standingLine(r Row, p Print, l string) string {
	s := standingWord(r.Standing, l)
	if d := r.Decision; d != nil && d.Choice != Revoke {
		s += fmt.Sprintf(word(l, " — %s, %s, le %s : « %s »", " — %s, %s, on %s: \"%s\""),
			choiceWord(d.Choice, l), who(d), d.At.In(p.Loc).Format("02/01/2006"), d.Reason)
	}
	return s
}

func who(d *Decision) string {
	if d.ByName != "" {
		return d.ByName
	}
	return d.By
}

func addSignature(m core.Maroto, l string) {
	rows := []core.Row{
		textc.NewAutoRow(word(l, "Validation par le médecin directeur", "Sign-off by the medical director"), props.Text{Size: 12, Style: fontstyle.Bold, Color: accent, Top: 8, Bottom: 0.5}),
		line.NewRow(2.5, props.Line{Color: accent, Thickness: 0.3, SizePercent: 100}),
		textc.NewAutoRow(word(l,
			"J'ai relu les valeurs ci-dessus, leurs sources et les décisions du cabinet. Les valeurs « à décider » restent soumises à l'avis du radiologue pour chaque patient.",
			"I have read the values above, their sources and the practice's decisions. The values \"to decide\" remain subject to the radiologist's opinion for each patient."),
			props.Text{Size: 10, Bottom: 4, VerticalPadding: 0.8}),
		textc.NewAutoRow(word(l, "Nom du médecin directeur : ______________________________", "Name of the medical director: ______________________________"), props.Text{Size: 10, Bottom: 6}),
		textc.NewAutoRow(word(l, "Date : ____ / ____ / ________", "Date: ____ / ____ / ________"), props.Text{Size: 10, Bottom: 6}),
		textc.NewAutoRow(word(l, "Signature :", "Signature:"), props.Text{Size: 10, Bottom: 25}),
	}
	addKept(m, rows, 70)
}

func word(l, fr, en string) string {
	if l == "en" {
		return en
	}
	return fr
}

var statusWords = map[catalog.Status][2]string{
	catalog.Confirmed:       {"confirmé dans la source", "confirmed in the source"},
	catalog.PatientPage:     {"page patient", "patient page"},
	catalog.Inference:       {"déduit d'une source", "inferred from a source"},
	catalog.NotConfirmed:    {"non confirmé", "not confirmed"},
	catalog.PracticeDefault: {"choix par défaut de Repère", "Repère's default"},
}

func statusWord(s catalog.Status, l string) string {
	w, ok := statusWords[s]
	if !ok {
		return string(s)
	}
	return word(l, w[0], w[1])
}

var standingWords = map[string][2]string{
	StandingSource:  {"Rien à décider (voir le statut)", "Nothing to decide (see the status)"},
	StandingOpen:    {"À décider par le cabinet", "To be decided by the practice"},
	StandingDecided: {"Décidé par le cabinet", "Decided by the practice"},
	StandingAdopted: {"Valeur de la page retenue, à reporter dans le catalogue du cabinet", "Seed page's value adopted, to set in the practice's catalogue"},
	StandingStale:   {"Décidé sur une autre valeur : à décider de nouveau", "Decided on another value: to decide again"},
}

func standingWord(s, l string) string { w := standingWords[s]; return word(l, w[0], w[1]) }

var choiceWords = map[string][2]string{
	Confirm:       {"confirmé", "confirmed"},
	Revoke:        {"décision retirée", "decision withdrawn"},
	KeepCatalogue: {"valeur du catalogue gardée", "catalogue's value kept"},
	AdoptSeed:     {"valeur de la page retenue", "seed page's value adopted"},
}

func choiceWord(c, l string) string { w := choiceWords[c]; return word(l, w[0], w[1]) }
