package booking

import (
	"crypto/rand"
	"math/big"
)

// NewStudyInstanceUID returns a UID derived from a random UUID (PS3.5
// B.2), so the practice needs no registered root. Keep it with the booking:
// the images of the act will carry it.
func NewStudyInstanceUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // never fails (crypto/rand)
	b[6] = b[6]&0x0F | 0x40 // version 4
	b[8] = b[8]&0x3F | 0x80 // variant RFC 4122
	return "2.25." + new(big.Int).SetBytes(b[:]).String()
}
