package app

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
)

// Identity vigilance of the requests referring physicians send: a record
// of the practice that looks like the patient of a request is a proposal,
// and a person confirms it or files the request on the right record. Until
// then the referral is not booked and nothing is sent to the patient for
// it (NotBookable, newQuestionnaireLink, Convocation).

// identityDeciders are the roles that confirm or re-file a referral's
// patient: those who manage referrals.
var identityDeciders = []auth.Role{auth.Secretary, auth.Radiologist}

// identityMatch is how an identity meets the practice's records: the
// candidates have the same birth or used name, first names, birth date and
// sex; otherSex the same names and birth date but another sex.
type identityMatch struct {
	candidates, otherSex []patient.Patient
}

func (a *App) matchIdentity(ctx context.Context, p patient.Patient) (identityMatch, error) {
	var m identityMatch
	same, err := a.store.PossibleDuplicates(ctx, p)
	if err != nil {
		return m, err
	}
	for _, x := range same {
		if x.BirthDate != p.BirthDate {
			continue
		}
		if x.Sex == p.Sex {
			m.candidates = append(m.candidates, x)
		} else {
			m.otherSex = append(m.otherSex, x)
		}
	}
	return m, nil
}

// IdentityCandidate is a record that may be the patient of a referral.
type IdentityCandidate struct {
	patient.Patient
	// SameSex: the sex agrees too, not only the names and birth date.
	SameSex bool
}

// ReferralIdentity is what the staff see of a referral's patient: the
// identity the physician sent (zero for a referral recorded otherwise),
// the record it is filed on, and the other records with the same names and
// birth date.
type ReferralIdentity struct {
	Sent       patient.Patient
	Filed      patient.Patient
	Candidates []IdentityCandidate
}

// IdentityOf gathers a referral's identity for its page.
func (a *App) IdentityOf(ctx context.Context, ref referral.Referral) (ReferralIdentity, error) {
	out := ReferralIdentity{Sent: ref.SentIdentity}
	var err error
	if out.Filed, err = a.store.Patient(ctx, ref.PatientID); err != nil {
		return out, err
	}
	look := out.Sent
	if look == (patient.Patient{}) {
		look = out.Filed
	}
	m, err := a.matchIdentity(ctx, look)
	if err != nil {
		return out, err
	}
	for _, list := range []struct {
		records []patient.Patient
		same    bool
	}{{m.candidates, true}, {m.otherSex, false}} {
		for _, p := range list.records {
			if p.ID != out.Filed.ID {
				out.Candidates = append(out.Candidates, IdentityCandidate{Patient: p, SameSex: list.same})
			}
		}
	}
	return out, nil
}

// ConfirmReferralIdentity records that the signed-in person checked the
// record a referral is filed on, and how (a check among
// referral.IdentityChecks, with a comment when "other"): its mark is
// cleared, audited, in one unit of work. Refused without a check, or when
// there is nothing to confirm.
func (a *App) ConfirmReferralIdentity(ctx context.Context, referralID int64, how referral.IdentityConfirmation) error {
	if err := mayDecideIdentity(ctx); err != nil {
		return err
	}
	if problems := how.Validate(); len(problems) > 0 {
		return fieldReasons(problems, map[string]int{"identity_comment": referral.MaxIdentityComment})
	}
	how.Comment = strings.TrimSpace(how.Comment)
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		ref, err := a.store.Referral(ctx, referralID)
		if err != nil {
			return err
		}
		if !ref.IdentityToConfirm {
			return refuse("identity.err.nothing_to_confirm")
		}
		err = a.store.ConfirmReferralIdentity(ctx, ref.ID, ref.PatientID, how)
		if errors.Is(err, store.ErrNotFound) {
			return refuse("identity.err.nothing_to_confirm")
		}
		return err
	})
}

// fieldReasons is the refusal of a form's problems (field -> message key),
// each reason naming its field (shown next to it) and the field's length
// limit as "Max".
func fieldReasons(problems map[string]string, limits map[string]int) *Refusal {
	r := &Refusal{Invalid: true}
	for _, field := range slices.Sorted(maps.Keys(problems)) {
		r.Reasons = append(r.Reasons, Reason{Key: problems[field], Args: []any{"Max", limits[field]}, Field: field})
	}
	return r
}

// Refiling is where a referral goes: an existing record (PatientID) or a
// new record made from the identity the physician sent (NewRecord), and why.
type Refiling struct {
	PatientID int64
	NewRecord bool
	Reason    string
}

