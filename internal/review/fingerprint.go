package review

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// fingerprint is a short hash of a row's content, its notes aside (a note
// reworded by an upgrade does not change the value decided on). Struct
// fields marshal in order and map keys sorted, so equal rows give equal
// fingerprints.
func fingerprint(row any) string {
	b, err := json.Marshal(row)
	if err != nil {
		panic(err) // rows are plain data
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		panic(err)
	}
	b, _ = json.Marshal(stripNotes(v))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func stripNotes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "Note")
		delete(x, "note")
		for k, e := range x {
			x[k] = stripNotes(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stripNotes(e)
		}
	}
	return v
}
