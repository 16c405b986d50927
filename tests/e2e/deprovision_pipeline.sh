#!/usr/bin/env bash
# daoctl deprovision end to end, happy paths against daoctl-sim with an HR CSV
# as the only source: 3 dismissed employees blocked at once with their sessions
# revoked, the grace period elapsing through --today, content transferred to
# the manager by a polled job, archive, rehire reactivating and cancelling the
# pending steps, an administrator's block never undone, staging changing
# nothing, ad hoc offboarding, and the audit log.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
N=40
write_hr() {  # write_hr FILE [tab=date ...]: employee i gets the dismissal date given for it
  local file=$1 i d
  shift
  declare -A dates=()
  for kv in "$@"; do dates[${kv%%=*}]=${kv#*=}; done
  {
    echo "tab,login,boss,fired"
    for ((i = 0; i < N; i++)); do
      d=${dates[$i]:-}
      printf 'T%03d,u%03d,%s,%s\n' "$i" "$i" "$([ "$i" -eq 0 ] || echo T000)" "$d"
    done
  } >"$file"
}
write_hr "$E2E_DIR/hr.csv"
cat >"$E2E_DIR/sync.yaml" <<'YAML'
version: 1
name: e2e-leavers
sources:
  hr:
    type: csv
    path: hr.csv
    key: tab
    dates: dd.MM.yyyy
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  displayName: "{hr.login}"
  manager: "{hr.boss}"
deprovision:
  dismissed_when:
    - "hr.fired | date('dd.MM.yyyy') <= today"
  now: [block, revoke_sessions, revoke_tokens]
  after_days: 30
  then: [remove_from_groups, remove_from_communities, {transfer_content: manager}, archive]
  timezone: Europe/Moscow
safety:
  max_deprovisions: 5
  max_deprovisions_percent: 10
YAML
job="$E2E_DIR/sync.yaml"
users_json() { "$DAOCTL_BIN" users list -o json; }
id_of() { users_json | jq -r --arg u "$1" '.[] | select(.userName == $u) | .id'; }

check "initial sync creates everyone" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-01
expect_eq "platform has $N users" "$(users_json | jq length)" "$N"
for u in u001 u002 u003 u004; do
  uid=$(id_of $u)
  for k in 1 2; do "$DAOCTL_BIN" api POST "/api/v1/users/$uid/sessions" -d '{"client":"web"}' >/dev/null; done
done
GROUP=$("$DAOCTL_BIN" groups create leavers-club -o json | jq -r .id)
"$DAOCTL_BIN" groups add-member "$GROUP" "$(id_of u001)" "$(id_of u002)" >/dev/null
# Content owned by u001..u003, seeded straight into the simulator's table.
sqlite3 "$E2E_DIR/sim/platform.db" "INSERT INTO owned_content(kind, title, owner_id) VALUES
  ('posts','a',$(id_of u001)),('posts','b',$(id_of u001)),('files','c',$(id_of u001)),('posts','d',$(id_of u002))"

# u004 is blocked by an administrator by hand: sync must never unblock it.
"$DAOCTL_BIN" users deactivate "$(id_of u004)" >/dev/null

# Three employees leave (dates up to today), one leaves next month.
write_hr "$E2E_DIR/hr.csv" 1=28.02.2025 2=01.03.2025 3=15.02.2025 5=01.04.2025
expect_exit 0 "deprovision plan" "$DAOCTL_BIN" deprovision plan -f "$job" --today 2025-03-01
expect_match "plan shows the block with its reason" "$OUT" "u001 \(id [0-9]+\) block, revoke_sessions, revoke_tokens: dismissed_when\[0\]"
expect_match "plan counts 3 blocks" "$OUT" "Plan: 3 to block, 0 to reactivate"
expect_no_match "the administrator's block is not undone" "$OUT" "u004.*reactivate"

before=$(users_json | jq -S '[.[] | {id, active}]')
check "staging apply" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 --staging
expect_eq "staging changed nothing" "$(users_json | jq -S '[.[] | {id, active}]')" "$before"
expect_eq "staging wrote staged audit lines" \
  "$(jq -s '[.[] | select(.result == "staged")] | length' "$DAOCTL_STATE_DIR/e2e-leavers.audit.jsonl")" "3"

check "deprovision apply blocks the three" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 \
  --audit-file "$E2E_DIR/audit-copy.jsonl"
expect_eq "3 more accounts blocked (plus the admin's)" "$(users_json | jq '[.[] | select(.active == false)] | length')" "4"
expect_eq "u005 (leaves next month) still active" "$(users_json | jq -r '.[] | select(.userName == "u005") | .active')" "true"
for u in u001 u002 u003; do
  expect_eq "$u sessions revoked" "$("$DAOCTL_BIN" api GET "/api/v1/users/$(id_of $u)/sessions" | jq '.items | length')" "0"
done
expect_eq "u004 (blocked by hand, not dismissed) is not in the ledger" \
  "$(jq '[.accounts[] | select(.userName == "u004")] | length' "$DAOCTL_STATE_DIR/e2e-leavers.deprovision.json")" "0"
expect_eq "audit: 3 ok blocks with who/why/when" \
  "$(jq -s '[.[] | select(.what == "block" and .result == "ok" and .who == "daoctl:e2e-leavers" and (.why | test("dismissed_when")) and (.when | test("Z$")))] | length' "$DAOCTL_STATE_DIR/e2e-leavers.audit.jsonl")" "3"
expect_eq "the --audit-file copy has the same blocks" \
  "$(jq -s '[.[] | select(.what == "block" and .result == "ok")] | length' "$E2E_DIR/audit-copy.jsonl")" "3"
expect_eq "each block's intent was recorded before it" \
  "$(jq -rs '[.[] | select(.what == "block") | .result] | join(",")' "$E2E_DIR/audit-copy.jsonl")" "intent,intent,intent,ok,ok,ok"
expect_eq "ledger records the grace clock" \
  "$(jq -r '.accounts[] | select(.userName == "u001") | .blocked_at' "$DAOCTL_STATE_DIR/e2e-leavers.deprovision.json")" "2025-03-01"

# Within the grace period nothing more happens.
check "apply on day 29" "$DAOCTL_BIN" deprovision plan -f "$job" --today 2025-03-30
expect_match "plan says they wait" "$OUT" "u001: in the grace period, .* due on 2025-03-31"
expect_eq "still in the group" "$("$DAOCTL_BIN" groups get "$GROUP" -o json | jq '.members | length')" "2"

# u002 is rehired: the HR row loses its dismissal date.
write_hr "$E2E_DIR/hr.csv" 1=28.02.2025 3=15.02.2025 5=01.04.2025
check "rehire run" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-20
expect_eq "u002 reactivated" "$(users_json | jq -r '.[] | select(.userName == "u002") | .active')" "true"
expect_eq "u004 stays blocked (the administrator's block)" "$(users_json | jq -r '.[] | select(.userName == "u004") | .active')" "false"
expect_match "audit says the pending steps were cancelled" \
  "$(jq -c 'select(.what == "reactivate")' "$DAOCTL_STATE_DIR/e2e-leavers.audit.jsonl")" 'pending steps cancelled: remove_from_groups'

# The grace period elapses (and u005's date arrives: blocked today).
check "apply after the grace period" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-04-01
expect_eq "u001 removed from the group, u002 (rehired) stays" \
  "$("$DAOCTL_BIN" groups get "$GROUP" -o json | jq -r '[.members[].value] | join(",")')" "$(id_of u002)"
boss=$(id_of u000)
expect_eq "u001's content moved to the manager" \
  "$(sqlite3 "$E2E_DIR/sim/platform.db" "SELECT count(*) FROM owned_content WHERE owner_id = $boss")" "3"
expect_eq "u002's content stayed (rehired)" \
  "$(sqlite3 "$E2E_DIR/sim/platform.db" "SELECT count(*) FROM owned_content WHERE owner_id = $(id_of u002)")" "1"
# Transfers of several leavers run concurrently, so job ids come in no fixed
# order: every transfer job succeeded, and the one of u001 moved its 2 posts.
transfers=$("$DAOCTL_BIN" api GET '/api/v1/jobs?kind=transfer')
expect_eq "every transfer job succeeded" "$(jq -r '[.items[] | select(.state != "succeeded")] | length' <<<"$transfers")" "0"
expect_eq "the transfer job of u001 moved its 2 posts" \
  "$(jq -r '[.items[] | .result.moved.posts] | index(2) != null' <<<"$transfers")" "true"
expect_match "communities skipped with a clear note" \
  "$(jq -c 'select(.what == "remove_from_communities")' "$DAOCTL_STATE_DIR/e2e-leavers.audit.jsonl" | head -n1)" '"result":"skipped".*communit'
expect_eq "u001 and u003 archived" \
  "$(jq -r '[.accounts[] | select(.state == "archived") | .userName] | sort | join(",")' "$DAOCTL_STATE_DIR/e2e-leavers.deprovision.json")" "u001,u003"
expect_eq "archived accounts stay blocked" "$(users_json | jq -r '.[] | select(.userName == "u001") | .active')" "false"
expect_eq "u005 blocked on its date" "$(users_json | jq -r '.[] | select(.userName == "u005") | .active')" "false"

# A full sync afterwards agrees and undoes nothing.
expect_exit 0 "sync plan sees no changes" "$DAOCTL_BIN" sync plan -f "$job" --today 2025-04-01 --detailed-exitcode

# Ad hoc offboarding and reactivation.
expect_exit 5 "ad hoc offboarding without --yes is refused" "$DAOCTL_BIN" deprovision user u010@corp.example
expect_eq "...and changed nothing" "$(users_json | jq -r '.[] | select(.userName == "u010") | .active')" "true"
sqlite3 "$E2E_DIR/sim/platform.db" "INSERT INTO owned_content(kind, title, owner_id) VALUES ('events','e',$(id_of u010))"
USER=mallory LOGNAME=mallory check "ad hoc offboarding" "$DAOCTL_BIN" deprovision user u010@corp.example --transfer-to u011 --yes -o json
REAL_USER=$(id -un)
expect_eq "audit: who is the effective user, not \$USER" \
  "$(jq -rs '[.[] | select(.what == "block" and (.who | test("mallory")))] | length' "$DAOCTL_STATE_DIR"/*.audit.jsonl)" "0"
expect_eq "audit: the ad hoc block names $REAL_USER" \
  "$(jq -rs '[.[] | select(.what == "block" and .result == "ok" and .object == "user u010")][0].who' "$DAOCTL_STATE_DIR"/*.audit.jsonl)" "$REAL_USER"
expect_eq "ad hoc: blocked and archived" "$(jq -r .state <<<"$OUT")" "archived"
expect_eq "ad hoc: content moved to u011" \
  "$(sqlite3 "$E2E_DIR/sim/platform.db" "SELECT count(*) FROM owned_content WHERE owner_id = $(id_of u011)")" "1"
check "reactivate what daoctl blocked" "$DAOCTL_BIN" deprovision reactivate u010
expect_eq "u010 active again" "$(users_json | jq -r '.[] | select(.userName == "u010") | .active')" "true"
expect_exit 5 "reactivate refuses an administrator's block" "$DAOCTL_BIN" deprovision reactivate u004 -f "$job" --today 2025-04-01
expect_match "the refusal says why" "$ERR" "daoctl did not block this account"
finish
