package review

import (
	"sort"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"repere/internal/catalog"
	"repere/internal/screening"
)

// Standings of a row.
const (
	// StandingSource: confirmed in its source, stated by a seed page or
	// inferred from a source: nothing to decide.
	StandingSource = "source"
	// StandingOpen: not confirmed and not decided by the practice.
	StandingOpen = "open"
	// StandingDecided: confirmed by the practice on the row's current value.
	StandingDecided = "decided"
	// StandingAdopted: the practice adopts the seed page's value; it sets it
	// in its own catalogue folder.
	StandingAdopted = "adopted"
	// StandingStale: decided on another value of the row: to decide again.
	StandingStale = "stale"
)

// Row is one value of the data as the practice reviews it.
type Row struct {
	Key     string
	Label   catalog.Text // what the value is about
	Value   catalog.Text // the value in words
	Effect  catalog.Text // what it does to a screening verdict (or to what else)
	Verdict bool         // the row can change a screening verdict
	catalog.Fact
	Also []screening.Also // other sources on the same value
	// Seed differences: what the page says and why the catalogue differs.
	Seed   *SeedSays
	Reason catalog.Text

	Fingerprint string
	Decidable   bool       // the practice may record a decision
	Decision    *Decision  // the latest one, if any
	History     []Decision // every decision, oldest first
	Standing    string     // see the Standing constants
	Choices     []string   // the choices offered
}

// Section groups the rows of one kind on a page.
type Section struct {
	ID    string
	Title catalog.Text
	Rows  []Row
}

// Page is the review of one act.
type Page struct {
	Act      *catalog.Act
	Sections []Section
	// Counts of rows to decide, decided, to decide again, in all.
	Open, Decided, Stale, Total int
}

// Book is the review of every act.
type Book struct {
	Pages []Page
}

// Page returns the page of an act.
func (b Book) Page(actID string) (Page, bool) {
	for _, p := range b.Pages {
		if p.Act.ID == actID {
			return p, true
		}
	}
	return Page{}, false
}

// Row finds a row by key on any page.
func (b Book) Row(key string) (Row, bool) {
	for _, p := range b.Pages {
		for _, s := range p.Sections {
			for _, r := range s.Rows {
				if r.Key == key {
					return r, true
				}
			}
		}
	}
	return Row{}, false
}

// Data is what the review is built from.
type Data struct {
	Catalog   *catalog.Catalog
	Screening *screening.Set
	Seeds     []SeedDifference
}

// Fingerprints returns the fingerprint of every row, by key.
func (d Data) Fingerprints() map[string]string { return d.Skeleton().Fingerprints() }

// Fingerprints returns the fingerprint of every row of the book, by key.
func (b Book) Fingerprints() map[string]string {
	out := map[string]string{}
	for _, p := range b.Pages {
		for _, s := range p.Sections {
			for _, r := range s.Rows {
				out[r.Key] = r.Fingerprint
			}
		}
	}
	return out
}

// Build lays the data out, one page per act, with the practice's decisions
// (oldest first) on each row.
func (d Data) Build(decisions []Decision) Book { return d.Skeleton().WithDecisions(decisions) }

// Skeleton lays the data out without any decision: the rows, their words
// and fingerprints. The data do not change while the server runs, so a
// caller builds it once and adds the decisions at each view
// (WithDecisions).
func (d Data) Skeleton() Book {
	var b Book
	for _, act := range d.Catalog.Acts() {
		p := Page{Act: act}
		p.Sections = append(p.Sections,
			Section{ID: "act", Title: text("Le geste (catalogue)", "The act (catalogue)"), Rows: d.actRows(act)},
			Section{ID: "seed", Title: text("Écarts avec les pages d'origine", "Differences from the seed pages"), Rows: d.seedRows(act)},
		)
		if d.Screening.Screens(act) {
			p.Sections = append(p.Sections,
				Section{ID: "rules", Title: text("Règles du questionnaire", "Questionnaire rules"), Rows: d.ruleRows(act)},
				Section{ID: "holds", Title: text("Arrêts des traitements", "Treatment holds"), Rows: d.holdRows(act)},
				Section{ID: "labs", Title: text("Examens biologiques", "Laboratory tests"), Rows: d.labRows(act)},
				Section{ID: "drugs", Title: text("Liste des médicaments", "Drug list"), Rows: d.drugRows()},
			)
		}
		b.Pages = append(b.Pages, p)
	}
	return b
}

