package web

import (
	"errors"
	"net/http"
	"strings"

	"repere/internal/app"
	"repere/internal/mail"
	"repere/internal/store"
)

// sendQuestionnaireLink sends a new questionnaire link to the patient of a
// referral by email, SMS or printed letter (the PDF is the answer).
func (s *Server) sendQuestionnaireLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	channel := r.PostFormValue("channel")
	d, err := s.app.SendQuestionnaireLink(r.Context(), id, channel, localizer(r).Lang, s.baseURL(r))
	return s.sent(w, r, "/staff/referrals/"+itoa(id), "questionnaire-"+itoa(id), d, err)
}

// invitePortal invites a patient to the portal by email, SMS or letter.
func (s *Server) invitePortal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.app.InviteToPortal(r.Context(), id, r.PostFormValue("channel"), localizer(r).Lang, s.baseURL(r))
	return s.sent(w, r, "/staff/patients/"+itoa(id), "espace-patient-"+itoa(id), d, err)
}

// sent answers a send: the letter to print, or back to the page with what
// happened (queued, or why not).
func (s *Server) sent(w http.ResponseWriter, r *http.Request, back, name string, d app.Delivery, err error) error {
	if refusal, ok := app.AsRefusal(err); ok && len(refusal.Reasons) > 0 {
		s.flash(r, refusal.Reasons[0].Key)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	if d.Channel == mail.ChannelLetter {
		return sendFile(w, "application/pdf", name+".pdf", d.Letter)
	}
	s.flash(r, "send.queued_"+d.Channel)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// portalLetterCode signs a patient in with a code given on paper or by SMS
// and their birth date.
func (s *Server) portalLetterCode(w http.ResponseWriter, r *http.Request) error {
	_, r = s.portalPatient(r)
	l := localizer(r)
	p := portalPage{Step: "email", MailOff: !s.app.MailReady(), BirthDate: strings.TrimSpace(r.PostFormValue("birth_date"))}
	code := strings.TrimSpace(r.PostFormValue("code"))
	day, ok := parseDay(p.BirthDate)
	if !ok || code == "" || longerThanLimit("code", code) {
		p.LetterErrors = append(p.LetterErrors, l.T("portal.err.letter_code"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	id, err := s.store.UseLetterCode(r.Context(), day, app.LetterCodeHash(code), s.now(), portalLetterLimits(r)...)
	if until, locked := lockedUntil(err); locked {
		p.Locked = s.lockNotice(w, r, "lock.portal", until)
		return s.render(w, r, http.StatusTooManyRequests, "portal", "portal.title", "", p)
	}
	if errors.Is(err, store.ErrCodeInvalid) {
		p.LetterErrors = append(p.LetterErrors, l.T("portal.err.letter_code"))
		return s.render(w, r, http.StatusUnprocessableEntity, "portal", "portal.title", "", p)
	}
	if err != nil {
		return err
	}
	return s.portalSignedIn(w, r, id)
}

// portalLetterLimits counts wrong letter codes per client address.
func portalLetterLimits(r *http.Request) []store.Limit {
	return []store.Limit{{Key: "portal-letter:addr:" + clientKey(r), Max: portalFailuresPerAddr, Window: limitWindow}}
}
