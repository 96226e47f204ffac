// Package form owns the definition of application and report forms: sections
// of typed questions, the checks a manager's form definition must pass, and the
// checks an applicant's answers must pass.
//
// Forms are plain data. Answers are kept as raw JSON keyed by question key, so
// a draft can be saved with some answers missing and checked for completeness
// only at submission. Every check returns a map from the JSON path a client
// sees (for example "form.sections[0].questions[1].max_words" or
// "answers.summary") to a short, human message; an empty map means no
// problems.
//
// The package does no I/O: whether a file answer names a real document, or
// whether a programme exists, is checked by the caller.
package form