// WithDecisions returns a copy of the book with the practice's decisions
// (oldest first) on each row, their standings and the pages' counts.
func (b Book) WithDecisions(decisions []Decision) Book {
	history := map[string][]Decision{}
	for _, dec := range decisions {
		history[dec.Key] = append(history[dec.Key], dec)
	}
	out := Book{Pages: make([]Page, len(b.Pages))}
	for pi, src := range b.Pages {
		p := Page{Act: src.Act, Sections: make([]Section, len(src.Sections))}
		for si, sec := range src.Sections {
			rows := append([]Row(nil), sec.Rows...)
			for ri := range rows {
				settle(&rows[ri], history[rows[ri].Key])
				p.Total++
				switch rows[ri].Standing {
				case StandingOpen:
					p.Open++
				case StandingDecided, StandingAdopted:
					p.Decided++
				case StandingStale:
					p.Stale++
				}
			}
			p.Sections[si] = Section{ID: sec.ID, Title: sec.Title, Rows: rows}
		}
		out.Pages[pi] = p
	}
	return out
}

// settle fills a row's decision, history, standing and choices.
func settle(r *Row, history []Decision) {
	r.History, r.Decision, r.Choices = history, nil, nil
	if len(history) > 0 {
		last := history[len(history)-1]
		r.Decision = &last
	}
	// The practice decides on the values nobody confirmed, on Repère's
	// defaults and on the inferences a verdict rests on; a value read in its
	// source or stated by a patient page keeps its status (shown), with
	// nothing to decide.
	r.Decidable = r.Seed != nil || r.Status == catalog.NotConfirmed || r.Status == catalog.PracticeDefault ||
		r.Status == catalog.Inference && r.Verdict // an inference that shapes a verdict (the blood patch's class)
	switch {
	case r.Seed != nil:
		r.Choices = []string{KeepCatalogue, AdoptSeed}
	case r.Decidable:
		r.Choices = []string{Confirm}
	}
	if r.Decision != nil && r.Decidable {
		r.Choices = append(r.Choices, Revoke)
	}
	switch {
	case !r.Decidable:
		r.Standing = StandingSource
	case r.Decision == nil || r.Decision.Choice == Revoke:
		r.Standing = StandingOpen
	case r.Decision.Fingerprint != r.Fingerprint:
		r.Standing = StandingStale
	case r.Decision.Choice == AdoptSeed:
		r.Standing = StandingAdopted
	default:
		r.Standing = StandingDecided
	}
}

func text(fr, en string) catalog.Text { return catalog.Text{"fr": fr, "en": en} }

func (d Data) ruleRows(act *catalog.Act) []Row {
	var rows []Row
	for _, r := range d.Screening.Rules() {
		if !r.Applies(act.ID) {
			continue
		}
		cond := d.Screening.DescribeCond(r.When)
		rows = append(rows, Row{Key: screening.RuleKey(r.ID), Label: cond, Value: r.Message, Effect: ruleEffect(r), Verdict: true,
			Fact: r.Fact, Fingerprint: fingerprint(r)})
	}
	return rows
}

// holdRows lists, for each bleeding-risk class the act can take, each hold
// row of the drug list with the drugs that use it.
func (d Data) holdRows(act *catalog.Act) []Row {
	drugsOf := map[string][]string{}
	var order []string
	for _, dr := range d.Screening.Drugs() {
		for _, h := range dr.Holds {
			if _, seen := drugsOf[h]; !seen {
				order = append(order, h)
			}
			drugsOf[h] = append(drugsOf[h], dr.Name.In("fr")+"|"+dr.Name.In("en"))
		}
	}
	var rows []Row
	for _, class := range act.BleedingClasses() {
		for _, id := range order {
			hr, ok := d.Screening.HoldRow(id)
			if !ok {
				continue
			}
			hc := hr.ForClass(class)
			fr, en := joinNames(drugsOf[id])
			rows = append(rows, Row{Key: screening.HoldKey(id, class),
				Label: catalog.Text{"fr": fr + " — risque " + classFR[class], "en": en + " — " + class + " risk"},
				Value: screening.DescribeHold(hc), Effect: holdEffect(hc), Verdict: true, Fact: hc.Fact, Also: hc.Also,
				Fingerprint: fingerprint(hc)})
		}
	}
	return rows
}

