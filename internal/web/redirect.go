package web

import (
	"net/url"
	"strings"
	"unicode"
)

// maxRedirectLength bounds a redirect target taken from a request: a local
// page's path and query never need more.
const maxRedirectLength = 2048

// safeNext is the one check of every redirect target that comes from a
// request (the sign-in page's next, the back field of the day board, the
// booking and the cover forms): it returns the target when it is a path of
// this site, and "" otherwise, so the caller falls back to a page of its own.
//
// Browsers are lenient where an attacker wants them to be: they drop tabs and
// newlines anywhere in a URL, read a backslash as a slash and "//host" as
// another site, so "/\t/evil.example" or "/\\evil.example" leave the site.
// The target is refused when, as typed or once percent-decoded (a server or
// a proxy on the way may decode it), it holds a control character or a
// backslash, starts with "//", or has a scheme, a host or user information.
func safeNext(target string) string {
	if target == "" || len(target) > maxRedirectLength {
		return ""
	}
	s := target
	for decodings := 0; ; decodings++ {
		if !localPath(s) {
			return ""
		}
		decoded, err := url.PathUnescape(s)
		if err != nil {
			return ""
		}
		if decoded == s {
			return target
		}
		if decodings == 3 { // "%25252F": nobody types that
			return ""
		}
		s = decoded
	}
}

// localPath reports whether s is an absolute path of this origin with
// nothing a browser could read as another origin.
func localPath(s string) bool {
	if len(s) == 0 || s[0] != '/' || (len(s) > 1 && (s[1] == '/' || s[1] == '\\')) {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || r == unicode.ReplacementChar || (unicode.IsSpace(r) && r != ' ') {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// Dot segments are resolved by the browser: "/./" and "/../" never
	// make "//", but refuse them rather than reason about it.
	return !strings.HasPrefix(u.Path, "//") && !strings.Contains(u.Path, "/./") && !strings.Contains(u.Path, "/../") &&
		!strings.HasSuffix(u.Path, "/.") && !strings.HasSuffix(u.Path, "/..")
}
