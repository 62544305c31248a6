package web

import (
	"context"
	"errors"
	"math"
	"net/http"
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
// password, so response times do not tell which accounts exist.
var dummyHash, _ = auth.HashPassword("not-a-real-password")

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l := localizer(r)
	form := loginForm{Login: strings.TrimSpace(r.PostFormValue("login")), Next: safeNext(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	if form.Login == "" || password == "" {
		form.Error = l.T("login.missing")
		return s.render(w, r, http.StatusUnprocessableEntity, "login", "login.title", "login", form)
	}
	loginKey, addrKey := "login:"+store.NormalizeLogin(form.Login), "addr:"+remoteAddr(r)
	if wait, err := s.lockRemaining(ctx, loginKey, addrKey); err != nil {
		return err
	} else if wait > 0 {
		form.Error = l.T("login.locked", "Minutes", int(math.Ceil(wait.Minutes())))
		return s.render(w, r, http.StatusTooManyRequests, "login", "login.title", "login", form)
	}
	u, err := s.store.UserByLogin(ctx, form.Login)
	hash := u.PasswordHash
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		hash = dummyHash
	}
	ok, verr := auth.VerifyPassword(hash, password)
	if verr != nil {
		s.log.Error("unreadable password hash", "user", u.ID)
	}
	actor := audit.Actor{UserID: u.ID, Login: u.Login, Role: string(u.Role), RemoteAddr: remoteAddr(r)}
	if err != nil || !ok || !u.Active {
		if _, err := s.store.RecordLoginFailure(ctx, loginKey, auth.FreeFailures); err != nil {
			return err
		}
		if _, err := s.store.RecordLoginFailure(ctx, addrKey, auth.FreeFailuresPerAddr); err != nil {
			return err
		}
		actor.Login = "anonymous"
		if err := s.store.RecordEvent(ctx, actor, "login_failed", "user", "", "login="+store.NormalizeLogin(form.Login)); err != nil {
			return err
		}
		form.Error = l.T("login.failed")
		return s.render(w, r, http.StatusUnauthorized, "login", "login.title", "login", form)
	}
	if err := s.store.ClearLoginFailures(ctx, loginKey); err != nil {
		return err
	}
	// A new session token at sign-in defeats session fixation.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Remove(ctx, sessionCSRF)
	s.sessions.Put(ctx, sessionUserID, u.ID)
	if err := s.store.RecordEvent(ctx, actor, "login", "user", itoa(u.ID), ""); err != nil {
		return err
	}
	next := form.Next
	if u.MustChangePassword {
		next = "/password"
	} else if next == "" {
		next = homeOf(u.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) lockRemaining(ctx context.Context, keys ...string) (time.Duration, error) {
	var wait time.Duration
	for _, k := range keys {
		until, err := s.store.LockedUntil(ctx, k)
		if err != nil {
			return 0, err
		}
		if d := until.Sub(s.now()); d > wait {
			wait = d
		}
	}
	return wait, nil
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
	if ok, _ := auth.VerifyPassword(u.PasswordHash, current); !ok {
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
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.ID, hash, false); err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(r.Context())
	if err := s.store.RecordEvent(r.Context(), actor, "password_changed", "user", itoa(u.ID), ""); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.flash(r, "password.changed")
	http.Redirect(w, r, homeOf(u.Role), http.StatusSeeOther)
	return nil
}
