package referral

import (
	"maps"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestIdentityConfirmationValidate(t *testing.T) {
	long := strings.Repeat("é", MaxIdentityComment+1)
	cases := []struct {
		name string
		c    IdentityConfirmation
		want map[string]string
	}{
		{"a check alone", IdentityConfirmation{Check: CheckedPatientCalled}, map[string]string{}},
		{"a check with a comment", IdentityConfirmation{Check: CheckedIDDocument, Comment: "CNI"}, map[string]string{}},
		{"other with a comment", IdentityConfirmation{Check: CheckedOther, Comment: "Vu en consultation"}, map[string]string{}},
		{"the longest comment", IdentityConfirmation{Check: CheckedOther, Comment: long[len("é"):]}, map[string]string{}},
		{"no check", IdentityConfirmation{}, map[string]string{"identity_check": "identity.err.confirm_check"}},
		{"an unknown check", IdentityConfirmation{Check: "guessed"}, map[string]string{"identity_check": "identity.err.confirm_check"}},
		{"other without a comment", IdentityConfirmation{Check: CheckedOther, Comment: "  "}, map[string]string{"identity_comment": "identity.err.confirm_comment"}},
		{"a comment too long", IdentityConfirmation{Check: CheckedReferrerCalled, Comment: long}, map[string]string{"identity_comment": ErrTooLong}},
		{"other, too long", IdentityConfirmation{Check: CheckedOther, Comment: long}, map[string]string{"identity_comment": ErrTooLong}},
	}
	for _, c := range cases {
		if got := c.c.Validate(); !maps.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestIdentityConfirmationText: what the history keeps reads back as the
// confirmation, its comment trimmed; an empty or unknown text (recorded
// before a check was asked, or erased) names no check.
func TestIdentityConfirmationText(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := IdentityConfirmation{Check: rapid.SampledFrom(IdentityChecks).Draw(t, "check"), Comment: rapid.String().Draw(t, "comment")}
		want := IdentityConfirmation{Check: c.Check, Comment: strings.TrimSpace(c.Comment)}
		if got := ParseIdentityConfirmation(c.Text()); got != want {
			t.Fatalf("%q reads back as %+v, want %+v", c.Text(), got, want)
		}
	})
	for _, text := range []string{"", "vu à l'accueil", "guessed: x"} {
		if got := ParseIdentityConfirmation(text); got != (IdentityConfirmation{Comment: text}) {
			t.Errorf("%q reads as %+v", text, got)
		}
	}
}