func joinNames(pairs []string) (string, string) {
	var fr, en string
	for i, p := range pairs {
		sep := ", "
		if i == 0 {
			sep = ""
		}
		for j := 0; j < len(p); j++ {
			if p[j] == '|' {
				fr, en = fr+sep+p[:j], en+sep+p[j+1:]
				break
			}
		}
	}
	return fr, en
}

func (d Data) labRows(act *catalog.Act) []Row {
	var rows []Row
	classes := act.BleedingClasses()
	for _, r := range d.Screening.Requirements() {
		applies := false
		for _, c := range classes {
			applies = applies || r.AppliesTo(act.ID, c)
		}
		if !applies {
			continue
		}
		var names []string
		for _, l := range r.Labs {
			names = append(names, d.Screening.LabName(l).In("fr")+"|"+d.Screening.LabName(l).In("en"))
		}
		fr, en := joinNames(names)
		label := catalog.Text{"fr": "Exigé : " + fr, "en": "Required: " + en}
		if r.When != nil {
			c := d.Screening.DescribeCond(*r.When)
			label = catalog.Text{"fr": label["fr"] + " si " + c.In("fr"), "en": label["en"] + " if " + c.In("en")}
		}
		rows = append(rows, Row{Key: screening.RequirementKey(r.ID), Label: label, Value: r.Why, Verdict: true,
			Effect: text("Résultat exigé avant le geste : sans lui, le questionnaire est incomplet.", "Result required before the act: without it the questionnaire is incomplete."),
			Fact:   r.Fact, Fingerprint: fingerprint(r)})
	}
	for _, t := range d.Screening.Thresholds() {
		for _, c := range classes {
			if !contains(t.Classes, c) {
				continue
			}
			rows = append(rows, Row{Key: screening.ThresholdKey(t.Lab, t.Classes),
				Label: catalog.Text{"fr": "Limite, risque " + classFR[c], "en": "Limit, " + c + " risk"}, Value: d.Screening.DescribeThreshold(t),
				Effect: withUnconfirmed(text("Au-delà de la limite : contre-indique le geste, ou demande l'avis du radiologue dans la zone intermédiaire.",
					"Beyond the limit: contraindicates the act, or asks the radiologist in the in-between range."), t.Status),
				Verdict: true, Fact: t.Fact, Fingerprint: fingerprint(t)})
			break
		}
	}
	return rows
}

func (d Data) drugRows() []Row {
	drugs := d.Screening.Drugs()
	byName := collate.New(language.French)
	sort.SliceStable(drugs, func(i, j int) bool { return byName.CompareString(drugs[i].Name.In("fr"), drugs[j].Name.In("fr")) < 0 })
	var rows []Row
	for _, dr := range drugs {
		brands := ""
		for i, b := range dr.Brands {
			if i > 0 {
				brands += ", "
			}
			brands += b
		}
		cw := screening.ClassWords(dr.Class)
		rows = append(rows, Row{Key: screening.DrugKey(dr.ID), Label: dr.Name,
			Value:  catalog.Text{"fr": "Classe : " + cw.In("fr") + orBrands(brands, "fr"), "en": "Class: " + cw.In("en") + orBrands(brands, "en")},
			Effect: text("Sa classe choisit les règles et les arrêts appliqués ; un médicament hors liste demande toujours l'avis du radiologue.", "Its class chooses the rules and holds applied; a medicine not in the list always asks the radiologist."),
			Fact:   dr.Fact, Fingerprint: fingerprint(dr)})
	}
	return rows
}

func orBrands(brands, lang string) string {
	if brands == "" {
		return ""
	}
	if lang == "en" {
		return "; brands: " + brands
	}
	return " ; marques : " + brands
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
