#!/usr/bin/env bash
# scim_third_party: `target: scim` against a SCIM 2.0 service that is not
# ours - SCIMMY (npm: scimmy + scimmy-routers, tests/tools/scim_server),
# mounted at /tenant/scim - straight and behind haproxy injecting 429s (with
# Retry-After) and 500s/503s. Checks: the base URL is used as given; a 404 on
# discovery names the URL tried; fields the service cannot store are a
# validate error; the department keeps its full path; a second run sends no
# write; missing_from_sources deactivates as on the platform target; and the
# run through faults ends in exactly the state of the clean run.
# The peer's npm packages are installed into a cache outside the repository;
# when they cannot be, this test FAILS (it never skips).
REAL_HOME=$HOME
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_haproxy.sh"

N=60
SCIM_TOKEN="scim-e2e-$RANDOM$RANDOM"
export SCIM_TOKEN

SCIM_DIR=$(HOME=$REAL_HOME "$DAOCTL_SOURCE_DIR/tests/tools/scim_server/install.sh" 2>"$E2E_DIR/install.err")
if [ -z "$SCIM_DIR" ] || [ ! -f "$SCIM_DIR/server.mjs" ]; then
  failed "install the SCIM peer from npm" "$(cat "$E2E_DIR/install.err")"
  finish
  exit 1
fi
pass "SCIM peer installed in $SCIM_DIR"

# start_scim NAME [--mount M]: exports SCIM_BASE (scheme://host:port) and SCIM_URL (with the mount).
start_scim() {
  local name=$1
  shift
  node "$SCIM_DIR/server.mjs" "$@" >"$E2E_DIR/scim-$name.log" 2>&1 &
  E2E_PIDS+=($!)
  SCIM_URL=$(wait_for_line "$E2E_DIR/scim-$name.log" 'http://127\.0\.0\.1:[0-9]+/[^ ]*' 30) || {
    failed "SCIM peer $name did not start" "$(cat "$E2E_DIR/scim-$name.log")"
    finish
    exit 1
  }
  SCIM_BASE=${SCIM_URL%/tenant/scim}
  SCIM_BASE=${SCIM_BASE%/scim/v2}
}

# The people: Company/Sales/EMEA etc., a manager chain, a team per five.
write_hr() {  # write_hr COUNT
  {
    echo "id,login,first,last,email,title,dept,boss,team"
    for ((i = 0; i < $1; i++)); do
      boss=""
      ((i > 0)) && boss="e$(((i - 1) / 4))"
      printf 'e%d,user%02d,Имя%d,Фамилия%d,user%02d@corp.example,Title %d,Sales/Region%d/Team%d,%s,team-%d\n' \
        "$i" "$i" "$i" "$i" "$i" $((i % 3)) $((i % 2)) $((i % 3)) "$boss" $((i % 5))
    done
  } >"$E2E_DIR/hr.csv"
}

write_job() {  # write_job [extra mapping lines]
  cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: e2e-scim
target: scim
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
  displayName: "{hr.first} {hr.last}"
  email: "{hr.email}"
  title: "{hr.title}"
  department: "{hr.dept}"
  manager: "{hr.boss}"
  employeeNumber: "{hr.id}"
$1
groups:
  from: hr.team
  name: value
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 20
  max_deprovisions_percent: 50
apply: {concurrency: 4}
YAML
}

