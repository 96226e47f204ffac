package form

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateLayout is the layout of a date answer, for time.Parse.
const DateLayout = "2006-01-02"

// MessageMissing is the start of the message for a required question without an answer.
const MessageMissing = "Answer this question"

// WordCount returns the number of words in s: runs of characters other than
// Unicode white space.
func WordCount(s string) int {
	return len(strings.Fields(s))
}

// IsNull reports whether raw is absent or the JSON literal null.
func IsNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// ParseInteger reads raw as a JSON number written as a whole number without
// a fraction or exponent (such as 1500 or -3) that fits in an int64. It
// reports whether raw is a JSON number at all and, when it is, whether it is
// such a whole number.
func ParseInteger(raw json.RawMessage) (n int64, isNumber, whole bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || (t[0] != '-' && (t[0] < '0' || t[0] > '9')) || !json.Valid(t) {
		return 0, false, false
	}
	n, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		return 0, true, false
	}
	return n, true, true
}

// ValidateAnswer checks one answer against its question and returns "" when
// it is acceptable, otherwise a short message. It checks the JSON type, ranges,
// word limits, dates and options; it does not check whether a required answer
// is present (see CheckAnswers). JSON null means "remove the answer" and is
// handled by the caller; ValidateAnswer accepts it.
func ValidateAnswer(q Question, raw json.RawMessage) string {
	if IsNull(raw) {
		return ""
	}
	if !json.Valid(raw) {
		return "Enter a valid answer"
	}
	switch q.Type {
	case TypeText:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "Enter text"
		}
		if q.MaxWords != nil && WordCount(s) > *q.MaxWords {
			return fmt.Sprintf("Use %d words or fewer", *q.MaxWords)
		}
	case TypeMoney:
		n, isNumber, whole := ParseInteger(raw)
		switch {
		case !isNumber:
			return "Enter an amount in pence"
		case !whole && isFraction(raw):
			return "Enter a whole number of pence"
		case !whole:
			return "Enter a smaller amount"
		case n < 0:
			return "Enter a whole number of pence of 0 or more"
		case q.Min != nil && n < *q.Min:
			return fmt.Sprintf("Enter an amount of %d pence or more", *q.Min)
		case q.Max != nil && n > *q.Max:
			return fmt.Sprintf("Enter an amount of %d pence or less", *q.Max)
		}
	case TypeNumber:
		n, isNumber, whole := ParseInteger(raw)
		switch {
		case !isNumber:
			return "Enter a number"
		case !whole && isFraction(raw):
			return "Enter a whole number"
		case !whole:
			return "Enter a smaller number"
		case q.Min != nil && n < *q.Min:
			return fmt.Sprintf("Enter a number of %d or more", *q.Min)
		case q.Max != nil && n > *q.Max:
			return fmt.Sprintf("Enter a number of %d or less", *q.Max)
		}
	case TypeDate:
		var s string
		if json.Unmarshal(raw, &s) != nil || len(s) != len(DateLayout) {
			return "Enter a date in the format YYYY-MM-DD"
		}
		if _, err := time.Parse(DateLayout, s); err != nil {
			return "Enter a real date in the format YYYY-MM-DD"
		}
	case TypeChoice:
		if q.Multiple {
			var vs []string
			if json.Unmarshal(raw, &vs) != nil {
				return "Choose one or more options"
			}
			seen := map[string]bool{}
			for _, v := range vs {
				if !q.hasOption(v) {
					return "Choose from the options given"
				}
				if seen[v] {
					return "Choose each option only once"
				}
				seen[v] = true
			}
			return ""
		}
		var v string
		if json.Unmarshal(raw, &v) != nil || !q.hasOption(v) {
			return "Choose one of the options given"
		}
	case TypeYesNo:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "Answer yes or no"
		}
	case TypeFile:
		var s string
		if json.Unmarshal(raw, &s) != nil || strings.TrimSpace(s) == "" {
			return "Upload a document"
		}
	default:
		return "This question cannot be answered"
	}
	return ""
}

// isFraction reports whether a JSON number that is not a plain int64 literal
// is written with a fraction or exponent, as opposed to being too large.
func isFraction(raw json.RawMessage) bool {
	return bytes.ContainsAny(raw, ".eE")
}

func (q Question) hasOption(v string) bool {
	for _, o := range q.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// IsEmptyAnswer reports whether raw counts as no answer for completeness:
// absent, null, a string of only white space, or an empty array.
func IsEmptyAnswer(raw json.RawMessage) bool {
	if IsNull(raw) {
		return true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s) == ""
	}
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) == nil {
		return len(a) == 0
	}
	return false
}

// CheckAnswers checks a set of answers against questions and returns errors
// keyed "answers.<key>". Keys that are not questions are "Unknown question";
// every non-null value must pass ValidateAnswer. When complete is true (at
// submission) every required question must also have a non-empty answer.
// The same function serves the draft save (complete false) and the submit
// check (complete true).
func CheckAnswers(qs []Question, answers map[string]json.RawMessage, complete bool) map[string]string {
	errs := map[string]string{}
	byKey := make(map[string]Question, len(qs))
	for _, q := range qs {
		byKey[q.Key] = q
	}
	for k, raw := range answers {
		q, ok := byKey[k]
		if !ok {
			errs["answers."+k] = "Unknown question"
			continue
		}
		if msg := ValidateAnswer(q, raw); msg != "" {
			errs["answers."+k] = msg
		}
	}
	if complete {
		for _, q := range qs {
			p := "answers." + q.Key
			if _, bad := errs[p]; bad || !q.Required {
				continue
			}
			if IsEmptyAnswer(answers[q.Key]) {
				errs[p] = MissingMessage(q)
			}
		}
	}
	return errs
}

// MissingMessage is the message for a required question left unanswered,
// naming the question by its title.
func MissingMessage(q Question) string {
	t := strings.TrimSpace(q.Title)
	if t == "" {
		return MessageMissing
	}
	return MessageMissing + ": " + t
}

// FileAnswers returns the document id given for each file question that has
// an answer, keyed by question key. Answers that are not non-empty strings are
// left out; CheckAnswers reports them.
func FileAnswers(qs []Question, answers map[string]json.RawMessage) map[string]string {
	ids := map[string]string{}
	for _, q := range qs {
		if q.Type != TypeFile {
			continue
		}
		raw, ok := answers[q.Key]
		if !ok || IsNull(raw) {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			ids[q.Key] = s
		}
	}
	return ids
}
