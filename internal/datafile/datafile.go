// Package datafile reads the clinical data files every content package keeps
// (catalogue, screening, checklist, follow-up, act record): strict YAML, where
// a misspelt key is an error rather than a silent default, and the layering of
// the built-in files under a practice's own folder.
package datafile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"go.yaml.in/yaml/v3"
)

// Decode decodes YAML strictly: an unknown field is an error.
func Decode(data []byte, into any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	return nil
}

// Read decodes a file of layer strictly; found is false when it does not exist.
func Read(layer fs.FS, name string, into any) (found bool, err error) {
	data, err := fs.ReadFile(layer, name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, Decode(data, into)
}

// Layers returns the built-in files, then the practice's folder dir when it
// is not empty, with their names for messages; what names the data in errors
// ("screening folder …").
func Layers(builtin fs.FS, builtinName, what, dir string) ([]fs.FS, []string, error) {
	layers, names := []fs.FS{builtin}, []string{builtinName}
	if dir == "" {
		return layers, names, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%s folder %s: %w", what, dir, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("%s folder %s: not a directory", what, dir)
	}
	return append(layers, os.DirFS(dir)), append(names, dir), nil
}
