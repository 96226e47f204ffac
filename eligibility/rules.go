package eligibility

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicgrants/grants/form"
)

// Operators a rule may use.
const (
	OpEq      = "eq"
	OpNe      = "ne"
	OpIn      = "in"
	OpNotIn   = "not_in"
	OpLt      = "lt"
	OpLte     = "lte"
	OpGt      = "gt"
	OpGte     = "gte"
	OpPresent = "present"
)

// Ops lists every operator in the order they are described to users.
var Ops = []string{OpEq, OpNe, OpIn, OpNotIn, OpLt, OpLte, OpGt, OpGte, OpPresent}

// Field prefixes and the fields a rule may name besides answers.
const (
	PrefixAnswers      = "answers."
	PrefixOrganisation = "organisation."
	PrefixApplication  = "application."

	FieldPartnerCount   = "application.partner_count"
	FieldRequestedPence = "application.requested_pence"
)

// OrganisationFields lists the organisation fields a rule may name (after
// "organisation."), each with whether it is a number (true) or text (false).
var OrganisationFields = map[string]bool{
	"legal_form":          false,
	"annual_income_pence": true,
	"borough":             false,
	"charity_number":      false,
	"company_number":      false,
	"name":                false,
}

// ApplicationFields lists the application fields a rule may name (after
// "application."); both are numbers.
var ApplicationFields = map[string]bool{
	"partner_count":   true,
	"requested_pence": true,
}

// Rules is a round's "eligibility" object: questions asked before the form,
// whose answers are stored with the form's answers, and the rules evaluated
// against them. Both may be empty.
type Rules struct {
	Questions []form.Question `json:"questions"`
	Rules     []Rule          `json:"rules"`
}

// MarshalJSON writes empty lists as [] rather than null.
func (r Rules) MarshalJSON() ([]byte, error) {
	type plain Rules
	p := plain(r)
	if p.Questions == nil {
		p.Questions = []form.Question{}
	}
	if p.Rules == nil {
		p.Rules = []Rule{}
	}
	return json.Marshal(p)
}

// Rule is one eligibility rule: Field compared with Value by Op. Reason is
// shown to the applicant when the rule fails. Value is omitted for present.
type Rule struct {
	Field  string          `json:"field"`
	Op     string          `json:"op"`
	Value  json.RawMessage `json:"value,omitempty"`
	Reason string          `json:"reason"`
}

// kind is the JSON type of a field or value.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindList
	kindOther
)

func (k kind) message() string {
	switch k {
	case kindBool:
		return "Enter true or false"
	case kindNumber:
		return "Enter a number"
	default:
		return "Enter text"
	}
}

// fieldKind returns the kind of value a field holds and whether the field is
// one a rule may name. questions are the eligibility and form questions.
func fieldKind(field string, questions map[string]form.Question) (kind, bool, string) {
	switch {
	case strings.HasPrefix(field, PrefixOrganisation):
		numeric, ok := OrganisationFields[strings.TrimPrefix(field, PrefixOrganisation)]
		if !ok {
			return 0, false, "Use one of the organisation fields: legal_form, annual_income_pence, borough, charity_number, company_number, name"
		}
		if numeric {
			return kindNumber, true, ""
		}
		return kindString, true, ""
	case strings.HasPrefix(field, PrefixApplication):
		if _, ok := ApplicationFields[strings.TrimPrefix(field, PrefixApplication)]; !ok {
			return 0, false, "Use application.partner_count or application.requested_pence"
		}
		return kindNumber, true, ""
	case strings.HasPrefix(field, PrefixAnswers):
		q, ok := questions[strings.TrimPrefix(field, PrefixAnswers)]
		if !ok {
			return 0, false, "No eligibility or form question has this key"
		}
		switch q.Type {
		case form.TypeMoney, form.TypeNumber:
			return kindNumber, true, ""
		case form.TypeYesNo:
			return kindBool, true, ""
		case form.TypeText, form.TypeDate, form.TypeChoice, form.TypeFile:
			return kindString, true, ""
		default:
			// The question itself is reported; skip checks on the value.
			return kindOther, true, ""
		}
	case strings.TrimSpace(field) == "":
		return 0, false, "Enter a field"
	}
	return 0, false, "Use organisation.<field>, answers.<question key>, application.partner_count or application.requested_pence"
}

