package eligibility

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/civicgrants/grants/form"
)

// Facts is what is known about an application when the rules are evaluated.
// A field is known when its map has the key: Answers holds raw JSON answers
// (a JSON null counts as not given); Organisation and Application hold Go
// values such as string, int64, int, bool or json.Number, keyed by field name
// without the prefix (for example "annual_income_pence" or "partner_count").
// A nil value in Organisation or Application is known to be empty. Nil maps
// mean nothing is known.
type Facts struct {
	Answers      map[string]json.RawMessage
	Organisation map[string]any
	Application  map[string]any
}

// Result is the outcome of Evaluate, as returned by POST /eligibility and
// stored on an application. Reasons and Unknown are never nil.
type Result struct {
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons"`
	Unknown  []string `json:"unknown"`
}

// Evaluate applies every rule to the facts.
//
// A failing rule's reason is listed in Reasons. When a rule's field is not
// known, a non-strict evaluation (before submission) lists its reason in
// Unknown without counting against eligibility, while a strict evaluation (at
// submission) counts the rule as failed. Eligible is true when no rule fails.
// Each reason is listed once, in rule order.
//
// Numbers are compared exactly (no floating point rounding); text is compared
// ignoring case and surrounding white space; booleans by equality. A value of
// the wrong type fails the rule. When the field holds a list (a choice
// question with multiple answers), eq and in pass when any item matches and ne
// and not_in pass when none does. present passes when the field is known and
// is not null, blank text or an empty list.
func Evaluate(rules []Rule, f Facts, strict bool) Result {
	res := Result{Eligible: true, Reasons: []string{}, Unknown: []string{}}
	seenReason := map[string]bool{}
	seenUnknown := map[string]bool{}
	for _, r := range rules {
		fact, known := f.lookup(r.Field)
		if !known && !strict {
			if !seenUnknown[r.Reason] {
				seenUnknown[r.Reason] = true
				res.Unknown = append(res.Unknown, r.Reason)
			}
			continue
		}
		if known && passes(r, fact) {
			continue
		}
		res.Eligible = false
		if !seenReason[r.Reason] {
			seenReason[r.Reason] = true
			res.Reasons = append(res.Reasons, r.Reason)
		}
	}
	return res
}

// lookup finds a field's value. A field outside the known prefixes is never
// known, so it fails in strict mode and is unknown otherwise.
func (f Facts) lookup(field string) (value, bool) {
	switch {
	case strings.HasPrefix(field, PrefixAnswers):
		raw, ok := f.Answers[strings.TrimPrefix(field, PrefixAnswers)]
		if !ok || form.IsNull(raw) {
			return value{}, false
		}
		v, ok := parseJSON(raw)
		if !ok {
			return value{kind: kindOther}, true
		}
		return v, true
	case strings.HasPrefix(field, PrefixOrganisation):
		g, ok := f.Organisation[strings.TrimPrefix(field, PrefixOrganisation)]
		if !ok {
			return value{}, false
		}
		return fromGo(reflect.ValueOf(g)), true
	case strings.HasPrefix(field, PrefixApplication):
		g, ok := f.Application[strings.TrimPrefix(field, PrefixApplication)]
		if !ok {
			return value{}, false
		}
		return fromGo(reflect.ValueOf(g)), true
	}
	return value{}, false
}

// value is a fact or rule value reduced to JSON's types, with numbers kept
// exact.
type value struct {
	kind kind
	b    bool
	n    *big.Rat
	s    string
	list []value
}

