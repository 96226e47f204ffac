package app

import "encoding/json"

// Optional is a JSON field whose absence, null and value a PATCH body must
// tell apart.
type Optional[T any] struct {
	Set   bool // the key was present
	Null  bool // its value was null
	Value T
}

// UnmarshalJSON records presence; encoding/json calls it only for keys
// present in the object, null included.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
