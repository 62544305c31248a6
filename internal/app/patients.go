package app

import (
	"context"
	"slices"
	"time"

	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/store"
)

// CreatePatient records a new patient. Unless notDuplicate says the staff
// checked them, the records that may be the same person are looked for
// first: when there are some, nothing is created and they are returned for
// the staff to choose. The look-up and the creation are one unit of work
// (store.WriteUnit), so two desks cannot both find no duplicate and create
// the same person twice.
func (a *App) CreatePatient(ctx context.Context, p patient.Patient, notDuplicate bool) (int64, []patient.Patient, error) {
	var id int64
	var dups []patient.Patient
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if !notDuplicate {
			var err error
			if dups, err = a.store.PossibleDuplicates(ctx, p); err != nil || len(dups) > 0 {
				return err
			}
		}
		var err error
		id, err = a.store.CreatePatient(ctx, p)
		return err
	})
	return id, dups, err
}

// CreateReferral records a referral for a patient. Its physician is one of
// the practice's, or a new one named otherPhysician (then recorded with
// it), or none. The patient's and physicians' reads, the new physician and
// the referral are one unit of work: a failure leaves no physician behind.
func (a *App) CreateReferral(ctx context.Context, ref referral.Referral, otherPhysician string) (int64, error) {
	var id int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if _, err := a.store.Patient(ctx, ref.PatientID); err != nil {
			return err
		}
		if err := a.store.LockPatient(ctx, ref.PatientID); err != nil {
			return err
		}
		// A form sent twice (a double click) records one referral.
		if same, err := a.sameRecentReferral(ctx, ref, otherPhysician); err != nil || same != 0 {
			id = same
			return err
		}
		if ref.PhysicianID != 0 {
			doctors, err := a.store.Physicians(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(doctors, func(d practice.Physician) bool { return d.ID == ref.PhysicianID }) {
				return invalid("referral.err.physician")
			}
		} else if otherPhysician != "" {
			doctor, err := a.store.CreatePhysician(ctx, practice.Physician{Name: otherPhysician})
			if err != nil {
				return err
			}
			ref.PhysicianID = doctor
		}
		var err error
		id, err = a.store.CreateReferral(ctx, ref)
		return err
	})
	return id, err
}

// resendWindow is how long an identical referral form counts as the same
// one sent again (a double click, a form sent back after a slow answer).
const resendWindow = 10 * time.Minute

// sameRecentReferral returns the patient's referral recorded in the last
// minutes with every field of ref, or 0.
func (a *App) sameRecentReferral(ctx context.Context, ref referral.Referral, otherPhysician string) (int64, error) {
	recent, err := a.store.ListReferrals(ctx, store.ReferralFilter{PatientID: ref.PatientID, Limit: 20})
	if err != nil {
		return 0, err
	}
	for _, r := range recent {
		samePhysician := r.PhysicianID == ref.PhysicianID
		if ref.PhysicianID == 0 && otherPhysician != "" {
			samePhysician = r.PhysicianName == otherPhysician
		}
		if samePhysician && r.ActID == ref.ActID && r.Levels == ref.Levels && r.Side == ref.Side && r.Urgency == ref.Urgency &&
			r.Indication == ref.Indication && r.PriorImaging == ref.PriorImaging && r.PrescriptionDate == ref.PrescriptionDate &&
			a.Now().Sub(r.CreatedAt) < resendWindow {
			return r.ID, nil
		}
	}
	return 0, nil
}

// WithdrawConsent records the withdrawal of a consent with its reason and
// returns the consent's appointment; a consent already withdrawn is
// refused. The read and the withdrawal are one unit of work.
func (a *App) WithdrawConsent(ctx context.Context, id int64, reason string) (int64, error) {
	var c documents.Consent
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.store.ConsentDocument(ctx, id); err != nil {
			return err
		}
		if c.Withdrawn != nil {
			return refuse("consent.err.withdrawn")
		}
		return a.store.WithdrawConsent(ctx, id, reason)
	})
	return c.AppointmentID, err
}
