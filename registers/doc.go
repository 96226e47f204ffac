// Package registers checks organisations against the public registers:
// the Charity Commission's Register of Charities API (England and Wales;
// subscription key in the Ocp-Apim-Subscription-Key header) and
// Companies House's Public Data API (HTTP Basic, the key as user name and
// an empty password). It owns the clients (plain net/http, a time-out per
// request), the Companies House rate limit (600 requests per 5 minutes),
// what each register's answer means (Result: passed, failed, not_run or
// error, with structured Details) and the cache in front of them
// (Checker). A register that cannot be asked (no key configured, a
// Scottish charity, which OSCR registers) gives not_run; one that cannot
// be reached, answers garbage, 5xx or 429 gives error; neither is ever
// passed. It imports no other package of the project.
package registers
