package datafile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadIsStrictAndLayersCheckTheFolder(t *testing.T) {
	var v struct {
		Name string `yaml:"name"`
	}
	layer := fstest.MapFS{"ok.yaml": {Data: []byte("name: x\n")}, "typo.yaml": {Data: []byte("nmae: x\n")}}
	if found, err := Read(layer, "ok.yaml", &v); !found || err != nil || v.Name != "x" {
		t.Fatalf("ok.yaml: %v %v %q", found, err, v.Name)
	}
	if found, err := Read(layer, "typo.yaml", &v); !found || err == nil || !strings.Contains(err.Error(), "invalid YAML") {
		t.Errorf("a misspelt key: %v %v", found, err)
	}
	if found, err := Read(layer, "absent.yaml", &v); found || err != nil {
		t.Errorf("absent file: %v %v", found, err)
	}
	dir := t.TempDir()
	if layers, names, err := Layers(layer, "built-in", "screening", dir); err != nil || len(layers) != 2 || names[1] != dir {
		t.Errorf("practice folder: %v %v", names, err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	if _, _, err := Layers(layer, "built-in", "screening", file); err == nil || !strings.Contains(err.Error(), "screening folder") {
		t.Errorf("a file given as folder: %v", err)
	}
	if layers, _, err := Layers(layer, "built-in", "screening", ""); err != nil || len(layers) != 1 {
		t.Errorf("no folder: %v", err)
	}
}
