package web

import (
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/i18n"
	"repere/internal/review"
)

// The review of the clinical data for the practice's radiologists: one page
// per act, every value with its source, status and effect on a verdict, and
// the practice's decision on the values not confirmed. Deciding is the
// radiologists' (the application checks it); every staff member may read.

// reviewSummary is one act on the review's index.
type reviewSummary struct {
	ID, Name                    string
	Open, Decided, Stale, Total int
}

func (s *Server) reviewIndex(w http.ResponseWriter, r *http.Request) error {
	book, err := s.app.Review(r.Context())
	if err != nil {
		return err
	}
	l := localizer(r)
	var list []reviewSummary
	for _, p := range book.Pages {
		list = append(list, reviewSummary{ID: p.Act.ID, Name: p.Act.Name.In(l.Lang), Open: p.Open, Decided: p.Decided, Stale: p.Stale, Total: p.Total})
	}
	return s.render(w, r, http.StatusOK, "review", "review.title", "review", list)
}

// reviewRowView is a row of the review in the user's language.
type reviewRowView struct {
	review.Row
	ID                         string // the HTML id of the row
	Label, Value, Effect, Note string
	Source                     cite
	Also                       []alsoView
	SeedSays, Reason           string
	SeedSource                 cite
	DecisionLine               string
	Errors                     []string // a refused decision on this row
	TypedReason, TypedChoice   string
}

type reviewSectionView struct {
	ID, Title string
	Rows      []reviewRowView
}

// reviewPageView is an act's review page.
type reviewPageView struct {
	ActID, ActName              string
	Open, Decided, Stale, Total int
	Sections                    []reviewSectionView
	CanDecide                   bool
	OnlyOpen                    bool
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadReviewPage(r, "", nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "review_act", "review.title", "review", p)
}

// loadReviewPage builds an act's page; a refused decision on row key comes
// back with its reasons and what was typed.
func (s *Server) loadReviewPage(r *http.Request, key string, refusal []string) (reviewPageView, error) {
	act, ok := s.catalog.Act(r.PathValue("act"))
	if !ok {
		return reviewPageView{}, errStatus(http.StatusNotFound, "error.not_found")
	}
	book, err := s.app.Review(r.Context())
	if err != nil {
		return reviewPageView{}, err
	}
	page, _ := book.Page(act.ID)
	l := localizer(r)
	v := reviewPageView{ActID: act.ID, ActName: act.Name.In(l.Lang), Open: page.Open, Decided: page.Decided, Stale: page.Stale, Total: page.Total,
		CanDecide: currentUser(r).Role == auth.Radiologist, OnlyOpen: r.FormValue("show") == "open"}
	for _, sec := range page.Sections {
		sv := reviewSectionView{ID: sec.ID, Title: sec.Title.In(l.Lang)}
		for _, row := range sec.Rows {
			if v.OnlyOpen && row.Standing != review.StandingOpen && row.Standing != review.StandingStale && row.Key != key {
				continue
			}
			rv := s.reviewRow(l, row)
			if row.Key == key {
				rv.Errors, rv.TypedReason, rv.TypedChoice = refusal, r.PostFormValue("reason"), r.PostFormValue("choice")
			}
			sv.Rows = append(sv.Rows, rv)
		}
		if len(sv.Rows) > 0 {
			v.Sections = append(v.Sections, sv)
		}
	}
	return v, nil
}

func (s *Server) reviewRow(l *i18n.Localizer, row review.Row) reviewRowView {
	v := reviewRowView{Row: row, ID: "row-" + strings.NewReplacer(":", "-", "+", "-").Replace(row.Key),
		Label: row.Label.In(l.Lang), Value: row.Value.In(l.Lang), Effect: row.Effect.In(l.Lang), Note: row.Note, Source: s.cite(row.Source, l.Lang)}
	for _, a := range row.Also {
		v.Also = append(v.Also, alsoView{Source: s.cite(a.Source, l.Lang), Status: a.Status, Says: a.Says.In(l.Lang)})
	}
	if row.Seed != nil {
		v.SeedSays, v.SeedSource, v.Reason = row.Seed.Says.In(l.Lang), s.cite(row.Seed.Source, l.Lang), row.Reason.In(l.Lang)
	}
	if d := row.Decision; d != nil {
		who := d.ByName
		if who == "" {
			who = d.By
		}
		v.DecisionLine = l.T("review.decided_by", "Choice", l.T("review.done."+d.Choice), "Who", who, "When", l.ShortDate(d.At.In(s.loc())), "Reason", d.Reason)
	}
	return v
}

// reviewDecide records a radiologist's decision on a row; a refused one
// shows the page again at that row, with what was typed.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request) error {
	key := r.PostFormValue("key")
	err := s.app.DecideRow(r.Context(), key, r.PostFormValue("choice"), r.PostFormValue("reason"))
	if refusal, ok := app.AsRefusal(err); ok {
		p, err := s.loadReviewPage(r, key, s.app.Messages(refusal, localizer(r)))
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "review_act", "review.title", "review", p)
	}
	if err != nil {
		return err
	}
	s.flash(r, "review.flash_decided")
	back := "/staff/review/" + r.PathValue("act")
	if r.PostFormValue("show") == "open" {
		back += "?show=open"
	}
	http.Redirect(w, r, back+"#row-"+strings.NewReplacer(":", "-", "+", "-").Replace(key), http.StatusSeeOther)
	return nil
}

// reviewPDF prints the review of one act, or of every act, for the medical
// director to sign.
func (s *Server) reviewPDF(w http.ResponseWriter, r *http.Request) error {
	var acts []string
	name := "revue-donnees-cliniques.pdf"
	if id := r.PathValue("act"); id != "" {
		if _, ok := s.catalog.Act(id); !ok {
			return errStatus(http.StatusNotFound, "error.not_found")
		}
		acts, name = []string{id}, "revue-"+id+".pdf"
	}
	data, err := s.app.ReviewPDF(r.Context(), localizer(r).Lang, acts)
	if err != nil {
		return err
	}
	return sendFile(w, "application/pdf", name, data)
}
