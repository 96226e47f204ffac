package round

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written in JSON as a Go duration string such
// as "336h" or "90s". Numbers and strings time.ParseDuration rejects are JSON
// decoding errors.
type Duration struct {
	time.Duration
}

// Hours returns a Duration of n hours.
func Hours(n int64) Duration {
	return Duration{time.Duration(n) * time.Hour}
}

// MarshalJSON writes the duration in its shortest usual form: "336h", "1h30m",
// "90s" rather than time.Duration's "336h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// String formats the duration like time.Duration.String but without zero
// minutes and seconds: "336h", "1h30m", "45s", "1.5s".
func (d Duration) String() string {
	v := d.Duration
	if v < 0 {
		if v == -v { // the smallest duration has no positive counterpart
			return v.String()
		}
		return "-" + Duration{-v}.String()
	}
	if v == 0 || v%time.Second != 0 {
		return v.String()
	}
	var b strings.Builder
	if h := v / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
	}
	if m := v % time.Hour / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
	}
	if s := v % time.Minute / time.Second; s > 0 {
		b.WriteString(strconv.FormatInt(int64(s), 10) + "s")
	}
	return b.String()
}

// UnmarshalJSON reads a Go duration string. null leaves d unchanged.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[Duration]()}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use a Go duration such as \"336h\" or \"90m\"", s)
	}
	d.Duration = v
	return nil
}

func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "empty"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	case b[0] == '"':
		return "string"
	}
	return "number"
}
