#!/usr/bin/env bash
# Runs each hostile-input fuzz target for FUZZTIME (default 2m), one after
# the other, against the private services bin/testenv gives (the API's
# target uses a real PostgreSQL). A target that finds a panic, a 5xx or a
# broken property fails the run and writes the input to its package's
# testdata/fuzz/<Target>/, which is then committed as a regression test.
# FUZZ_TARGETS="pkg:Target …" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-2m}
targets=${FUZZ_TARGETS:-"
./api:FuzzRequests
./app:FuzzDecodeStrict
./form:FuzzCheckAnswers
./form:FuzzValidateAnswer
./web:FuzzReadAnswers
./money:FuzzParsePounds
./app:FuzzCSVWriter
./opendata:FuzzJSONWriter
./payments:FuzzVerifyWebhook
./document:FuzzDetect
./document:FuzzUpload
"}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
	pkg=${t%%:*}
	name=${t##*:}
	start=$(date +%s)
	fuzz() { go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" >"$log" 2>&1; }
	# Go's fuzzing engine can stop with "context deadline exceeded" when
	# its time runs out while a loaded machine is still busy with it; that
	# found nothing (no input was written), so the target is run once more.
	if ! fuzz && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
		echo "fuzz $name: the engine ran out of time without a finding; running it again"
		fuzz || true
	fi
	if grep -q -E '^(--- FAIL|FAIL|panic:)' "$log"; then
		grep -v -E '^fuzz: elapsed: ' "$log" | grep -v 'level=' | tail -n 60 >&2
		echo "fuzz $name in $pkg FAILED; the input is in $pkg/testdata/fuzz/$name/" >&2
		exit 1
	fi
	last=$(grep -E '^fuzz: elapsed: .*execs' "$log" | tail -n 1 | sed 's/^fuzz: //')
	echo "fuzz $name ($pkg): no failure in $(( $(date +%s) - start ))s; $last"
done
