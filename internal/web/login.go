package web

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
)

type loginForm struct {
	Login string
	Next  string
	Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if u := currentUser(r); u != nil && !u.MustChangePassword {
		http.Redirect(w, r, homeOf(u.Role), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", "login.title", "login", loginForm{Next: safeNext(r.URL.Query().Get("next"))})
}

// dummyHash makes a login with an unknown name cost as much as a wrong
// password (through the same bounded hasher), so response times do not tell
// which accounts exist.
var dummyHash, _ = auth.HashPassword("not-a-real-password")

// login checks a password under the throttling policy of package auth: the
// attempt is reserved for its (account, address) pair before anything is
// hashed, an account under attack is checked after a delay, and the hash runs
// within the server's hashing bound.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l := localizer(r)
	form := loginForm{Login: strings.TrimSpace(r.PostFormValue("login")), Next: safeNext(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	if form.Login == "" || password == "" {
		form.Error = l.T("login.missing")
		return s.render(w, r, http.StatusUnprocessableEntity, "login", "login.title", "login", form)
	}
	login, addr := store.NormalizeLogin(form.Login), remoteAddr(r)
	pairKey, accountKey := auth.PairKey(login, addr), auth.AccountKey(login)
	anonymous := audit.Actor{Login: "anonymous", RemoteAddr: addr}
	reserved, err := s.store.ReserveLoginAttempt(ctx, pairKey, auth.FreeFailures)
	if err != nil {
		return err
	}
	if !reserved.Allowed {
		if err := s.store.RecordEvent(ctx, anonymous, "login_throttled", "user", "", "login="+login); err != nil {
			return err
		}
		minutes := int(math.Ceil(reserved.LockedUntil.Sub(s.now()).Minutes()))
		form.Error = l.T("login.locked", "Minutes", minutes, "Count", minutes)
		return s.render(w, r, http.StatusTooManyRequests, "login", "login.title", "login", form)
	}
	u, delay, err := s.checkSignIn(ctx, login, accountKey, password)
	if errors.Is(err, auth.ErrBusy) || ctx.Err() != nil {
		// Not checked: the attempt is given back, and the user told to retry.
		if err := s.store.RefundLoginAttempt(context.WithoutCancel(ctx), pairKey, reserved.Attempt); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		form.Error = l.T("login.busy")
		s.retryAfter(w)
		return s.render(w, r, http.StatusServiceUnavailable, "login", "login.title", "login", form)
	}
	if err != nil {
		return err
	}
	detail := ""
	if delay > 0 {
		detail = "delayed " + delay.String()
	}
	if u == nil {
		if _, err := s.store.CountLoginFailure(ctx, accountKey); err != nil {
			return err
		}
		if err := s.store.RecordEvent(ctx, anonymous, "login_failed", "user", "", strings.TrimSuffix("login="+login+"; "+detail, "; ")); err != nil {
			return err
		}
		form.Error = l.T("login.failed")
		return s.render(w, r, http.StatusUnauthorized, "login", "login.title", "login", form)
	}
	if err := s.store.ClearLoginFailures(ctx, pairKey, accountKey); err != nil {
		return err
	}
	return s.signIn(w, r, u, form.Next, detail)
}

// checkSignIn waits the account's delay, then checks the password within
// the hashing bound: the active user it opens, or nil. An unknown login is
// checked against a dummy hash, so it costs what a known one costs.
func (s *Server) checkSignIn(ctx context.Context, login, accountKey, password string) (*auth.User, time.Duration, error) {
	failures, err := s.store.LoginFailures(ctx, accountKey)
	if err != nil {
		return nil, 0, err
	}
	delay := auth.AccountDelay(failures)
	if err := pause(ctx, delay); err != nil {
		return nil, delay, err
	}
	u, err := s.store.UserByLogin(ctx, login)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, delay, err
	}
	hash := u.PasswordHash
	if !known {
		hash = dummyHash
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if errors.Is(err, auth.ErrBusy) || ctx.Err() != nil {
		return nil, delay, cmp.Or(ctx.Err(), err)
	}
	if err != nil {
		s.log.Error("unreadable password hash", "user", u.ID)
	}
	if !known || !ok || !u.Active {
		return nil, delay, nil
	}
	return &u, delay, nil
}

// signIn opens a session for u and sends them on.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u *auth.User, next, detail string) error {
	ctx := r.Context()
	// A new session token at sign-in defeats session fixation.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Remove(ctx, sessionCSRF)
	s.sessions.Put(ctx, sessionUserID, u.ID)
	s.sessions.Put(ctx, sessionEpoch, u.SessionEpoch)
	actor := audit.Actor{UserID: u.ID, Login: u.Login, Role: string(u.Role), RemoteAddr: remoteAddr(r)}
	if err := s.store.RecordEvent(ctx, actor, "login", "user", itoa(u.ID), detail); err != nil {
		return err
	}
	if u.MustChangePassword {
		next = "/password"
	} else if next == "" {
		next = homeOf(u.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// pause waits d, or less if the request ends.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter tells a client refused for lack of hashing capacity when to retry.
func (s *Server) retryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(s.cfg.HashWait.Seconds()))))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if u := currentUser(r); u != nil {
		actor, _ := audit.ActorFrom(r.Context())
		if err := s.store.RecordEvent(r.Context(), actor, "logout", "user", itoa(u.ID), ""); err != nil {
			return err
		}
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// homeOf is where a role lands after signing in.
func homeOf(role auth.Role) string {
	switch role {
	case auth.Admin:
		return "/admin"
	case auth.Referrer:
		return "/referrer"
	case auth.Patient:
		return "/espace"
	default:
		return "/staff"
	}
}

// checkCurrentPassword checks the signed-in user's current password under the
// sign-in throttle, so that a stolen session cannot guess it unbounded. A
// refusal comes with its status (429 locked, 503 busy) and message.
func (s *Server) checkCurrentPassword(r *http.Request, u *auth.User, password string) (ok bool, status int, refusal string, err error) {
	ctx, l := r.Context(), localizer(r)
	login := store.NormalizeLogin(u.Login)
	pairKey, accountKey := auth.PairKey(login, remoteAddr(r)), auth.AccountKey(login)
	reserved, err := s.store.ReserveLoginAttempt(ctx, pairKey, auth.FreeFailures)
	if err != nil {
		return false, 0, "", err
	}
	if !reserved.Allowed {
		minutes := int(math.Ceil(reserved.LockedUntil.Sub(s.now()).Minutes()))
		return false, http.StatusTooManyRequests, l.T("login.locked", "Minutes", minutes, "Count", minutes), nil
	}
	ok, err = s.hasher.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, auth.ErrBusy) {
		return false, http.StatusServiceUnavailable, l.T("login.busy"), s.store.RefundLoginAttempt(ctx, pairKey, reserved.Attempt)
	}
	if ok {
		return true, 0, "", s.store.ClearLoginFailures(ctx, pairKey)
	}
	_, err = s.store.CountLoginFailure(ctx, accountKey)
	return false, 0, "", err
}

type passwordForm struct {
	Forced bool
	Errors []string
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "password", "password.title", "", passwordForm{Forced: currentUser(r).MustChangePassword})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	l := localizer(r)
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	form := passwordForm{Forced: u.MustChangePassword}
	ok, status, refusal, err := s.checkCurrentPassword(r, u, current)
	if err != nil {
		return err
	}
	if status != 0 {
		if status == http.StatusServiceUnavailable {
			s.retryAfter(w)
		}
		form.Errors = append(form.Errors, refusal)
		return s.render(w, r, status, "password", "password.title", "", form)
	}
	if !ok {
		form.Errors = append(form.Errors, l.T("password.wrong_current"))
	}
	if key := auth.CheckNewPassword(next, u.Login); key != "" {
		form.Errors = append(form.Errors, l.T(key, "Min", auth.MinPasswordLength))
	}
	if next != confirm {
		form.Errors = append(form.Errors, l.T("password.mismatch"))
	}
	if next == current && next != "" {
		form.Errors = append(form.Errors, l.T("password.unchanged"))
	}
	if len(form.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "password", "password.title", "", form)
	}
	hash, err := s.hasher.Hash(r.Context(), next)
	if errors.Is(err, auth.ErrBusy) {
		s.retryAfter(w)
		form.Errors = append(form.Errors, l.T("login.busy"))
		return s.render(w, r, http.StatusServiceUnavailable, "password", "password.title", "", form)
	}
	if err != nil {
		return err
	}
	// SetPassword ends every session of the user; this one goes on under a
	// new token and the new epoch.
	if err := s.store.SetPassword(r.Context(), u.ID, hash, false); err != nil {
		return err
	}
	changed, err := s.store.UserByID(r.Context(), u.ID)
	if err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(r.Context())
	if err := s.store.RecordEvent(r.Context(), actor, "password_changed", "user", itoa(u.ID), "other sessions revoked"); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionEpoch, changed.SessionEpoch)
	s.flash(r, "password.changed")
	http.Redirect(w, r, homeOf(u.Role), http.StatusSeeOther)
	return nil
}
