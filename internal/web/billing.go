package web

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"repere/internal/app"
	"repere/internal/billing"
	"repere/internal/catalog"
)

// tariffsPage is the practice's tariff table: every code the catalogue
// bills with its amount today and the next change known, per grid; the
// imports made; the import form and what the last import did.
type tariffsPage struct {
	Today     string // YYYY-MM-DD
	TodayText string
	Codes     []app.CodeTariffs
	Imports   []billing.Import
	Grids     []string
	Result    *app.TariffImport
	Errors    []string
	Source    string
}

func (s *Server) loadTariffsPage(r *http.Request) (tariffsPage, error) {
	now := s.now().In(s.loc())
	p := tariffsPage{Today: now.Format(time.DateOnly), TodayText: localizer(r).Date(now), Grids: []string{billing.GridOPTAM, billing.GridNonOPTAM}}
	var err error
	if p.Codes, err = s.app.CatalogueTariffs(r.Context(), p.Today); err != nil {
		return p, err
	}
	p.Imports, err = s.store.TariffImports(r.Context(), 20)
	return p, err
}

func (s *Server) tariffs(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadTariffsPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "tariffs", "tariffs.title", "admin", p)
}

// maxShownChanges bounds the rows of an import report shown on the page.
const maxShownChanges = 300

// importTariffs loads a tariff extract (Repère's CSV format); "dry_run"
// reports what it would change without storing it. A file with errors
// imports nothing and lists them, each with its line.
func (s *Server) importTariffs(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	source := strings.TrimSpace(r.PostFormValue("source"))
	file, header, err := r.FormFile("file")
	if err != nil {
		p, err := s.loadTariffsPage(r)
		if err != nil {
			return err
		}
		p.Source, p.Errors = source, []string{l.T("tariffs.err.no_file")}
		return s.render(w, r, http.StatusUnprocessableEntity, "tariffs", "tariffs.title", "admin", p)
	}
	defer file.Close()
	result, importErr := s.app.ImportTariffs(r.Context(), http.MaxBytesReader(w, file, billing.MaxImportBytes+1), filepath.Base(header.Filename),
		source, r.PostFormValue("dry_run") == "yes")
	p, err := s.loadTariffsPage(r)
	if err != nil {
		return err
	}
	p.Source = source
	var lineErrs billing.LineErrors
	switch {
	case errors.As(importErr, &lineErrs):
		for i, e := range lineErrs {
			if i == 50 {
				p.Errors = append(p.Errors, l.T("tariffs.err.more", "N", len(lineErrs)-50))
				break
			}
			p.Errors = append(p.Errors, l.T(e.Key, "Line", e.Line, "Value", e.Value))
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "tariffs", "tariffs.title", "admin", p)
	case importErr != nil:
		return importErr
	}
	if len(result.Diff.Added) > maxShownChanges {
		result.Diff.Added = result.Diff.Added[:maxShownChanges]
	}
	if len(result.Diff.Changed) > maxShownChanges {
		result.Diff.Changed = result.Diff.Changed[:maxShownChanges]
	}
	p.Result = &result
	return s.render(w, r, http.StatusOK, "tariffs", "tariffs.title", "admin", p)
}

// billingPage is one day's billing: the codes of the acts done.
type billingPage struct {
	app.BillingDay
	Total billing.Cents
}

// billingDay reads ?day= (today by default) into the day's billing.
func (s *Server) billingDay(r *http.Request) (app.BillingDay, error) {
	day := r.URL.Query().Get("day")
	if day == "" {
		day = s.now().In(s.loc()).Format(time.DateOnly)
	}
	return s.app.BillingOfDay(r.Context(), day)
}

func (s *Server) billingPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.billingDay(r)
	if err != nil {
		return err
	}
	p := billingPage{BillingDay: d}
	l := localizer(r)
	for i, line := range d.Lines {
		p.Total += line.Amount + line.ExtraFee
		// The page names the act in its language; the export keeps French.
		if act, ok := s.catalog.Act(line.ActID); ok {
			p.Lines[i].Act = act.Name.In(l.Lang)
		}
	}
	return s.render(w, r, http.StatusOK, "billing", "billing.title", "billing", p)
}

// billingExport downloads the day's billing as CSV for the practice's
// billing software.
func (s *Server) billingExport(w http.ResponseWriter, r *http.Request) error {
	d, err := s.billingDay(r)
	if err != nil {
		return err
	}
	csvHeaders(w, "facturation-"+d.Day+".csv")
	return billing.WriteDayCSV(w, d.Lines)
}

// billingFacts are the billing facts of an act for the staff catalogue
// page: each code's tariff in force today on each grid (from the tariff
// table, with its source), each association rule and billing choice.
func (s *Server) billingFacts(r *http.Request, act *catalog.Act) ([]factRow, error) {
	l := localizer(r)
	table, err := s.app.TariffTable(r.Context())
	if err != nil {
		return nil, err
	}
	rates, err := billing.Builtin()
	if err != nil {
		return nil, err
	}
	day := s.now().In(s.loc()).Format(time.DateOnly)
	var rows []factRow
	add := func(label, value string, f catalog.Fact) {
		row := factRow{Label: label, Value: value, Fact: f, Source: s.cite(f.Source, l.Lang)}
		if src, ok := s.catalog.Source(f.Source); ok {
			row.Source = cite{Short: src.Title, URL: src.URL}
		} else if src, ok := rates.Source(f.Source); ok {
			row.Source = cite{Short: src.Title, URL: src.URL}
		}
		rows = append(rows, row)
	}
	choice := func(prefix string, c *catalog.BillingChoice) {
		if c != nil {
			add(prefix+l.T("fact.billing_choice"), c.Reason.In(l.Lang), c.Fact)
		}
	}
	codes := func(prefix string, list []catalog.BillingCode) {
		for _, b := range list {
			if b.Code == "" {
				continue
			}
			for _, grid := range []string{billing.GridOPTAM, billing.GridNonOPTAM} {
				if t, ok := table.On(b.Code, grid, day); ok {
					add(prefix+l.T("fact.tariff_grid", "Code", b.Code, "Grid", l.T("grid."+grid)),
						l.Euros(t.Amount.EUR())+" "+l.T("fact.from", "Date", l.Day(t.From)), catalog.Fact{Source: t.Source, Status: t.Status})
				}
			}
			if b.Association != nil {
				add(prefix+l.T("fact.association", "Code", b.Code), l.T("fact.association_value", "Percent", b.Association.Percent), b.Association.Fact)
			}
		}
	}
	choice("", act.BillingChoice)
	codes("", act.Billing)
	for _, v := range act.Variants {
		choice(v.Name.In(l.Lang)+" — ", v.BillingChoice)
		codes(v.Name.In(l.Lang)+" — ", v.Billing)
	}
	for _, o := range act.Options {
		codes(o.Name.In(l.Lang)+" — ", o.Billing)
	}
	return rows, nil
}

// priceCosts gives the public page's codes their tariff today on the
// sector 1 grid, from the tariff table.
func (s *Server) priceCosts(r *http.Request, costs []cost) error {
	table, err := s.app.TariffTable(r.Context())
	if err != nil {
		return err
	}
	l := localizer(r)
	day := s.now().In(s.loc()).Format(time.DateOnly)
	for i, c := range costs {
		if t, ok := table.On(c.Code, billing.GridOPTAM, day); ok && c.Confirmed {
			costs[i].Tariff = l.Euros(t.Amount.EUR())
		}
	}
	return nil
}
