package fhir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// Client is another system allowed to call the API, with its SMART-style
// system scopes: "system/Patient.read", "system/ServiceRequest.write",
// "system/*.read", "system/*.*"; SMART v2 letters are understood too
// ("system/Patient.rs", "system/ServiceRequest.c").
type Client struct {
	ID     string
	Name   string
	Scopes []string
}

// Authenticator finds the client a bearer token belongs to. It returns
// ErrInvalidToken for an unknown or revoked token and ErrExpiredToken for an
// expired one (401); any other error is a failure of its own (500).
type Authenticator interface {
	Authenticate(ctx context.Context, bearerToken string) (Client, error)
}

// ErrInvalidToken is returned by an Authenticator for a token it does not accept.
var ErrInvalidToken = errors.New("fhir: invalid bearer token")

// ErrExpiredToken is returned by an Authenticator for a known token past its
// expiry (401, saying so, so the other system's operator asks for a new one).
var ErrExpiredToken = errors.New("fhir: expired bearer token")

// Tokens is a fixed token table: the key is HashToken(token), so a
// configuration file holds no usable secret.
type Tokens map[string]Client

// HashToken is the key of a token in Tokens (hex SHA-256).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate looks the token up by its hash.
func (t Tokens) Authenticate(_ context.Context, token string) (Client, error) {
	if token == "" {
		return Client{}, ErrInvalidToken
	}
	c, ok := t[HashToken(token)]
	if !ok {
		return Client{}, ErrInvalidToken
	}
	return c, nil
}

// Access is what an interaction needs from a scope.
type Access string

const (
	Read  Access = "read"  // read and search
	Write Access = "write" // create
)

// Allows tells whether one of the client's scopes grants access to the resource type.
func (c Client) Allows(resourceType string, access Access) bool {
	for _, s := range c.Scopes {
		if scopeAllows(s, resourceType, access) {
			return true
		}
	}
	return false
}

func scopeAllows(scope, resourceType string, access Access) bool {
	rest, ok := strings.CutPrefix(scope, "system/")
	if !ok {
		return false
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || (typ != "*" && typ != resourceType) {
		return false
	}
	switch perm {
	case "*":
		return true
	case "read", "write":
		return perm == string(access)
	}
	// SMART v2: a subset of "cruds" in that order; read and search both
	// count as read here, create as write.
	if perm == "" || !isSubsequence(perm, "cruds") {
		return false
	}
	if access == Read {
		return strings.ContainsAny(perm, "rs")
	}
	return strings.Contains(perm, "c")
}

func isSubsequence(s, of string) bool {
	for _, r := range s {
		i := strings.IndexRune(of, r)
		if i < 0 {
			return false
		}
		of = of[i+1:]
	}
	return true
}

type clientKey struct{}

// ClientFrom returns the client calling the API, for the store's audit.
func ClientFrom(ctx context.Context) (Client, bool) {
	c, ok := ctx.Value(clientKey{}).(Client)
	return c, ok
}

func withClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}