// Validate checks the eligibility definition. Questions must pass
// form.ValidateQuestions and must not reuse the key of a form question. Each
// rule must name a known field (an organisation field, an answer to an
// eligibility or form question, or an application field), use a known
// operator, give a value of the right shape for the operator and field (none
// for present, a non-empty list for in and not_in, a number for lt, lte, gt and
// gte), and give a reason. prefix is the JSON path of the object, such as
// "eligibility"; formQuestions are the round's form questions.
func (r Rules) Validate(prefix string, formQuestions []form.Question) map[string]string {
	qp := form.Join(prefix, "questions")
	errs := form.ValidateQuestions(qp, r.Questions)
	questions := map[string]form.Question{}
	for _, q := range formQuestions {
		questions[q.Key] = q
	}
	for i, q := range r.Questions {
		kp := fmt.Sprintf("%s[%d].key", qp, i)
		if _, clash := questions[q.Key]; clash {
			if _, ok := errs[kp]; !ok {
				errs[kp] = "A form question already uses this key"
			}
		}
	}
	for _, q := range r.Questions {
		if _, ok := questions[q.Key]; !ok {
			questions[q.Key] = q
		}
	}

	rp := form.Join(prefix, "rules")
	for i, rule := range r.Rules {
		p := fmt.Sprintf("%s[%d]", rp, i)
		fk, fieldOK, msg := fieldKind(rule.Field, questions)
		if !fieldOK {
			errs[p+".field"] = msg
		}
		if strings.TrimSpace(rule.Reason) == "" {
			errs[p+".reason"] = "Enter the reason shown when this rule fails"
		}
		if msg := validateValue(rule, fk, fieldOK); msg != "" {
			if strings.HasPrefix(msg, "op:") {
				errs[p+".op"] = strings.TrimPrefix(msg, "op:")
			} else {
				errs[p+".value"] = msg
			}
		}
	}
	return errs
}

// validateValue checks a rule's op and value. A message starting "op:" is
// about the operator.
func validateValue(rule Rule, fk kind, fieldOK bool) string {
	fieldOK = fieldOK && fk != kindOther
	known := false
	for _, op := range Ops {
		known = known || rule.Op == op
	}
	if !known {
		return "op:Choose an operator: " + strings.Join(Ops, ", ")
	}
	if rule.Op == OpPresent {
		return ""
	}
	if form.IsNull(rule.Value) {
		return "Enter a value"
	}
	v, ok := parseJSON(rule.Value)
	if !ok {
		return "Enter a valid JSON value"
	}
	switch rule.Op {
	case OpIn, OpNotIn:
		if v.kind != kindList || len(v.list) == 0 {
			return "Enter a list of one or more values"
		}
		for _, e := range v.list {
			switch {
			case e.kind != kindString && e.kind != kindNumber && e.kind != kindBool:
				return "Enter a list of text, numbers or true and false"
			case fieldOK && e.kind != fk:
				return fk.message() + " in each item of the list"
			}
		}
	case OpLt, OpLte, OpGt, OpGte:
		if fieldOK && fk != kindNumber {
			return "op:Use lt, lte, gt and gte only with money and number fields"
		}
		if v.kind != kindNumber {
			return "Enter a number"
		}
	default:
		if v.kind != kindString && v.kind != kindNumber && v.kind != kindBool {
			return "Enter text, a number, true or false"
		}
		if fieldOK && v.kind != fk {
			return fk.message()
		}
	}
	return ""
}
