package app

import (
	"context"
	"slices"
	"time"

	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
)

// WorkItem is one thing waiting for someone: a referral, an appointment or
// an email, with what the list shows of it.
type WorkItem struct {
	ReferralID, AppointmentID, PatientID int64
	PatientName, ActID                   string
	When                                 time.Time        // the act's start, or when the referral or email came
	Verdict                              screening.Status // the screening's verdict, where it matters
	Urgency                              referral.Urgency
	Detail                               string // a failed email's reason, a waiting patient's notes
	MailKind                             string // a failed email's kind (convocation, reminder...)
	// IdentityToConfirm: a referral whose patient a person must confirm
	// before it is booked (identity vigilance).
	IdentityToConfirm bool
}

// WorkLists are the lists of one role's work. A radiologist: screenings to
// review (a verdict a radiologist must decide on), screenings to sign, and
// reports to sign. A secretary: referrals to book, appointments to confirm
// (no convocation sent yet), the waiting list and the emails given up on.
type WorkLists struct {
	ToReview, ToSign, ReportsToSign         []WorkItem
	ToBook, ToConfirm, Waiting, MailsFailed []WorkItem
}

// How far the work lists look: acts booked within the next weeks, acts done
// within the last month.
const (
	workAhead  = 30 * 24 * time.Hour
	workBehind = 30 * 24 * time.Hour
	confirmIn  = 14 * 24 * time.Hour
)

// WorkFor returns the work lists of a role (empty for a role with none).
func (a *App) WorkFor(ctx context.Context, role auth.Role) (WorkLists, error) {
	var w WorkLists
	var err error
	switch role {
	case auth.Radiologist:
		if w.ToReview, w.ToSign, err = a.screeningsToDecide(ctx); err != nil {
			return w, err
		}
		w.ReportsToSign, err = a.reportsToSign(ctx)
	case auth.Secretary:
		err = a.secretaryWork(ctx, &w)
	}
	return w, err
}

// screeningsToDecide splits the answered, unsigned screenings of the open
// referrals (booked ahead, or not booked yet) into those a radiologist must
// review (a verdict asking for a radiologist, or a contraindication) and
// those only to sign; an incomplete questionnaire waits for its answers.
func (a *App) screeningsToDecide(ctx context.Context) (review, sign []WorkItem, err error) {
	now := a.Now()
	booked, err := a.store.ListAppointments(ctx, store.AppointmentFilter{From: now.Add(-24 * time.Hour), To: now.Add(workAhead), Statuses: []booking.Status{booking.Booked}})
	if err != nil {
		return nil, nil, err
	}
	screenings, err := a.ScreeningsOf(ctx, booked)
	if err != nil {
		return nil, nil, err
	}
	add := func(st Screening, it WorkItem) {
		if !st.Answered || st.Signed != nil {
			return
		}
		it.Verdict = st.Verdict.Status
		switch st.Verdict.Status {
		case screening.Clear:
			sign = append(sign, it)
		case screening.Incomplete: // the patient or the secretary completes it first
		default:
			review = append(review, it)
		}
	}
	for _, ap := range booked {
		add(screenings[ap.ID], WorkItem{ReferralID: ap.ReferralID, AppointmentID: ap.ID, PatientID: ap.PatientID, PatientName: ap.PatientName, ActID: ap.ActID, When: ap.Start})
	}
	for _, status := range []referral.Status{referral.Received, referral.Screening} {
		refs, err := a.store.ListReferrals(ctx, store.ReferralFilter{Status: status, Limit: 200})
		if err != nil {
			return nil, nil, err
		}
		screenings, err := a.ScreeningsOfReferrals(ctx, refs)
		if err != nil {
			return nil, nil, err
		}
		for _, ref := range refs {
			st, known := screenings[ref.ID]
			if !known {
				continue
			}
			add(st, WorkItem{ReferralID: ref.ID, PatientID: ref.PatientID, PatientName: ref.PatientName, ActID: ref.ActID, When: ref.CreatedAt, Urgency: ref.Urgency})
		}
	}
	return review, sign, nil
}

// reportsToSign lists the acts done within the last month with no signed report.
func (a *App) reportsToSign(ctx context.Context) ([]WorkItem, error) {
	now := a.Now()
	done, err := a.store.ListAppointments(ctx, store.AppointmentFilter{From: now.Add(-workBehind), To: now.Add(24 * time.Hour), Statuses: []booking.Status{booking.Done}})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(done))
	for i, ap := range done {
		ids[i] = ap.ID
	}
	reported, err := a.store.AppointmentsWithReport(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []WorkItem
	for _, ap := range done {
		if !reported[ap.ID] {
			out = append(out, WorkItem{ReferralID: ap.ReferralID, AppointmentID: ap.ID, PatientID: ap.PatientID, PatientName: ap.PatientName, ActID: ap.ActID, When: ap.Start})
		}
	}
	return out, nil
}

// secretaryWork fills the secretary's lists.
func (a *App) secretaryWork(ctx context.Context, w *WorkLists) error {
	for _, status := range []referral.Status{referral.Received, referral.Screening} {
		refs, err := a.store.ListReferrals(ctx, store.ReferralFilter{Status: status, Limit: 200})
		if err != nil {
			return err
		}
		for _, ref := range refs {
			w.ToBook = append(w.ToBook, WorkItem{ReferralID: ref.ID, PatientID: ref.PatientID, PatientName: ref.PatientName, ActID: ref.ActID, When: ref.CreatedAt,
				Urgency: ref.Urgency, IdentityToConfirm: ref.IdentityToConfirm})
		}
	}
	// The most urgent first, then the oldest.
	urgency := map[referral.Urgency]int{referral.Urgent: 0, referral.Soon: 1}
	rank := func(u referral.Urgency) int {
		if r, ok := urgency[u]; ok {
			return r
		}
		return 2
	}
	slices.SortStableFunc(w.ToBook, func(x, y WorkItem) int {
		if d := rank(x.Urgency) - rank(y.Urgency); d != 0 {
			return d
		}
		return x.When.Compare(y.When)
	})
	now := a.Now()
	ids, err := a.store.UnsentConvocations(ctx, now, now.Add(confirmIn))
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		booked, err := a.store.ListAppointments(ctx, store.AppointmentFilter{From: now, To: now.Add(confirmIn), Statuses: []booking.Status{booking.Booked}})
		if err != nil {
			return err
		}
		for _, ap := range booked {
			if slices.Contains(ids, ap.ID) {
				w.ToConfirm = append(w.ToConfirm, WorkItem{ReferralID: ap.ReferralID, AppointmentID: ap.ID, PatientID: ap.PatientID, PatientName: ap.PatientName, ActID: ap.ActID, When: ap.Start})
			}
		}
	}
	waiting, err := a.store.WaitingList(ctx)
	if err != nil {
		return err
	}
	for _, e := range waiting {
		w.Waiting = append(w.Waiting, WorkItem{ReferralID: e.ReferralID, PatientID: e.PatientID, PatientName: e.PatientName, ActID: e.ActID, When: e.CreatedAt, Urgency: e.Urgency, Detail: e.Notes})
	}
	failed, err := a.store.FailedMail(ctx, 100)
	if err != nil {
		return err
	}
	for _, m := range failed {
		w.MailsFailed = append(w.MailsFailed, WorkItem{AppointmentID: m.AppointmentID, PatientID: m.PatientID, MailKind: m.Kind, When: m.CreatedAt, Detail: m.LastError})
	}
	return nil
}
