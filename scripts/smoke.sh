#!/usr/bin/env bash
# Walks the applicant's first loop against a running stack with curl only:
# register, sign in, create an organisation, draft, save twice (the second
# with a stale version: 409), upload a document, submit, and wait for the
# eligibility check to put the application in_assessment.
#   scripts/smoke.sh [base-url]      (default http://127.0.0.1:8080)
set -euo pipefail
base=${1:-http://127.0.0.1:8080}/api/v1
email="smoke-$(date +%s)-$RANDOM@example.org"
password="smoke-test-password"

# field NAME: the first string or number value of "NAME" in the JSON on stdin.
field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" | head -n1; }
call() { # method path [curl args...] -> $body and $status
  local method=$1 path=$2; shift 2
  local out; out=$(curl -sS -w '\n%{http_code}' -X "$method" "$base$path" "$@")
  status=${out##*$'\n'}; body=${out%$'\n'*}
}
expect() { if [ "$status" != "$1" ]; then echo "FAIL: $2: expected $1, got $status" >&2; exit 1; fi; echo "ok   $2 ($status)"; }
json=(-H 'Content-Type: application/json')

call POST /auth/register "${json[@]}" -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Smoke Test\"}"
expect 201 "register"
call POST /auth/login "${json[@]}" -d "{\"email\":\"$email\",\"password\":\"$password\"}"
token=$(field token <<<"$body")
expect 200 "sign in"
auth=(-H "Authorization: Bearer $token")

call GET '/rounds?status=open&programme=roots-incubator'
round=$(field id <<<"$body")
expect 200 "find the open Roots Incubator round"
call POST /organisations "${auth[@]}" "${json[@]}" -d '{"name":"Smoke Test Kitchen","legal_form":"charity",
  "charity_number":"1187342","borough":"Southwark","address":{"line1":"1 Example Street","town":"London","postcode":"SE1 7PB"},
  "annual_income_pence":8400000}'
org=$(field id <<<"$body")
expect 201 "create an organisation"
call POST /applications "${auth[@]}" "${json[@]}" -d "{\"round_id\":\"$round\",\"organisation_id\":\"$org\"}"
app=$(field id <<<"$body")
expect 201 "start a draft"

answers='{"london_work":true,"partnership":true,"not_for_profit":true,
 "partnership_summary":"A community kitchen working with a pensioners centre and a food bank.",
 "community_led":"Our members and volunteers are older people from Bermondsey.",
 "theme":"older_people","area":"south",
 "project_summary":"Weekly cooking clubs and shared lunches for 40 older people.",
 "need":"Older people in Bermondsey are isolated and many skip meals.",
 "start_date":"2027-04-01","people_reached":40,"total_cost":450000,
 "budget_summary":"Food, hall hire and a part-time coordinator.",
 "delivery_plan":"Weekly sessions from April, reviewed every quarter."}'
call PATCH "/applications/$app" "${auth[@]}" "${json[@]}" -d "{\"version\":1,\"tier\":\"micro\",\"requested_pence\":400000,
  \"partners\":[{\"name\":\"Southwark Pensioners Centre\"}],\"answers\":$answers}"
expect 200 "save (version 1)"
call PATCH "/applications/$app" "${auth[@]}" "${json[@]}" -d '{"version":1,"requested_pence":300000}'
expect 409 "save with a stale version"

printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "${TMPDIR:-/tmp}/smoke-budget.pdf"
call POST "/applications/$app/documents" "${auth[@]}" -F "file=@${TMPDIR:-/tmp}/smoke-budget.pdf"
expect 201 "upload a document"

call POST "/applications/$app/submit" "${auth[@]}"
if [ "$status" = 422 ]; then echo "$body" >&2; fi
expect 202 "submit"

for _ in $(seq 1 50); do
  call GET "/applications/$app" "${auth[@]}"
  state=$(field status <<<"$body")
  case $state in in_assessment|ineligible) break ;; esac
  sleep 0.2
done
echo "     application $app is $state"
[ "$state" = in_assessment ] || { echo "FAIL: expected in_assessment" >&2; exit 1; }
echo "smoke test passed"
