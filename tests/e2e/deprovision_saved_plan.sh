#!/usr/bin/env bash
# A saved plan never deactivates someone the sources now list as active:
# rows missing from the HR export when `sync plan --out` ran and restored
# before `sync apply --plan` make apply refuse the whole plan as stale
# (exit 5, nothing changed, every stale person named); a plan whose
# deactivations still hold is carried out. Also: a manual offboarding
# (`deprovision user X -f job`) sticks through the nightly sync until
# `deprovision reactivate X`, and its audit line names the person.
source "$(dirname "$0")/lib.sh"
export LC_ALL=C
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
N=60
write_hr() {  # write_hr FILE FIRST_MISSING LAST_MISSING
  local file=$1 from=${2:--1} to=${3:--1} i
  {
    echo "tab,login"
    for ((i = 0; i < N; i++)); do
      ((i >= from && i <= to)) && continue
      printf 'T%03d,u%03d\n' "$i" "$i"
    done
  } >"$file"
}
write_hr "$E2E_DIR/hr.csv"
cat >"$E2E_DIR/sync.yaml" <<'YAML'
version: 1
name: e2e-saved
sources:
  hr: {type: csv, path: hr.csv, key: tab}
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  displayName: "{hr.login}"
deprovision:
  dismissed_when: [missing_from_sources]
  now: [block, revoke_sessions]
  after_days: 30
  then: [archive]
safety:
  max_deprovisions: 100
  max_deprovisions_percent: 100
YAML
job="$E2E_DIR/sync.yaml"
users_json() { "$DAOCTL_BIN" users list -o json; }
inactive() { users_json | jq '[.[] | select(.active == false)] | length'; }
active_of() { users_json | jq -r --arg u "$1" '.[] | select(.userName == $u) | .active'; }
check "initial sync" "$DAOCTL_BIN" sync apply -f "$job"

# 1. Rows 10..19 are missing at plan time (a truncated export) ...
write_hr "$E2E_DIR/hr.csv" 10 19
check "plan with rows missing" "$DAOCTL_BIN" sync plan -f "$job" --out "$E2E_DIR/plan.json"
expect_eq "the plan deactivates the 10" "$(jq '[.users[] | select(.action == "deactivate")] | length' "$E2E_DIR/plan.json")" "10"
expect_eq "the plan file is 0600" "$(stat -c %a "$E2E_DIR/plan.json")" "600"
# ... and are back before apply.
write_hr "$E2E_DIR/hr.csv"
expect_exit 5 "apply --plan refuses the stale plan" "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan.json" \
  --summary-file "$E2E_DIR/summary.json"
expect_match "the refusal says the plan is stale" "$ERR" 'the plan is stale: 10 planned deactivation\(s\) no longer hold'
expect_match "the refusal names the people" "$ERR" 'u010 \(id [0-9]+, planned: missing from the sources\)'
expect_eq "nobody was blocked" "$(inactive)" "0"
expect_eq "the summary says safety_stop" "$(jq -r .status "$E2E_DIR/summary.json")" "safety_stop"
expect_eq "nothing in the ledger" "$(jq '.accounts | length' "$DAOCTL_STATE_DIR/e2e-saved.deprovision.json" 2>/dev/null || echo 0)" "0"

# 2. Half of them come back: still stale, still nothing done.
write_hr "$E2E_DIR/hr.csv" 10 14
expect_exit 5 "a partly restored source: refused" "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan.json"
expect_match "5 stale" "$ERR" 'the plan is stale: 5 planned'
expect_eq "still nobody blocked" "$(inactive)" "0"

# 3. The sources still agree with the plan: it is carried out.
write_hr "$E2E_DIR/hr.csv" 10 19
check "apply --plan whose deactivations hold" "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan.json"
expect_eq "the 10 are blocked" "$(inactive)" "10"
expect_eq "and in the ledger" "$(jq '[.accounts[] | select(.state == "blocked")] | length' "$DAOCTL_STATE_DIR/e2e-saved.deprovision.json")" "10"
write_hr "$E2E_DIR/hr.csv"
check "restored: sync reactivates them" "$DAOCTL_BIN" sync apply -f "$job"
expect_eq "all active again" "$(inactive)" "0"

# 4. A manual offboarding sticks.
# Run as root through sudo, the person is $SUDO_USER; otherwise the login of
# the real uid - never $USER, which anyone can set.
if [ "$(id -u)" = 0 ]; then me=alice; else me=$(id -un); fi
check "deprovision user u030 -f job" env SUDO_USER=alice USER=spoofed \
  "$DAOCTL_BIN" deprovision user u030 -f "$job" --reason "left for a competitor" --yes
expect_eq "u030 blocked" "$(active_of u030)" "false"
expect_match "deprovision user says what it did in a sentence" "$OUT" '^Offboarded u030 \(id [^)]+\): now [a-z_]+(; done: [a-z_, ]+|; the staged steps are due [0-9-]+)?\.$'
expect_no_match "...not raw JSON" "$OUT" '[][{}"]'
expect_eq "the ledger says an administrator ($me) blocked it" \
  "$(jq -r '.accounts[] | select(.userName == "u030") | .blocked_by' "$DAOCTL_STATE_DIR/e2e-saved.deprovision.json")" "manual:$me"
expect_eq "the audit line names the real user, not the job or \$USER" \
  "$(jq -rs '[.[] | select(.what == "block" and .result == "ok" and .object == "user u030")][0].who' "$DAOCTL_STATE_DIR/e2e-saved.audit.jsonl")" "$me"
check "nightly sync (HR still lists u030)" "$DAOCTL_BIN" sync apply -f "$job"
expect_eq "u030 stays blocked" "$(active_of u030)" "false"
check "and the next one" "$DAOCTL_BIN" deprovision apply -f "$job"
expect_eq "u030 still blocked" "$(active_of u030)" "false"
check "the staged steps go on for it after the grace period" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2099-01-01
expect_eq "u030 archived" "$(jq -r '.accounts[] | select(.userName == "u030") | .state' "$DAOCTL_STATE_DIR/e2e-saved.deprovision.json")" "archived"
check "deprovision reactivate u030" "$DAOCTL_BIN" deprovision reactivate u030 -f "$job"
expect_eq "u030 active" "$(active_of u030)" "true"
check "a sync afterwards" "$DAOCTL_BIN" sync apply -f "$job"
expect_eq "u030 stays active" "$(active_of u030)" "true"
finish
