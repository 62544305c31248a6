package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"repere/internal/app"
	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/referral"
)

// Identity vigilance on a referral's page: the identity a referring
// physician sent, the record the request is filed on and the other records
// that look like it; the staff confirm the record or file the request on
// another one (app.ConfirmReferralIdentity, app.RefileReferral).

// identityView is the referral page's identity block.
type identityView struct {
	Shown bool // the referral came from a physician's space, or is to confirm
	app.ReferralIdentity
	// CanDecide: the user may confirm or re-file; CanRefile: the referral
	// may be re-filed (no booked or performed appointment).
	CanDecide, CanRefile bool
	// NewRecordRefused: the request already sits on the record made from
	// the identity sent, which holds nothing else (no new record offered).
	NewRecordRefused bool
	Query            string            // the patient search typed
	Found            []patient.Patient // what it found
	Target, Reason   string            // the re-filing form as typed
	Errors           []string
	// Checks are the ways a confirmation may say the identity was checked;
	// Check and Comment the confirmation form as typed, CheckErrors its
	// refusal's reasons by field, shown next to each.
	Checks         []referral.IdentityCheck
	Check, Comment string
	CheckErrors    map[string][]string
}

// loadIdentity fills the identity block of a referral's page.
func (s *Server) loadIdentity(r *http.Request, p *referralPage) error {
	ref := p.Referral
	if ref.SentIdentity == (patient.Patient{}) && !ref.IdentityToConfirm {
		return nil
	}
	v := &p.Identity
	v.Shown = true
	var err error
	if v.ReferralIdentity, err = s.app.IdentityOf(r.Context(), ref); err != nil {
		return err
	}
	v.CanDecide = currentUser(r).Role.In(bookers...)
	v.Checks = referral.IdentityChecks
	v.CanRefile = v.CanDecide && ref.Status != "done" && !slices.ContainsFunc(p.Appointments, func(a booking.Appointment) bool {
		return a.Status == booking.Booked || a.Status == booking.Done
	})
	if v.CanRefile && ref.SentIdentity != (patient.Patient{}) {
		if v.NewRecordRefused, err = s.app.NewRecordRefused(r.Context(), ref); err != nil {
			return err
		}
	}
	if v.Query = strings.TrimSpace(r.URL.Query().Get("idq")); v.Query != "" && v.CanRefile {
		found, err := s.store.SearchPatients(r.Context(), v.Query, 10)
		if err != nil {
			return err
		}
		for _, f := range found {
			if f.ID != ref.PatientID {
				v.Found = append(v.Found, f)
			}
		}
	}
	return nil
}

// confirmReferralIdentity: the person confirms the record the request is
// filed on and says how they checked it; a refused form comes back as
// typed, each reason about a field next to it, the others above the block.
func (s *Server) confirmReferralIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	how := referral.IdentityConfirmation{Check: referral.IdentityCheck(r.PostFormValue("identity_check")), Comment: r.PostFormValue("identity_comment")}
	if err := s.app.ConfirmReferralIdentity(r.Context(), id, how); err != nil {
		return s.identityRefused(w, r, err, func(v *identityView, msgs []string, byField map[string][]string) {
			v.Check, v.Comment, v.CheckErrors = string(how.Check), how.Comment, byField
			v.Errors = generalReasons(err, msgs)
		})
	}
	s.flash(r, "refid.confirmed")
	http.Redirect(w, r, "/staff/referrals/"+itoa(id), http.StatusSeeOther)
	return nil
}

// refileReferral files the request on the record chosen, or on a new
// record made from the identity sent; a refused form comes back as typed.
func (s *Server) refileReferral(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	target, reason := r.PostFormValue("target"), strings.TrimSpace(r.PostFormValue("reason"))
	to := app.Refiling{Reason: reason, NewRecord: target == "new"}
	if !to.NewRecord {
		to.PatientID, _ = strconv.ParseInt(target, 10, 64)
	}
	if _, err := s.app.RefileReferral(r.Context(), id, to); err != nil {
		return s.identityRefused(w, r, err, func(v *identityView, msgs []string, _ map[string][]string) {
			v.Target, v.Reason, v.Errors = target, reason, msgs
		})
	}
	s.flash(r, "refid.refiled")
	http.Redirect(w, r, "/staff/referrals/"+itoa(id)+"#identity", http.StatusSeeOther)
	return nil
}

// identityRefused shows the referral's page with the refusal in the
// identity block, which keep fills with the form as typed and the reasons
// (all of them, and those about one field by its name); any other error is
// returned.
func (s *Server) identityRefused(w http.ResponseWriter, r *http.Request, refusal error, keep func(v *identityView, msgs []string, byField map[string][]string)) error {
	msgs, byField, err := s.refusalByField(localizer(r), refusal)
	if err != nil {
		return err
	}
	// The page is read afterwards in a read unit of its own, as after a
	// refused booking.
	return s.inReadUnit(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.loadReferralPage(r)
		if err != nil {
			return err
		}
		if !p.Identity.Shown { // a referral recorded by the staff: show its record with the refusal
			if p.Identity.ReferralIdentity, err = s.app.IdentityOf(r.Context(), p.Referral); err != nil {
				return err
			}
			p.Identity.Shown = true
		}
		keep(&p.Identity, msgs, byField)
		return s.render(w, r, refusalStatus(refusal), "referral", "referral.title", "referrals", p)
	}}, w, r)
}

// generalReasons are the messages of a refusal's reasons that name no
// field (msgs: all its messages, in the order of its reasons).
func generalReasons(refusal error, msgs []string) []string {
	r, ok := app.AsRefusal(refusal)
	if !ok {
		return msgs
	}
	var out []string
	for i, x := range r.Reasons {
		if x.Field == "" && i < len(msgs) {
			out = append(out, msgs[i])
		}
	}
	return out
}
