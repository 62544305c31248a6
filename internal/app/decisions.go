package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/screening"
	"repere/internal/store"
)

// SaveAnswers stores a referral's questionnaire answers read at version
// (0: the first answers); a save made by someone else meanwhile refuses it,
// nothing is overwritten. The verdict is computed again from the answers
// wherever it is shown.
func (a *App) SaveAnswers(ctx context.Context, referralID int64, answers screening.Answers, version int) error {
	data, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	_, err = a.store.SaveScreening(ctx, referralID, data, version)
	if errors.Is(err, store.ErrStale) {
		return refuse("screening.err.stale")
	}
	return err
}

// SignScreening records the radiologist's signature of a referral's
// screening at its current answers, with the premedication and contrast
// agent prescribed for the act (they reach the scanner's worklist).
func (a *App) SignScreening(ctx context.Context, referralID int64, premedication, contrastAgent string) error {
	// One unit of work: the signature is of the answers the checks read.
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.signScreening(ctx, referralID, premedication, contrastAgent) })
}

func (a *App) signScreening(ctx context.Context, referralID int64, premedication, contrastAgent string) error {
	st, err := a.decisionContext(ctx, referralID)
	if err != nil {
		return err
	}
	premedication, contrastAgent = strings.TrimSpace(premedication), strings.TrimSpace(contrastAgent)
	r := &Refusal{}
	if len(premedication) > 64 || len(contrastAgent) > 64 {
		r.Reasons = append(r.Reasons, Reason{Key: "screening.err.prescription"})
	}
	if !st.Answered || st.Verdict.Status == screening.Incomplete {
		r.Reasons = append(r.Reasons, Reason{Key: "screening.err.incomplete"})
	}
	if len(r.Reasons) > 0 {
		return r
	}
	_, err = a.store.AddScreeningDecision(ctx, screening.Decision{ReferralID: referralID, Kind: screening.DecisionSigned, AnswersVersion: st.Version,
		VerdictStatus: string(st.Verdict.Status), Premedication: premedication, ContrastAgent: contrastAgent})
	return err
}

// OverrideFinding records the radiologist's override of one finding of the
// screening, with its reason: the software advises, the radiologist
// decides. A missing answer cannot be overridden: it must be given.
func (a *App) OverrideFinding(ctx context.Context, referralID int64, ruleID, reason string) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.overrideFinding(ctx, referralID, ruleID, reason) })
}

func (a *App) overrideFinding(ctx context.Context, referralID int64, ruleID, reason string) error {
	st, err := a.decisionContext(ctx, referralID)
	if err != nil {
		return err
	}
	found := false
	for _, rs := range st.Verdict.Reasons {
		found = found || (rs.RuleID == ruleID && rs.Outcome != screening.OutcomeIncomplete && !rs.Overridden)
	}
	if !found {
		return refuse("screening.err.rule")
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return invalid("screening.err.reason")
	}
	_, err = a.store.AddScreeningDecision(ctx, screening.Decision{ReferralID: referralID, Kind: screening.DecisionOverride, RuleID: ruleID,
		Reason: reason, AnswersVersion: st.Version, VerdictStatus: string(st.Verdict.Status)})
	return err
}

// decisionContext checks that a radiologist acts and evaluates the
// screening for the referral's booked appointment, if any.
func (a *App) decisionContext(ctx context.Context, referralID int64) (Screening, error) {
	if actor, _ := audit.ActorFrom(ctx); actor.Role != string(auth.Radiologist) {
		return Screening{}, refuse("screening.err.radiologist")
	}
	ref, err := a.store.Referral(ctx, referralID)
	if err != nil {
		return Screening{}, err
	}
	if _, ok := a.catalog.Act(ref.ActID); !ok {
		return Screening{}, ErrNotFound
	}
	appts, err := a.store.ListAppointments(ctx, appointmentsOfReferral(referralID))
	if err != nil {
		return Screening{}, err
	}
	return a.ScreeningOf(ctx, ref, BookedAppointment(appts))
}
