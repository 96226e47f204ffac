package form

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/civicgrants/grants/money"
)

// AnswerLines shows a stored answer as lines of text, for the summary
// lists of applications and reports and for CSV exports; nil when there
// is no answer. fileName names an uploaded document by its id.
func AnswerLines(q Question, raw json.RawMessage, fileName func(id string) string) []string {
	if IsEmptyAnswer(raw) {
		return nil
	}
	switch q.Type {
	case TypeText:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}
		}
	case TypeMoney:
		if n, _, whole := ParseInteger(raw); whole {
			return []string{money.Pounds(n)}
		}
	case TypeNumber:
		if n, _, whole := ParseInteger(raw); whole {
			return []string{strconv.FormatInt(n, 10)}
		}
	case TypeDate:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if t, err := time.Parse(DateLayout, s); err == nil {
				return []string{t.Format("2 January 2006")}
			}
			return []string{s}
		}
	case TypeYesNo:
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return []string{map[bool]string{true: "Yes", false: "No"}[b]}
		}
	case TypeChoice:
		label := func(v string) string {
			for _, o := range q.Options {
				if o.Value == v {
					return o.Label
				}
			}
			return v
		}
		if q.Multiple {
			var vs []string
			if json.Unmarshal(raw, &vs) == nil {
				out := make([]string, len(vs))
				for i, v := range vs {
					out[i] = label(v)
				}
				return out
			}
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{label(s)}
		}
	case TypeFile:
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{fileName(s)}
		}
	}
	return []string{string(raw)}
}
