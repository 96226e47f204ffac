package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/app"
)

// Limits on free text, as the workflows check them
// (workflows.MaxJustificationRunes and MaxReasonRunes); the web checks
// them first so the message can name the criterion.
const (
	panelMaxJustification = 5000
	panelMaxReason        = 2000
)

// panelSection is one section of an application's answers as staff read
// them.
type panelSection struct {
	Title   string
	Answers []panelAnswer
}

// panelAnswer is one question with its answer shown as text; a file
// answer links to its document.
type panelAnswer struct {
	Title   string
	Text    string
	DocID   string
	DocName string
	Missing bool
}

// panelAnswers lists the application's answers to the round's eligibility
// questions and then form sections, formatted for reading.
func panelAnswers(r app.Round, a app.Application) []panelSection {
	docs := map[string]string{}
	for _, d := range a.Documents {
		docs[d.ID] = d.Filename
	}
	var out []panelSection
	if qs := r.Eligibility.Questions; len(qs) > 0 {
		sec := panelSection{Title: "Eligibility"}
		for _, q := range qs {
			labels := map[string]string{}
			for _, o := range q.Options {
				labels[o.Value] = o.Label
			}
			sec.Answers = append(sec.Answers, panelAnswerOf(q.Title, q.Type, a.Answers[q.Key], labels, docs))
		}
		out = append(out, sec)
	}
	for _, s := range r.Form.Sections {
		sec := panelSection{Title: s.Title}
		for _, q := range s.Questions {
			labels := map[string]string{}
			for _, o := range q.Options {
				labels[o.Value] = o.Label
			}
			sec.Answers = append(sec.Answers, panelAnswerOf(q.Title, q.Type, a.Answers[q.Key], labels, docs))
		}
		out = append(out, sec)
	}
	return out
}

// panelAnswerOf formats one stored answer by its question type; anything
// it cannot read is shown as stored rather than hidden.
func panelAnswerOf(title, typ string, raw json.RawMessage, labels, docs map[string]string) panelAnswer {
	ans := panelAnswer{Title: title}
	t := strings.TrimSpace(string(raw))
	if t == "" || t == "null" {
		ans.Missing = true
		return ans
	}
	switch typ {
	case "text", "date", "file":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			break
		}
		switch typ {
		case "date":
			if d, err := time.Parse("2006-01-02", s); err == nil {
				s = d.Format("2 January 2006")
			}
		case "file":
			ans.DocID, ans.DocName = s, docs[s]
			if ans.DocName == "" {
				ans.DocName = "Document " + s
			}
		}
		ans.Text = s
		return ans
	case "money":
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			ans.Text = pounds(n)
			return ans
		}
	case "yes_no":
		switch t {
		case "true":
			ans.Text = "Yes"
			return ans
		case "false":
			ans.Text = "No"
			return ans
		}
	case "choice":
		var many []string
		if json.Unmarshal(raw, &many) != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				break
			}
			many = []string{one}
		}
		for i, v := range many {
			if l, ok := labels[v]; ok {
				many[i] = l
			}
		}
		ans.Text = strings.Join(many, ", ")
		return ans
	}
	ans.Text = t
	return ans
}

// panelTier describes an application's tier with its range.
func panelTier(r app.Round, tier *string) string {
	if tier == nil {
		return ""
	}
	for _, t := range r.Tiers {
		if t.Key == *tier {
			name := t.Title
			if name == "" {
				name = humanise(t.Key)
			}
			return fmt.Sprintf("%s (%s to %s)", name, pounds(t.MinPence), pounds(t.MaxPence))
		}
	}
	return humanise(*tier)
}

// panelTierRange is the inclusive range of the application's tier.
func panelTierRange(r app.Round, tier *string) (lo, hi int64, ok bool) {
	if tier == nil {
		return 0, 0, false
	}
	for _, t := range r.Tiers {
		if t.Key == *tier {
			return t.MinPence, t.MaxPence, true
		}
	}
	return 0, 0, false
}

// panelParsePounds reads an amount typed in pounds ("2500", "£2,500.50",
// "2500.5") into pence exactly, without floating point. It refuses
// fractions of a penny, signs and anything else.
func panelParsePounds(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "£"))
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || !panelDigits(whole) || (dot && (len(frac) < 1 || len(frac) > 2 || !panelDigits(frac))) {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100-1 {
		return 0, false
	}
	var p int64
	if dot {
		p, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			p *= 10
		}
	}
	return w*100 + p, true
}

func panelDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// panelPoundsInput shows pence in a form field: 2500 or 2500.50.
func panelPoundsInput(p int64) string {
	if p%100 == 0 {
		return strconv.FormatInt(p/100, 10)
	}
	return fmt.Sprintf("%d.%02d", p/100, p%100)
}

// panelDecidable reports whether an application still awaits a decision
// (and so may be moderated).
func panelDecidable(status string) bool {
	switch status {
	case app.StatusSubmitted, app.StatusInAssessment, app.StatusWaitlisted:
		return true
	}
	return false
}
