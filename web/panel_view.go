package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
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
			ans.Text = money.Pounds(n)
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
			return fmt.Sprintf("%s (%s to %s)", name, money.Pounds(t.MinPence), money.Pounds(t.MaxPence))
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
