// Package equality owns equality monitoring: the DEI Data Standard's
// taxonomy (the codelist in taxonomy.csv, with labels, parents and
// children), the shape of an organisation's answers for its leadership,
// its mission and the people its project is for, their validation, and
// the standard's "led by" rule (see LedBy).
//
// The answers are personal-adjacent data kept apart from assessment: this
// package knows nothing of applications, and app stores the answers in
// their own table that no assessment, panel or ranking query reads.
package equality
