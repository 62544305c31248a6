package web

import (
	"net/http"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/i18n"
)

// workList is one of a role's work lists as the page shows it.
type workList struct {
	ID, Title, Empty string // the section's anchor and its words
	Items            []workRow
}

// workRow is one line of a work list.
type workRow struct {
	app.WorkItem
	ActName, When, Link string
}

// workLists turns the application's lists into the page's, in the order a
// role works through them.
func (s *Server) workLists(l *i18n.Localizer, role auth.Role, w app.WorkLists) []workList {
	row := func(it app.WorkItem, link string) workRow {
		r := workRow{WorkItem: it, ActName: it.ActID, Link: link}
		if act, ok := s.catalog.Act(it.ActID); ok {
			r.ActName = act.Name.In(l.Lang)
		}
		if it.MailKind != "" {
			r.ActName = l.T("send.kind." + kindKey(it.MailKind))
		}
		if !it.When.IsZero() {
			r.When = l.DateTime(it.When.In(s.loc()))
		}
		return r
	}
	list := func(id string, items []app.WorkItem, link func(app.WorkItem) string) workList {
		wl := workList{ID: id, Title: l.T("work." + id), Empty: l.T("work.none")}
		for _, it := range items {
			wl.Items = append(wl.Items, row(it, link(it)))
		}
		return wl
	}
	referralLink := func(it app.WorkItem) string { return "/staff/referrals/" + itoa(it.ReferralID) }
	appointmentLink := func(it app.WorkItem) string { return "/staff/appointments/" + itoa(it.AppointmentID) }
	reportLink := func(it app.WorkItem) string { return "/staff/appointments/" + itoa(it.AppointmentID) + "/report" }
	switch role {
	case auth.Radiologist:
		return []workList{list("to_review", w.ToReview, referralLink), list("to_sign", w.ToSign, referralLink), list("reports_to_sign", w.ReportsToSign, reportLink)}
	case auth.Secretary:
		return []workList{list("to_book", w.ToBook, referralLink), list("to_confirm", w.ToConfirm, appointmentLink),
			list("waiting", w.Waiting, referralLink), list("mails_failed", w.MailsFailed, appointmentLink)}
	}
	return nil
}

// workPage lists the signed-in user's work: a radiologist's screenings to
// review and sign and reports to sign; a secretary's referrals to book,
// appointments to confirm, waiting list and failed emails.
func (s *Server) workPage(w http.ResponseWriter, r *http.Request) error {
	role := currentUser(r).Role
	lists, err := s.app.WorkFor(r.Context(), role)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "work", "work.title", "dashboard", s.workLists(localizer(r), role, lists))
}
