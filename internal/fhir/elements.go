package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// Unknown elements: a received resource holding an element this server
// does not keep is refused (400, the element named), rather than recorded
// without it: FHIR lets a server reject content it does not support, and a
// sender must not believe something was kept that was not. What a reader
// may safely ignore is accepted: meta, text (narrative), language, and
// extensions (modifier extensions are refused: they change the meaning).

// ignorable are the elements accepted anywhere in a resource without being kept.
var ignorable = []string{"id", "extension"}

// ignorableTop are those accepted at the resource's top level.
var ignorableTop = []string{"resourceType", "meta", "text", "language"}

// checkElements refuses the elements of body that v's type does not hold.
func checkElements(body []byte, v any, typ string) error {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil // decode reports it
	}
	bad := &InvalidError{Status: http.StatusBadRequest}
	walkElements(doc, reflect.TypeOf(v), typ, true, bad)
	slices.SortFunc(bad.Issues, func(a, b Issue) int { return strings.Compare(a.Expression[0], b.Expression[0]) })
	return bad.orNil()
}

func walkElements(doc any, t reflect.Type, path string, top bool, bad *InvalidError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if list, ok := doc.([]any); ok && t.Elem().Kind() != reflect.Uint8 {
			for _, item := range list {
				walkElements(item, t.Elem(), path, false, bad)
			}
		}
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFields(t)
		for name, value := range obj {
			if top && slices.Contains(ignorableTop, name) {
				continue
			}
			if ft, ok := fields[name]; ok {
				walkElements(value, ft, path+"."+name, false, bad)
				continue
			}
			base := strings.TrimPrefix(name, "_") // a primitive's id and extensions
			if _, ok := fields[base]; ok && base != name || slices.Contains(ignorable, name) {
				continue
			}
			bad.add(path+"."+name, "structure", fmt.Sprintf("%s.%s is not an element this server keeps: it would be lost, so the resource is refused (see /fhir/metadata)", path, name))
		}
	}
}

// jsonFields maps a struct's JSON names to their types, embedded structs included.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if f.Type == reflect.TypeOf(json.RawMessage{}) {
			out[name] = reflect.TypeOf("") // kept whole
			continue
		}
		out[name] = f.Type
	}
	return out
}
