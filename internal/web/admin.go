package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	rooms, err := s.store.Rooms(r.Context())
	if err != nil {
		return err
	}
	data := struct{ Users, Rooms, Acts int }{len(users), len(rooms), len(s.catalog.Acts())}
	return s.render(w, r, http.StatusOK, "admin", "admin.title", "admin", data)
}

// userForm is the new-account form, kept as typed when it is refused.
type userForm struct {
	Login, DisplayName, Email, Role string
	Errors                          []string
}

type usersPage struct {
	Users       []auth.User
	Roles       []auth.Role
	Form        userForm
	NewPassword string // shown once after creation or reset
	NewFor      string
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, usersPage{Form: userForm{Role: string(auth.Secretary)}})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, page usersPage) error {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	page.Users, page.Roles = users, auth.Roles
	return s.render(w, r, status, "users", "users.title", "admin", page)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	f := userForm{
		Login:       store.NormalizeLogin(r.PostFormValue("login")),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Email:       strings.TrimSpace(r.PostFormValue("email")),
		Role:        r.PostFormValue("role"),
	}
	if f.Login == "" || longerThanLimit("login", f.Login) || strings.ContainsAny(f.Login, " \t/") {
		f.Errors = append(f.Errors, l.T("users.bad_login", "Max", fieldLimit("login")))
	}
	if f.DisplayName == "" || longerThanLimit("display_name", f.DisplayName) {
		f.Errors = append(f.Errors, l.T("users.bad_name", "Max", fieldLimit("display_name")))
	}
	if f.Email != "" {
		if _, err := mail.ParseAddress(f.Email); err != nil {
			f.Errors = append(f.Errors, l.T("users.bad_email"))
		}
	}
	role, err := auth.ParseRole(f.Role)
	if err != nil {
		f.Errors = append(f.Errors, l.T("users.bad_role"))
	}
	if len(f.Errors) > 0 {
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{Form: f})
	}
	password := auth.GeneratePassword()
	hash, err := s.hashNew(w, r, password)
	if err != nil {
		return err
	}
	id, err := s.store.CreateUser(r.Context(), auth.User{Login: f.Login, DisplayName: f.DisplayName, Email: f.Email, Role: role, PasswordHash: hash, MustChangePassword: true})
	if errors.Is(err, store.ErrLoginTaken) {
		f.Errors = append(f.Errors, l.T("users.login_taken"))
		return s.renderUsers(w, r, http.StatusConflict, usersPage{Form: f})
	}
	if err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(r.Context())
	if err := s.store.RecordEvent(r.Context(), actor, "create", "user", itoa(id), "role="+string(role)); err != nil {
		return err
	}
	return s.renderUsers(w, r, http.StatusCreated, usersPage{Form: userForm{Role: string(auth.Secretary)}, NewPassword: password, NewFor: f.Login})
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if id == currentUser(r).ID {
		// It would end the session and show a one-time password without
		// asking the current one: a session left open would be enough to
		// take the account. The password change asks it.
		return errStatus(http.StatusConflict, "users.cannot_reset_self")
	}
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := s.hashNew(w, r, password)
	if err != nil {
		return err
	}
	// SetPassword also ends every session of the user.
	if err := s.store.SetPassword(r.Context(), id, hash, true); err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(r.Context())
	if err := s.store.RecordEvent(r.Context(), actor, "password_reset", "user", itoa(id), "sessions revoked"); err != nil {
		return err
	}
	return s.renderUsers(w, r, http.StatusOK, usersPage{Form: userForm{Role: string(auth.Secretary)}, NewPassword: password, NewFor: u.Login})
}

// hashNew hashes a generated password within the hashing bound.
func (s *Server) hashNew(w http.ResponseWriter, r *http.Request, password string) (string, error) {
	hash, err := s.hasher.Hash(r.Context(), password)
	if errors.Is(err, auth.ErrBusy) {
		s.retryAfter(w)
		return "", errStatus(http.StatusServiceUnavailable, "error.busy")
	}
	return hash, err
}

func (s *Server) setActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "true"
	if id == currentUser(r).ID && !active {
		return errStatus(http.StatusConflict, "users.cannot_disable_self")
	}
	// Disabling also ends every session of the user.
	if err := s.store.SetUserActive(r.Context(), id, active); err != nil {
		return err
	}
	actor, _ := audit.ActorFrom(r.Context())
	if err := s.store.RecordEvent(r.Context(), actor, "set_active", "user", itoa(id), "active="+strconv.FormatBool(active)); err != nil {
		return err
	}
	s.flash(r, "users.updated")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

type auditPage struct {
	Actor, Action, Entity, From, To, Patient string
	System                                   string // hide (default), all, only
	Actions, Entities                        []string
	Entries                                  []audit.Entry
	Older                                    string // query string of the next page, if any
	Errors                                   []string
}

const auditPageSize = 100

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	q := r.URL.Query()
	page := auditPage{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), Entity: q.Get("entity"),
		From: q.Get("from"), To: q.Get("to"), Patient: strings.TrimSpace(q.Get("patient")), System: q.Get("system"),
		Actions: auditActions, Entities: auditEntities}
	f := audit.Filter{Actor: store.NormalizeLogin(page.Actor), Action: page.Action, Entity: page.Entity, Limit: auditPageSize}
	// The server's own periodic actions (the outbox every 15 s) are left
	// out unless asked for: they would fill the first pages.
	switch page.System {
	case "all":
		f.System = audit.SystemAll
	case "only":
		f.System = audit.SystemOnly
	default:
		page.System, f.System = "hide", audit.SystemHide
	}
	if page.Actor != "" && strings.HasPrefix(page.Actor, "system:") {
		f.Actor = page.Actor
	}
	var err error
	if page.From != "" {
		if f.From, err = time.ParseInLocation(time.DateOnly, page.From, s.loc()); err != nil {
			page.Errors = append(page.Errors, l.T("audit.bad_from"))
		}
	}
	if page.To != "" {
		if f.To, err = time.ParseInLocation(time.DateOnly, page.To, s.loc()); err != nil {
			page.Errors = append(page.Errors, l.T("audit.bad_to"))
		}
		f.To = f.To.AddDate(0, 0, 1) // the "to" day is included
	}
	if !f.From.IsZero() && page.To != "" && !f.To.IsZero() && !f.From.Before(f.To) {
		page.Errors = append(page.Errors, l.T("audit.bad_period")) // an empty list would say nothing happened
	}
	if page.Patient != "" {
		if f.PatientID, err = strconv.ParseInt(page.Patient, 10, 64); err != nil || f.PatientID <= 0 {
			page.Errors = append(page.Errors, l.T("audit.bad_patient"))
		}
	}
	if before := q.Get("before"); before != "" {
		f.BeforeID, _ = strconv.ParseInt(before, 10, 64)
	}
	if len(page.Errors) > 0 {
		return s.render(w, r, http.StatusUnprocessableEntity, "audit", "audit.title", "admin", page)
	}
	if page.Entries, err = s.store.SearchAudit(r.Context(), f); err != nil {
		return err
	}
	if len(page.Entries) == auditPageSize {
		next := r.URL.Query()
		next.Set("before", itoa(page.Entries[len(page.Entries)-1].ID))
		page.Older = next.Encode()
	}
	return s.render(w, r, http.StatusOK, "audit", "audit.title", "admin", page)
}

// patientHome is the patient's landing page until the portal arrives.
func (s *Server) patientHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "patient_home", "patient_home.title", "espace", nil)
}
