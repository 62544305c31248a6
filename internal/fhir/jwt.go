package fhir

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// JWK is a public key of a JSON Web Key Set, as RFC 7517 writes it.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	D   string `json:"d,omitempty"` // a private key: refused
}

// ParseJWKS reads a JWK Set (or a single JWK) of RS384 or ES384 public
// keys; the administrator's form shows its error.
func ParseJWKS(data []byte) ([]JWK, error) {
	var set struct {
		Keys []JWK `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, errors.New("not a JSON Web Key Set: " + err.Error())
	}
	if set.Keys == nil {
		var one JWK
		if err := json.Unmarshal(data, &one); err != nil || one.Kty == "" {
			return nil, errors.New(`not a JSON Web Key Set: give {"keys": [...]}`)
		}
		set.Keys = []JWK{one}
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("the key set has no key")
	}
	for i, k := range set.Keys {
		if k.D != "" {
			return nil, fmt.Errorf("key %d is a private key: register the public key only", i+1)
		}
		if _, err := k.publicKey(); err != nil {
			return nil, fmt.Errorf("key %d: %v", i+1, err)
		}
	}
	return set.Keys, nil
}

// publicKey decodes an RSA (2048 bits or more) or P-384 key.
func (k JWK) publicKey() (crypto.PublicKey, error) {
	b := func(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")) }
	switch k.Kty {
	case "RSA":
		n, err1 := b(k.N)
		e, err2 := b(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("an RSA key needs n and e in base64url")
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 {
			return nil, errors.New("an RSA key must have at least 2048 bits")
		}
		if k.Alg != "" && k.Alg != "RS384" {
			return nil, errors.New("an RSA key is used with RS384 here, not " + k.Alg)
		}
		return pub, nil
	case "EC":
		if k.Crv != "P-384" || k.Alg != "" && k.Alg != "ES384" {
			return nil, errors.New("an EC key must be on P-384, for ES384")
		}
		x, err1 := b(k.X)
		y, err2 := b(k.Y)
		if err1 != nil || err2 != nil || len(x) != 48 || len(y) != 48 {
			return nil, errors.New("an EC key needs x and y of 48 bytes in base64url")
		}
		pub := &ecdsa.PublicKey{Curve: elliptic.P384(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			return nil, errors.New("the EC point is not on P-384")
		}
		return pub, nil
	}
	return nil, errors.New("kty must be RSA or EC")
}

// assertionClaims are the claims SMART Backend Services requires.
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp int64           `json:"exp"`
	JTI string          `json:"jti"`
}

// audience tells whether aud (a string or a list) names url.
func (c assertionClaims) audience(url string) bool {
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return one == url
	}
	var list []string
	return json.Unmarshal(c.Aud, &list) == nil && len(list) == 1 && list[0] == url
}

// verifyAssertion checks a client's signed JWT: a registered client, one of
// its keys, the signature, iss = sub = the client, aud = the token
// endpoint, an exp in the next five minutes, a jti.
func (h *handler) verifyAssertion(ctx context.Context, jwt, tokenURL string) (BackendClient, assertionClaims, error) {
	var claims assertionClaims
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return BackendClient{}, claims, errors.New("the assertion is not a signed JWT")
	}
	var header struct {
		Alg, Kid, Typ, Jku string
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return BackendClient{}, claims, errors.New("the assertion's header cannot be read")
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return BackendClient{}, claims, errors.New("the assertion's claims cannot be read")
	}
	if header.Alg != "RS384" && header.Alg != "ES384" {
		return BackendClient{}, claims, errors.New("alg must be RS384 or ES384")
	}
	if header.Jku != "" {
		return BackendClient{}, claims, errors.New("jku is not supported: the keys are registered with the practice")
	}
	if claims.Iss == "" || claims.Iss != claims.Sub {
		return BackendClient{}, claims, errors.New("iss and sub must both be the client_id")
	}
	client, err := h.opts.Backend.BackendClient(ctx, claims.Sub)
	switch {
	case errors.Is(err, ErrInvalidToken):
		return BackendClient{}, claims, errors.New("unknown client " + claims.Sub)
	case err != nil:
		return BackendClient{}, claims, &internalError{err}
	case client.Expired:
		return BackendClient{}, claims, errors.New("the client's registration has expired")
	}
	keys, err := ParseJWKS(client.JWKS)
	if err != nil {
		return BackendClient{}, claims, errors.New("the client's registered keys are unusable")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return BackendClient{}, claims, errors.New("the signature is not base64url")
	}
	if !verifyWithAny(keys, header.Alg, header.Kid, []byte(parts[0]+"."+parts[1]), sig) {
		return BackendClient{}, claims, errors.New("the signature matches none of the client's registered keys")
	}
	now := h.opts.Now()
	exp := time.Unix(claims.Exp, 0)
	switch {
	case !claims.audience(tokenURL):
		return BackendClient{}, claims, errors.New("aud must be the token endpoint " + tokenURL)
	case !exp.After(now):
		return BackendClient{}, claims, errors.New("the assertion has expired")
	case exp.After(now.Add(maxAssertionLifetime + 30*time.Second)):
		return BackendClient{}, claims, errors.New("exp must be at most five minutes ahead")
	case claims.JTI == "" || len(claims.JTI) > 200:
		return BackendClient{}, claims, errors.New("a jti is required")
	}
	return client, claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// verifyWithAny checks the signature with the keys of the right kind (the
// key named by kid, when given).
func verifyWithAny(keys []JWK, alg, kid string, signed, sig []byte) bool {
	sum := sha512.Sum384(signed)
	for _, k := range keys {
		if kid != "" && k.Kid != kid {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			continue
		}
		switch key := pub.(type) {
		case *rsa.PublicKey:
			if alg == "RS384" && rsa.VerifyPKCS1v15(key, crypto.SHA384, sum[:], sig) == nil {
				return true
			}
		case *ecdsa.PublicKey:
			if alg == "ES384" && len(sig) == 96 &&
				ecdsa.Verify(key, sum[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:])) {
				return true
			}
		}
	}
	return false
}
