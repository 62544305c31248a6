package referral

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// IdentityCheck is how a person checked that a request from a referring
// physician concerns the record it is filed on, before confirming that
// record (identity vigilance: whoever ties a request to a record says how
// the identity was verified). Its labels are the message keys
// "refid.check.<value>".
type IdentityCheck string

const (
	// CheckedIDDocument: an identity document was seen at the reception.
	CheckedIDDocument IdentityCheck = "id_document"
	// CheckedPatientCalled: the patient was called.
	CheckedPatientCalled IdentityCheck = "patient_called"
	// CheckedReferrerCalled: the referring physician was called.
	CheckedReferrerCalled IdentityCheck = "referrer_called"
	// CheckedOther: another way, which the comment says.
	CheckedOther IdentityCheck = "other"
)

// IdentityChecks are the checks a confirmation may name, in the order a
// form offers them.
var IdentityChecks = []IdentityCheck{CheckedIDDocument, CheckedPatientCalled, CheckedReferrerCalled, CheckedOther}

// MaxIdentityComment is the longest comment of a confirmation, in characters.
const MaxIdentityComment = 500

// IdentityConfirmation is what a person states when confirming a request's
// record: how the identity was checked, and a comment (required when the
// check is CheckedOther, optional otherwise).
type IdentityConfirmation struct {
	Check   IdentityCheck
	Comment string
}

// Validate returns, per form field ("identity_check", "identity_comment"),
// the message key of what is wrong; a too-long comment's message takes
// MaxIdentityComment as "Max". The comment is read trimmed.
func (c IdentityConfirmation) Validate() map[string]string {
	problems := map[string]string{}
	if !slices.Contains(IdentityChecks, c.Check) {
		problems["identity_check"] = "identity.err.confirm_check"
	}
	comment := strings.TrimSpace(c.Comment)
	switch {
	case utf8.RuneCountInString(comment) > MaxIdentityComment:
		problems["identity_comment"] = ErrTooLong
	case comment == "" && c.Check == CheckedOther:
		problems["identity_comment"] = "identity.err.confirm_comment"
	}
	return problems
}

// Text is the confirmation as a referral's history keeps it (the reason of
// its event): the check, then ": " and the comment when there is one, e.g.
// "patient_called" or "other: seen at the consultation of 2 December".
func (c IdentityConfirmation) Text() string {
	if comment := strings.TrimSpace(c.Comment); comment != "" {
		return string(c.Check) + ": " + comment
	}
	return string(c.Check)
}

// ParseIdentityConfirmation reads a confirmation's Text back. A text that
// names no known check (a confirmation recorded before the check was asked,
// whose reason is empty, or one erased) gives no check and the text as the
// comment.
func ParseIdentityConfirmation(text string) IdentityConfirmation {
	check, comment, _ := strings.Cut(text, ": ")
	if c := IdentityCheck(check); slices.Contains(IdentityChecks, c) {
		return IdentityConfirmation{Check: c, Comment: comment}
	}
	return IdentityConfirmation{Comment: text}
}