func passes(r Rule, fact value) bool {
	if r.Op == OpPresent {
		switch fact.kind {
		case kindNull:
			return false
		case kindString:
			return strings.TrimSpace(fact.s) != ""
		case kindList:
			return len(fact.list) > 0
		}
		return true
	}
	want, ok := parseJSON(r.Value)
	if !ok {
		return false
	}
	switch r.Op {
	case OpEq, OpNe:
		if fact.kind == kindList {
			return contains(fact.list, want) == (r.Op == OpEq)
		}
		equal, comparable := compareEqual(fact, want)
		return comparable && equal == (r.Op == OpEq)
	case OpIn, OpNotIn:
		if want.kind != kindList {
			return false
		}
		if fact.kind == kindList {
			found := false
			for _, e := range fact.list {
				found = found || contains(want.list, e)
			}
			return found == (r.Op == OpIn)
		}
		anyComparable, anyEqual := false, false
		for _, e := range want.list {
			equal, comparable := compareEqual(fact, e)
			anyComparable = anyComparable || comparable
			anyEqual = anyEqual || (comparable && equal)
		}
		return anyComparable && anyEqual == (r.Op == OpIn)
	case OpLt, OpLte, OpGt, OpGte:
		if fact.kind != kindNumber || want.kind != kindNumber {
			return false
		}
		c := fact.n.Cmp(want.n)
		switch r.Op {
		case OpLt:
			return c < 0
		case OpLte:
			return c <= 0
		case OpGt:
			return c > 0
		default:
			return c >= 0
		}
	}
	return false
}

func contains(list []value, v value) bool {
	for _, e := range list {
		if equal, comparable := compareEqual(e, v); comparable && equal {
			return true
		}
	}
	return false
}

// compareEqual reports whether two scalars are equal and whether they could be
// compared at all (same type, and string, number or boolean).
func compareEqual(a, b value) (equal, comparable bool) {
	if a.kind != b.kind {
		return false, false
	}
	switch a.kind {
	case kindBool:
		return a.b == b.b, true
	case kindNumber:
		return a.n.Cmp(b.n) == 0, true
	case kindString:
		return strings.EqualFold(strings.TrimSpace(a.s), strings.TrimSpace(b.s)), true
	}
	return false, false
}

// parseJSON decodes raw JSON into a value, keeping numbers exact.
func parseJSON(raw json.RawMessage) (value, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var a any
	if err := dec.Decode(&a); err != nil {
		return value{}, false
	}
	if dec.More() {
		return value{}, false
	}
	return fromGo(reflect.ValueOf(a)), true
}

var numberType = reflect.TypeFor[json.Number]()

// fromGo converts a Go value (from encoding/json or from the caller's facts)
// into a value. Pointers are followed; anything that is not a JSON scalar or a
// slice of them is kindOther, which fails every comparison.
func fromGo(rv reflect.Value) value {
	if !rv.IsValid() {
		return value{kind: kindNull}
	}
	if rv.Type() == numberType {
		n, ok := parseNumber(rv.String())
		if !ok {
			return value{kind: kindOther}
		}
		return value{kind: kindNumber, n: n}
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return value{kind: kindNull}
		}
		return fromGo(rv.Elem())
	case reflect.Bool:
		return value{kind: kindBool, b: rv.Bool()}
	case reflect.String:
		return value{kind: kindString, s: rv.String()}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return value{kind: kindNumber, n: new(big.Rat).SetInt64(rv.Int())}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return value{kind: kindNumber, n: new(big.Rat).SetUint64(rv.Uint())}
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return value{kind: kindOther}
		}
		return value{kind: kindNumber, n: new(big.Rat).SetFloat64(f)}
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return value{kind: kindNull}
		}
		list := make([]value, rv.Len())
		for i := range list {
			list[i] = fromGo(rv.Index(i))
		}
		return value{kind: kindList, list: list}
	}
	return value{kind: kindOther}
}

// maxExponent bounds the exponent of a JSON number so that a hostile value
// such as 1e999999999 cannot make exact arithmetic expensive.
const maxExponent = 1000

// parseNumber parses a JSON number exactly.
func parseNumber(s string) (*big.Rat, bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			return nil, false
		}
	}
	n, ok := new(big.Rat).SetString(s)
	return n, ok
}
