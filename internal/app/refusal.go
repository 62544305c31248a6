package app

import (
	"errors"
	"repere/internal/catalog"
	"repere/internal/i18n"
	"strings"
	"time"
)

// Reason is one reason a use case refused: a message key of the i18n
// catalogues and its arguments (name/value pairs).
type Reason struct {
	Key  string
	Args []any
	// Field names the form field the reason is about ("room_id",
	// "radiologist_id", "place_id", "anaesthesia_id", "time", "variant"),
	// so that a page shows it next to that field; "" for the whole form.
	Field string
}

// Refusal is a rule or a workflow guard saying no. It is not a failure: the
// entry point shows the reasons to its user in their language (a page keeps
// the form as typed, the API returns a structured error, the DICOM server a
// status) and nothing was changed.
type Refusal struct {
	Reasons []Reason
	// Invalid: something the user must give is missing or malformed (a
	// reason, a choice), rather than a rule refusing the action.
	Invalid bool
}

func (r *Refusal) Error() string {
	keys := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		keys[i] = x.Key
	}
	return "refused: " + strings.Join(keys, ", ")
}

// Has reports whether the refusal gives the reason key.
func (r *Refusal) Has(key string) bool {
	for _, x := range r.Reasons {
		if x.Key == key {
			return true
		}
	}
	return false
}

// refuse makes a refusal with one reason.
func refuse(key string, args ...any) *Refusal {
	return &Refusal{Reasons: []Reason{{Key: key, Args: args}}}
}

// invalid makes a refusal for an input the user must give or correct.
func invalid(key string, args ...any) *Refusal {
	r := refuse(key, args...)
	r.Invalid = true
	return r
}

// AsRefusal returns err's refusal, if it is one.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

// Messages renders a refusal's reasons in l's language.
func (a *App) Messages(r *Refusal, l *i18n.Localizer) []string {
	out := make([]string, 0, len(r.Reasons))
	for _, x := range r.Reasons {
		args := make([]any, len(x.Args))
		for i, v := range x.Args {
			args[i] = a.render(v, l)
		}
		out = append(out, l.T(x.Key, args...))
	}
	return out
}

// render says one argument of a refusal in l's language.
func (a *App) render(v any, l *i18n.Localizer) any {
	switch v := v.(type) {
	case DateArg:
		return l.Date(time.Time(v).In(a.loc))
	case TimeArg:
		t := time.Time(v).In(a.loc)
		return l.Date(t) + " " + l.Time(t)
	case MinutesArg:
		return l.Minutes(int(time.Duration(v).Round(time.Minute).Minutes()))
	case TextArg:
		return catalog.Text(v).In(l.Lang)
	case KeyArg:
		return l.T(string(v))
	}
	return v
}
