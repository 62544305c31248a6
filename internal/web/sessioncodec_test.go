package web

import (
	"bytes"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestSessionCodecIsDeterministic: the same session gives the same bytes
// every time (scs.GobCodec's did not: a map's order), it reads back whole,
// and a session written by scs.GobCodec before is still read.
func TestSessionCodecIsDeterministic(t *testing.T) {
	deadline := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	values := map[string]any{"user_id": int64(7), "csrf": "abc", "lang": "fr", "epoch": int64(2), "flash": "ok", "next": "/staff"}
	first, err := sessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := sessionCodec{}.Encode(deadline, values)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, first) {
			t.Fatal("the same session encoded to different bytes")
		}
	}
	check := func(name string, b []byte) {
		t.Helper()
		d, got, err := sessionCodec{}.Decode(b)
		if err != nil || !d.Equal(deadline) || len(got) != len(values) {
			t.Fatalf("%s: %v %v %v", name, d, got, err)
		}
		for k, v := range values {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", name, k, got[k], v)
			}
		}
	}
	check("sorted", first)
	old, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	check("scs.GobCodec", old)
	if _, _, err := (sessionCodec{}).Decode([]byte("not a session")); err == nil {
		t.Error("garbage decoded as a session")
	}
}
