package fhir

import (
	"fmt"
	"net/http"
	"strings"
)

// InvalidError lists what is wrong in a received resource. Status is 400
// when the resource breaks FHIR's own rules (syntax, types, required
// elements, codes) and 422 when it breaks the practice's (an invalid INS,
// an unknown patient or act).
type InvalidError struct {
	Status int
	Issues []Issue
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", strings.Join(is.Expression, ","), is.Diagnostics)
	}
	return "fhir: invalid resource: " + b.String()
}

// Rejected is a received resource the practice's rules refuse (422).
func Rejected(issues []Issue) *InvalidError {
	return &InvalidError{Status: http.StatusUnprocessableEntity, Issues: issues}
}

func (e *InvalidError) add(expression, code, diagnostics string) {
	e.Issues = append(e.Issues, Issue{Severity: "error", Code: code, Diagnostics: diagnostics, Expression: []string{expression}})
}

// orNil returns nil when nothing was added, so callers can return it as an error.
func (e *InvalidError) orNil() error {
	if len(e.Issues) == 0 {
		return nil
	}
	return e
}

// Outcome is an OperationOutcome with one issue.
func Outcome(severity, code, diagnostics string, expression ...string) OperationOutcome {
	return OperationOutcome{ResourceType: "OperationOutcome",
		Issue: []Issue{{Severity: severity, Code: code, Diagnostics: diagnostics, Expression: expression}}}
}
