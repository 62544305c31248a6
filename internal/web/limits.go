package web

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"repere/internal/store"
)

// What a patient, or someone pretending to be one, may try on the portal and
// the questionnaire links. Every attempt is counted in the database before
// anything is compared (store.TakeAttempt), so the limits hold across
// instances and parallel requests cannot overrun them. A right answer is
// given back: only wrong answers and issued codes count.
const (
	// limitWindow is the window of every count below: a lock lasts at most
	// this long after the window's first attempt.
	limitWindow = time.Hour

	// portalCodesPerEmail: codes sent to one email address (one patient, or a
	// family sharing the address) an hour. Three lets a patient ask again
	// when an email is late, and keeps a mailbox from being flooded. Unknown
	// addresses count the same, so the answer never tells which are known.
	portalCodesPerEmail = 3
	// portalCodesPerAddr: code requests from one client address an hour, on
	// any email. A waiting room or a family behind one router asks a few; a
	// script asking for every address of a list is stopped at twenty.
	portalCodesPerAddr = 20

	// portalFailuresPerEmail: wrong codes or wrong birth dates an hour for
	// one email address, whatever the code (a new code brings no fresh
	// guesses). With six-digit codes this gives one chance in 200,000 an hour.
	portalFailuresPerEmail = 5
	// portalFailuresPerAddr: wrong codes or birth dates from one client
	// address an hour, on any email.
	portalFailuresPerAddr = 20

	// maxLinkFailures locks a questionnaire link for good after this many
	// wrong birth dates: the practice sends a new one.
	maxLinkFailures = 5
	// linkFailuresPerAddr: wrong birth dates from one client address an hour,
	// on any link.
	linkFailuresPerAddr = 20
)

// clientKey names the client address in the counts: the address itself, or
// for IPv6 its /64 network, which one subscriber usually holds whole (so
// hopping from address to address in it gains nothing).
func clientKey(r *http.Request) string {
	addr, err := netip.ParseAddr(remoteAddr(r))
	if err != nil {
		return remoteAddr(r)
	}
	if addr.Is6() && !addr.Is4In6() {
		if prefix, err := addr.Prefix(64); err == nil {
			return prefix.String()
		}
	}
	return addr.Unmap().String()
}

// emailKey names an email address in the counts without keeping it.
func emailKey(email string) string { return tokenHash(strings.ToLower(strings.TrimSpace(email))) }

func portalCodeLimits(r *http.Request, email string) []store.Limit {
	return []store.Limit{
		{Key: "portal-code:addr:" + clientKey(r), Max: portalCodesPerAddr, Window: limitWindow},
		{Key: "portal-code:email:" + emailKey(email), Max: portalCodesPerEmail, Window: limitWindow},
	}
}

func portalVerifyLimits(r *http.Request, email string) []store.Limit {
	return []store.Limit{
		{Key: "portal-verify:addr:" + clientKey(r), Max: portalFailuresPerAddr, Window: limitWindow},
		{Key: "portal-verify:email:" + emailKey(email), Max: portalFailuresPerEmail, Window: limitWindow},
	}
}

func linkLimits(r *http.Request) []store.Limit {
	return []store.Limit{{Key: "link:addr:" + clientKey(r), Max: linkFailuresPerAddr, Window: limitWindow}}
}

// lockedUntil tells whether err is a spent limit, and until when.
func lockedUntil(err error) (time.Time, bool) {
	var le *store.LockedError
	if errors.As(err, &le) {
		return le.Until, true
	}
	return time.Time{}, false
}

// lockNotice is the message of a locked portal or link, in the patient's
// language: until when, and whom to call. A zero until is a link locked for
// good (the practice sends a new one).
func (s *Server) lockNotice(w http.ResponseWriter, r *http.Request, key string, until time.Time) string {
	l := localizer(r)
	call := l.T("lock.call_nophone", "Practice", s.cfg.PracticeName)
	if phone := s.contactPhone(r); phone != "" {
		call = l.T("lock.call", "Practice", s.cfg.PracticeName, "Phone", phone)
	}
	if !until.IsZero() {
		if wait := until.Sub(s.now()); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		}
	}
	return l.T(key, "Until", l.DateTime(until.In(s.loc())), "Call", call)
}

// contactPhone is the number a patient calls: the practice's, or else its
// first site's.
func (s *Server) contactPhone(r *http.Request) string {
	if s.cfg.PracticePhone != "" {
		return s.cfg.PracticePhone
	}
	sites, err := s.store.Sites(r.Context())
	if err != nil {
		s.log.Warn("sites for the contact phone", "err", err)
		return ""
	}
	for _, site := range sites {
		if site.Phone != "" {
			return site.Phone
		}
	}
	return ""
}
