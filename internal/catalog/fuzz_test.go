package catalog

import (
	"io/fs"
	"os"
	"testing"
	"testing/fstest"
)

// FuzzActFile feeds arbitrary bytes as a practice's act file: loading must
// return an error or a valid catalogue, never panic.
func FuzzActFile(f *testing.F) {
	valid, err := os.ReadFile("testdata/valid/acts/test-act.yaml")
	if err != nil {
		f.Fatal(err)
	}
	sources, _ := os.ReadFile("testdata/valid/sources.yaml")
	f.Add(valid)
	f.Add([]byte("id: x\nslug: y\n"))
	f.Add([]byte("{{{"))
	f.Add([]byte("room_minutes: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		layer := fstest.MapFS{"sources.yaml": {Data: sources}, "acts/a.yaml": {Data: data}}
		c, err := LoadFS([]fs.FS{layer}, []string{"fuzz"})
		if err == nil && len(c.Acts()) != 1 {
			t.Fatalf("loaded without error but with %d acts", len(c.Acts()))
		}
	})
}
