// Package reads is the benchmark's reads scenario (issue 19): it seeds a
// round of many submitted and assessed applications in SQL, with a past
// round of as many awarded grants for the 360Giving export, then measures
// over HTTP what staff read at that size — an assessor's queue, the
// ranking (first and deep pages), the applications list with its filters —
// and runs `grants export 360giving` as a child process for its wall time
// and peak RSS. Targets are reported, never asserted.
package reads
