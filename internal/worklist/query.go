package worklist

import (
	"fmt"
	"strings"

	"repere/internal/dimse"
)

// query is a compiled C-FIND identifier: what to match and what to return.
// It is built once per request and applied to every item.
type query struct {
	keys     []returnKey
	matchers []func(it *Item) bool
	// unsupported is set when a key we do not know carries a value: it is
	// ignored for matching and the responses say so (status FF01).
	unsupported bool
}

// returnKey is one key of the answer, in the order of the identifier.
type returnKey struct {
	tag  dimse.Tag
	vr   dimse.VR
	attr *attribute // nil for a key we do not hold: returned empty
	// For sequences: sub is the shape of the query's item; nil with attr
	// set means the query sent an empty sequence and gets every attribute.
	sub *query
}

// invalidQuery is an identifier that does not fit the worklist model.
func invalidQuery(tag dimse.Tag, format string, args ...any) error {
	return &dimse.StatusError{
		Status:    dimse.StatusIdentifierDoesNotMatch,
		Comment:   fmt.Sprintf(format, args...),
		Offending: []dimse.Tag{tag},
	}
}

// compileQuery reads an identifier (or a sequence item of one) against the
// attributes of its level.
func compileQuery(identifier *dimse.Dataset, attrs level, cs dimse.Charset) (*query, error) {
	q := &query{}
	combined, err := combinedStart(identifier, attrs, cs)
	if err != nil {
		return nil, err
	}
	if combined != nil {
		q.matchers = append(q.matchers, combined)
	}
	for _, el := range identifier.Elements() {
		if el.Tag == dimse.TagSpecificCharacterSet || el.Tag.Element() == 0 || el.Tag.Group()%2 == 1 {
			continue // answered by us; group lengths; private tags
		}
		attr := attrs.find(el.Tag)
		if err := q.addKey(el, attr, cs, combined != nil); err != nil {
			return nil, err
		}
	}
	return q, nil
}

func (q *query) addKey(el *dimse.Element, attr *attribute, cs dimse.Charset, startHandled bool) error {
	key := returnKey{tag: el.Tag, vr: el.VR, attr: attr}
	switch {
	case attr == nil:
		if value := el.String(cs); value != "" && value != "*" {
			q.unsupported = true
		}
		if key.vr == "" || key.vr == dimse.UN {
			key.vr = dimse.LookupVR(el.Tag)
		}
	case attr.seq != nil:
		key.vr = dimse.SQ
		if err := q.addSequence(&key, el, cs); err != nil {
			return err
		}
	default:
		key.vr = attr.vr
		if len(el.Items) > 0 {
			return invalidQuery(el.Tag, "%s is not a sequence", el.Tag)
		}
		isStart := el.Tag == dimse.TagSPSStartDate || el.Tag == dimse.TagSPSStartTime
		if !(isStart && startHandled) {
			m, err := compileMatcher(attr, el.String(cs))
			if err != nil {
				return invalidQuery(el.Tag, "%s: %v", el.Tag, err)
			}
			if m != nil {
				q.matchers = append(q.matchers, m)
			}
		}
	}
	q.keys = append(q.keys, key)
	return nil
}

// addSequence applies sequence matching (PS3.4 C.2.2.2.6): the query's
// single item holds the keys to match inside the sequence.
func (q *query) addSequence(key *returnKey, el *dimse.Element, cs dimse.Charset) error {
	if len(el.Value) > 0 {
		return invalidQuery(el.Tag, "%s must be a sequence", el.Tag)
	}
	switch len(el.Items) {
	case 0:
		return nil // universal: the whole sequence is returned
	case 1:
	default:
		return invalidQuery(el.Tag, "%s must hold one item in a query", el.Tag)
	}
	sub, err := compileQuery(el.Items[0], key.attr.seq.attributes, cs)
	if err != nil {
		return err
	}
	key.sub = sub
	q.unsupported = q.unsupported || sub.unsupported
	if len(sub.matchers) > 0 {
		present := key.attr.seq.present
		q.matchers = append(q.matchers, func(it *Item) bool {
			return present(it) && sub.matches(it)
		})
	}
	return nil
}

func (q *query) matches(it *Item) bool {
	for _, m := range q.matchers {
		if !m(it) {
			return false
		}
	}
	return true
}

// answer builds the response identifier for a matching item: the keys of
// the query, in its order and shape, with the item's values.
func (q *query) answer(it *Item, cs dimse.Charset) *dimse.Dataset {
	ds := dimse.NewDataset()
	for _, key := range q.keys {
		ds.Set(key.element(it, cs))
	}
	return ds
}

func (key *returnKey) element(it *Item, cs dimse.Charset) *dimse.Element {
	switch {
	case key.attr == nil && key.vr == dimse.SQ:
		return dimse.NewSequence(key.tag)
	case key.attr == nil:
		return &dimse.Element{Tag: key.tag, VR: key.vr}
	case key.attr.seq == nil:
		return dimse.NewText(key.tag, key.vr, truncate(key.attr.text(it), key.vr), cs)
	case !key.attr.seq.present(it):
		return dimse.NewSequence(key.tag)
	case key.sub != nil:
		return dimse.NewSequence(key.tag, key.sub.answer(it, cs))
	}
	return dimse.NewSequence(key.tag, fullAnswer(key.attr.seq.attributes, it, cs))
}

// fullAnswer returns every attribute of a level, for a sequence the query
// asked for with no item.
func fullAnswer(attrs level, it *Item, cs dimse.Charset) *dimse.Dataset {
	ds := dimse.NewDataset()
	for i := range attrs {
		key := returnKey{tag: attrs[i].tag, vr: attrs[i].vr, attr: &attrs[i]}
		ds.Set(key.element(it, cs))
	}
	return ds
}

// maxCharacters are the VR length limits of PS3.5 6.2 that a console may
// enforce; longer values are cut rather than rejected by the console.
var maxCharacters = map[dimse.VR]int{
	dimse.AE: 16, dimse.CS: 16, dimse.SH: 16, dimse.LO: 64, dimse.PN: 64,
	dimse.DS: 16, dimse.DA: 8, dimse.TM: 16, dimse.UI: 64, dimse.LT: 10240, dimse.ST: 1024,
}

// truncate applies the limit to each value of a multi-valued string.
func truncate(value string, vr dimse.VR) string {
	limit, ok := maxCharacters[vr]
	if !ok || len(value) <= limit {
		return value
	}
	values := strings.Split(value, `\`)
	for i, v := range values {
		if runes := []rune(v); len(runes) > limit {
			values[i] = string(runes[:limit])
		}
	}
	return strings.Join(values, `\`)
}