# The service's state as stable text: users by externalId (manager and
# group members by externalId too), no server-assigned ids or times.
scim_state() {
  curl -fsS "$1/_state" | jq -cS '
    (.users | map({key: .id, value: .externalId}) | from_entries) as $ext
    | {users: (.users | map({externalId, userName, active, name, displayName, title,
          emails: [.emails[]?.value],
          department: .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].department,
          employeeNumber: .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].employeeNumber,
          manager: $ext[.["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value // ""]})
        | sort_by(.externalId)),
       groups: (.groups | map({displayName, members: ([.members[]?.value | $ext[.]] | sort)}) | sort_by(.displayName))}'
}
writes() { curl -fsS "$1/_stats" | jq '(.POST // 0) + (.PATCH // 0) + (.PUT // 0) + (.DELETE // 0)'; }

sync_cmd() { DAOCTL_URL=$1 DAOCTL_TOKEN=$SCIM_TOKEN DAOCTL_STATE_DIR="$E2E_DIR/state-$2" "$DAOCTL_BIN" "${@:3}"; }

write_hr "$N"
write_job ""

# --- fields the service cannot store: a validate error, not a nightly no-op
write_job "  hireDate: \"{hr.id}\"
  skills: \"{hr.team}\""
expect_exit 2 "validate: hireDate and skills on a scim target are job errors" \
  "$DAOCTL_BIN" sync validate -f "$E2E_DIR/sync.yaml"
expect_match "the error names the field and its position" "$ERR" 'sync.yaml:[0-9]+:[0-9]+: /mapping/hireDate: target scim cannot store hireDate'
expect_match "and every such field" "$ERR" '/mapping/skills: target scim cannot store skills'
write_job ""
check "validate: the plain job is fine" "$DAOCTL_BIN" sync validate -f "$E2E_DIR/sync.yaml"

# --- a clean run, straight to the service
start_scim clean --mount /tenant/scim
CLEAN_BASE=$SCIM_BASE
CLEAN_URL=$SCIM_URL
expect_match "the service is mounted under a tenant path" "$CLEAN_URL" '/tenant/scim$'

# A URL with no SCIM service behind it is a configuration error (exit 2,
# issue 19: a URL that is not the service is not "not found", 7).
expect_exit 2 "discovery at a wrong URL is a configuration error" sync_cmd "$CLEAN_BASE/nothing/here" clean sync plan -f "$E2E_DIR/sync.yaml"
expect_match "the 404 names the URL tried" "$ERR" "no SCIM service at $CLEAN_BASE/nothing/here/ServiceProviderConfig"

expect_exit 8 "plan against the URL as given" sync_cmd "$CLEAN_URL" clean sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
expect_match "the plan shows the stored department path" "$OUT" 'Sales/Region1/Team1'
check "apply, clean" sync_cmd "$CLEAN_URL" clean sync apply -f "$E2E_DIR/sync.yaml"
state=$(scim_state "$CLEAN_BASE")
expect_eq "every employee exists" "$(jq '.users | length' <<<"$state")" "$N"
expect_eq "the department keeps its whole path" \
  "$(jq -r '.users[] | select(.externalId == "e5") | .department' <<<"$state")" "Sales/Region1/Team2"
expect_eq "the manager is linked" "$(jq -r '.users[] | select(.externalId == "e5") | .manager' <<<"$state")" "e1"
expect_eq "groups hold their members" \
  "$(jq -c '.groups[] | select(.displayName == "team-0") | .members[0:3]' <<<"$state")" '["e0","e10","e15"]'

before=$(writes "$CLEAN_BASE")
expect_exit 0 "a second plan has no changes" sync_cmd "$CLEAN_URL" clean sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
check "a second apply" sync_cmd "$CLEAN_URL" clean sync apply -f "$E2E_DIR/sync.yaml"
expect_eq "a second run sends no write" "$(writes "$CLEAN_BASE")" "$before"

# --- the leaf only, when the job asks for it: the plan shows what is stored
sed -i 's/^groups:/departments: {scim_value: leaf}\ngroups:/' "$E2E_DIR/sync.yaml"
expect_exit 8 "scim_value: leaf plans the leaf" sync_cmd "$CLEAN_URL" clean sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
expect_match "as the stored value" "$OUT" '"Sales/Region1/Team2" -> "Team2"'
write_job ""

# --- missing from the sources: deactivated, as on the platform target
write_hr $((N - 3))
expect_exit 8 "three people left: the plan has changes" sync_cmd "$CLEAN_URL" clean sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
expect_match "they are deactivated, missing from the sources" "$OUT" 'missing from the sources'
check "apply the departures" sync_cmd "$CLEAN_URL" clean sync apply -f "$E2E_DIR/sync.yaml"
state=$(scim_state "$CLEAN_BASE")
expect_eq "the three are inactive on the service" \
  "$(jq -c '[.users[] | select(.active == false) | .externalId] | sort' <<<"$state")" '["e57","e58","e59"]'
before=$(writes "$CLEAN_BASE")
check "rerun after the departures" sync_cmd "$CLEAN_URL" clean sync apply -f "$E2E_DIR/sync.yaml"
expect_eq "which sends nothing" "$(writes "$CLEAN_BASE")" "$before"
CLEAN_STATE=$(scim_state "$CLEAN_BASE")

# --- the same runs through 429s and 5xx: the same end state
start_scim faulty --mount /tenant/scim
FAULTY_BASE=$SCIM_BASE
start_haproxy "$FAULTY_BASE" \
  "fe:http-request return status 429 hdr Retry-After 1 if { var(txn.n),mod(13) eq 4 }" \
  "fe:http-request return status 500 if { var(txn.n),mod(11) eq 6 }" \
  "fe:http-request deny deny_status 503 if { var(txn.n),mod(17) eq 9 }"
write_hr "$N"
check "apply through faults" sync_cmd "$PROXY_URL/tenant/scim" faulty sync apply -f "$E2E_DIR/sync.yaml" \
  --summary-file "$E2E_DIR/faulty.summary.json"
expect_match "retries happened" "$(jq -r '.http.retries' "$E2E_DIR/faulty.summary.json")" '^[1-9][0-9]*$'
write_hr $((N - 3))
check "apply the departures through faults" sync_cmd "$PROXY_URL/tenant/scim" faulty sync apply -f "$E2E_DIR/sync.yaml"
expect_eq "the end state equals the clean run's" "$(scim_state "$FAULTY_BASE")" "$CLEAN_STATE"
before=$(writes "$FAULTY_BASE")
check "a rerun through faults" sync_cmd "$PROXY_URL/tenant/scim" faulty sync apply -f "$E2E_DIR/sync.yaml"
expect_eq "sends no write" "$(writes "$FAULTY_BASE")" "$before"

# --- reads that fail past every retry: nothing changes, and the error says how to retry harder
stop_haproxy
start_haproxy "$CLEAN_BASE" \
  "fe:http-request return status 503 if { path_beg /tenant/scim/Users }"
write_hr "$N"
before=$(writes "$CLEAN_BASE")
started=$SECONDS
expect_exit 1 "reads failing past the retries fail the run" \
  sync_cmd "$PROXY_URL/tenant/scim" clean sync apply -f "$E2E_DIR/sync.yaml" --retries 3 --max-retry-wait 0.2
expect_match "after the attempts asked for" "$ERR" 'after 3 attempts'
expect_match "saying nothing changed and how to raise the retries" "$ERR" 'nothing was changed.*--retries N --max-retry-wait'
expect_eq "the backoff stays within the longest wait asked for" "$(((SECONDS - started) < 15))" "1"
expect_eq "and nothing was written" "$(writes "$CLEAN_BASE")" "$before"
sed -i 's/^apply: {concurrency: 4}/apply: {concurrency: 4, retries: {attempts: 2, max_wait: 0.1}}/' "$E2E_DIR/sync.yaml"
expect_exit 1 "the job's apply.retries is used without flags" \
  sync_cmd "$PROXY_URL/tenant/scim" clean sync plan -f "$E2E_DIR/sync.yaml"
expect_match "after the job's attempts" "$ERR" 'after 2 attempts'
# A Retry-After longer than the longest wait is not waited for at all: that
# request fails at once, naming both, and saying which setting to raise.
stop_haproxy
start_haproxy "$CLEAN_BASE" \
  "fe:http-request return status 503 hdr Retry-After 30 if { path_beg /tenant/scim/Users }"
started=$SECONDS
expect_exit 1 "a Retry-After past the longest wait fails the read" \
  sync_cmd "$PROXY_URL/tenant/scim" clean sync plan -f "$E2E_DIR/sync.yaml" --max-retry-wait 0.2
expect_match "naming the asked and the allowed wait" "$ERR" 'retry after 30 s, longer than the 0.2 s'
expect_match "and the setting to raise" "$ERR" 'max-retry-wait'
expect_eq "without waiting the 30 s" "$(((SECONDS - started) < 15))" "1"
expect_eq "and nothing was written" "$(writes "$CLEAN_BASE")" "$before"

finish
