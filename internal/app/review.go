package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/review"
)

// The practice's review of its clinical data (internal/review): one page per
// act with every rule, drug, hold, lab limit and act fact, their sources and
// statuses, and the practice's decisions. A decision confirming a row makes
// it count as confirmed in every screening evaluated afterwards, on every
// path (pages, letters, worklist, board, FHIR), since they all evaluate here.

// maxDecisionReason bounds the reason of a practice decision.
const maxDecisionReason = 500

// practiceConfirmed returns the rows the practice confirmed on their
// current value (Input.Confirmed of the screening).
func (a *App) practiceConfirmed(ctx context.Context) (map[string]bool, error) {
	ds, err := a.store.PracticeDecisions(ctx)
	if err != nil {
		return nil, err
	}
	return review.Confirmed(a.fingerprints, ds), nil
}

// Review returns the review of the data with the practice's decisions.
func (a *App) Review(ctx context.Context) (review.Book, error) {
	ds, err := a.store.PracticeDecisions(ctx)
	if err != nil {
		return review.Book{}, err
	}
	return a.reviewBook.WithDecisions(ds), nil
}

// DecideRow records a radiologist's decision on a row of the data: confirm
// a value not confirmed in a primary source, keep the catalogue's value or
// adopt a seed page's, or withdraw an earlier decision; always with a
// reason. The decision is bound to the row's value as it is now.
func (a *App) DecideRow(ctx context.Context, key, choice, reason string) error {
	if actor, _ := audit.ActorFrom(ctx); actor.Role != string(auth.Radiologist) {
		return refuse("review.err.radiologist")
	}
	book, err := a.Review(ctx)
	if err != nil {
		return err
	}
	row, ok := book.Row(key)
	if !ok || !row.Decidable {
		return refuse("review.err.row")
	}
	valid := false
	for _, c := range row.Choices {
		valid = valid || c == choice
	}
	if !valid {
		return invalid("review.err.choice")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxDecisionReason {
		return invalid("review.err.reason", "Max", maxDecisionReason)
	}
	_, err = a.store.AddPracticeDecision(ctx, review.Decision{Key: key, Fingerprint: row.Fingerprint, Choice: choice, Reason: reason})
	return err
}

// ReviewPDF prints the review of some acts (all when acts is empty) for the
// medical director to sign.
func (a *App) ReviewPDF(ctx context.Context, lang string, acts []string) ([]byte, error) {
	book, err := a.Review(ctx)
	if err != nil {
		return nil, err
	}
	practice := a.cfg.PracticeName
	if sites, err := a.store.Sites(ctx); err == nil && len(sites) > 0 {
		practice = sites[0].Name
	}
	cite := func(id, lang string) (string, string) {
		src, ok := a.screening.Source(id)
		if !ok {
			return id, ""
		}
		return src.Citation(lang), src.URL
	}
	return review.PDF(book, review.Print{Lang: lang, Practice: practice, At: a.Now(), Loc: a.loc, Cite: cite, Acts: acts})
}
