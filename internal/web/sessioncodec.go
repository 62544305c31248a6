package web

import (
	"bytes"
	"encoding/gob"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes sessions like scs.GobCodec, but with the values in
// the order of their keys: gob writes a map in Go's random order, so the
// same session gave different bytes from one request to the next, and the
// session store (store.SessionStore) could not tell an unchanged session,
// whose write it skips, from a changed one. Sessions written by
// scs.GobCodec before are still read.
type sessionCodec struct{}

// sessionFormat marks the sorted encoding (scs.GobCodec's has no Format).
const sessionFormat = 2

type sortedSession struct {
	Format   int
	Deadline time.Time
	Keys     []string
	Values   []any
}

func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	s := sortedSession{Format: sessionFormat, Deadline: deadline, Keys: make([]string, 0, len(values))}
	for k := range values {
		s.Keys = append(s.Keys, k)
	}
	slices.Sort(s.Keys)
	for _, k := range s.Keys {
		s.Values = append(s.Values, values[k])
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var s sortedSession
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil || s.Format != sessionFormat || len(s.Keys) != len(s.Values) {
		return scs.GobCodec{}.Decode(b)
	}
	values := make(map[string]any, len(s.Keys))
	for i, k := range s.Keys {
		values[k] = s.Values[i]
	}
	return s.Deadline, values, nil
}
