// Package eligibility owns a round's eligibility questions and rules (DESIGN
// §4a): checking a manager's rule definitions and evaluating the rules against
// what is known about an application, its answers and its organisation.
//
// A rule compares one field, such as "organisation.annual_income_pence" or
// "answers.london_work", with a value using one of the operators eq, ne, in,
// not_in, lt, lte, gt, gte and present, and carries the reason shown when it
// fails. Evaluation is pure: the caller gathers the facts. Before submission
// (POST /eligibility) rules whose field is not yet known are listed as unknown;
// at submission every rule must pass.
package eligibility