// RefileReferral files a referral on another record, or on a new record
// made from the identity the physician sent, with a reason; a person chose
// the record, so the identity mark is cleared. Refused while the referral
// has a booked or performed appointment (move or cancel it first). One
// unit of work, audited on both records. It returns the record's id.
func (a *App) RefileReferral(ctx context.Context, referralID int64, to Refiling) (int64, error) {
	if err := mayDecideIdentity(ctx); err != nil {
		return 0, err
	}
	to.Reason = strings.TrimSpace(to.Reason)
	r := &Refusal{Invalid: true}
	if to.Reason == "" {
		r.Reasons = append(r.Reasons, Reason{Key: "identity.err.refile_reason", Field: "reason"})
	}
	if to.NewRecord == (to.PatientID != 0) {
		r.Reasons = append(r.Reasons, Reason{Key: "identity.err.refile_target", Field: "patient"})
	}
	if len(r.Reasons) > 0 {
		return 0, r
	}
	var patientID int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		var err error
		patientID, err = a.refile(ctx, referralID, to)
		return err
	})
	return patientID, err
}

func (a *App) refile(ctx context.Context, referralID int64, to Refiling) (int64, error) {
	ref, err := a.store.Referral(ctx, referralID)
	if err != nil {
		return 0, err
	}
	appts, err := a.store.ListAppointments(ctx, appointmentsOfReferral(ref.ID))
	if err != nil {
		return 0, err
	}
	if ref.Status == referral.Done || slices.ContainsFunc(appts, func(x booking.Appointment) bool {
		return x.Status == booking.Booked || x.Status == booking.Done
	}) {
		return 0, refuse("identity.err.refile_booked")
	}
	target := to.PatientID
	if to.NewRecord {
		if ref.SentIdentity == (patient.Patient{}) {
			return 0, refuse("identity.err.no_sent_identity")
		}
		if err := a.notADuplicateRecord(ctx, ref); err != nil {
			return 0, err
		}
		if problems := ref.SentIdentity.Validate(a.Now().In(a.loc)); len(problems) > 0 {
			return 0, &Refusal{Reasons: problemReasons(problems, patient.MaxLength)}
		}
		if target, err = a.store.CreatePatient(ctx, ref.SentIdentity); err != nil {
			return 0, err
		}
	} else if target == ref.PatientID {
		return 0, &Refusal{Invalid: true, Reasons: []Reason{{Key: "identity.err.refile_same", Field: "patient"}}}
	} else if _, err := a.store.Patient(ctx, target); errors.Is(err, store.ErrNotFound) {
		return 0, &Refusal{Invalid: true, Reasons: []Reason{{Key: "identity.err.refile_target", Field: "patient"}}}
	} else if err != nil {
		return 0, err
	}
	err = a.store.RefileReferral(ctx, ref.ID, ref.PatientID, target, to.NewRecord, to.Reason)
	if errors.Is(err, store.ErrNotFound) {
		return 0, refuse("identity.err.refile_booked")
	}
	return target, err
}

// notADuplicateRecord refuses a new record made from the identity sent
// when the referral already sits on a record made from that very identity
// (by the request's intake or an earlier re-filing onto a new record:
// referral.RecordFromRequest, set only by those two writes) and that record
// holds no other referral. The new record would be a copy of it and the old
// one an empty shell: the same patient twice. Whether the record's identity
// was corrected since does not matter: the new record would repeat the
// identity as sent, which the correction found wrong. A record made from
// the request that holds other referrals (another request matched it, or
// the staff filed one on it) is someone's record: separating this request
// from them onto a record of its own is a choice the staff may make.
// The record's clinical content (appointments, questionnaires, consents,
// documents, reports) hangs on its referrals, so "no other referral" is
// "nothing else"; what hangs on the record itself (a portal invitation, an
// identity correction, another system's identifier) was made for this
// request's patient, whom the new record would merely repeat.
func (a *App) notADuplicateRecord(ctx context.Context, ref referral.Referral) error {
	if !ref.RecordFromRequest {
		return nil
	}
	held, err := a.store.ListReferrals(ctx, store.ReferralFilter{PatientID: ref.PatientID, Limit: 2})
	if err != nil {
		return err
	}
	if slices.ContainsFunc(held, func(x referral.Referral) bool { return x.ID != ref.ID }) {
		return nil
	}
	return &Refusal{Invalid: true, Reasons: []Reason{{Key: "identity.err.refile_new_duplicate", Field: "patient"}}}
}

// NewRecordRefused says whether a re-filing of the referral onto a new
// record would be refused as a duplicate (notADuplicateRecord), so that its
// page does not offer it.
func (a *App) NewRecordRefused(ctx context.Context, ref referral.Referral) (bool, error) {
	err := a.notADuplicateRecord(ctx, ref)
	if _, refused := AsRefusal(err); refused {
		return true, nil
	}
	return false, err
}

func mayDecideIdentity(ctx context.Context) error {
	actor, _ := audit.ActorFrom(ctx)
	if !auth.Role(actor.Role).In(identityDeciders...) {
		return refuse("identity.err.decider_role")
	}
	return nil
}
