#!/usr/bin/env bash
# A block is on record before it can be lost: deprovision apply and sync
# apply are killed with SIGKILL, SIGTERM and SIGINT at several points of
# blocking 30 leavers on a slow platform (daoctl-sim --latency). Right after
# each kill, every account blocked on the platform has a ledger entry and an
# audit line (the intent, written and fsynced before the request); the rerun
# reconciles intents with the platform; a SIGTERM/SIGINT still writes the
# summary and metrics (status interrupted, exit 130); and when the rows come
# back, sync reactivates exactly the accounts daoctl blocked - never the one
# an administrator blocked by hand.
source "$(dirname "$0")/lib.sh"
export LC_ALL=C
start_sim --latency 60
export DAOCTL_STATE_DIR="$E2E_DIR/state"
N=60
write_hr() {  # write_hr FILE FIRST_MISSING LAST_MISSING: rows FIRST..LAST are left out
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
name: e2e-kill
sources:
  hr: {type: csv, path: hr.csv, key: tab}
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  displayName: "{hr.login}"
deprovision:
  dismissed_when: [missing_from_sources]
  now: [block, revoke_sessions, revoke_tokens]
  after_days: 30
  then: [remove_from_groups, archive]
safety:
  max_deprovisions: 100
  max_deprovisions_percent: 100
apply: {concurrency: 2}
YAML
job="$E2E_DIR/sync.yaml"
LEDGER="$DAOCTL_STATE_DIR/e2e-kill.deprovision.json"
AUDIT="$DAOCTL_STATE_DIR/e2e-kill.audit.jsonl"
users_json() { "$DAOCTL_BIN" users list -o json; }
id_of() { users_json | jq -r --arg u "$1" '.[] | select(.userName == $u) | .id'; }

check "initial sync creates everyone" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-01
expect_eq "platform has $N users" "$(users_json | jq length)" "$N"
# An administrator blocks u005 by hand; its row stays in the sources.
ADMIN_BLOCKED=$(id_of u005)
"$DAOCTL_BIN" users deactivate "$ADMIN_BLOCKED" >/dev/null

LEAVER_IDS=$(users_json | jq -r '.[] | select(.userName >= "u010" and .userName <= "u039") | .id')
# Every leaver gets a live session: a block is login disabled AND sessions revoked.
open_sessions() {  # ten at a time; waits for its own children only (not the sim)
  local uid pids=()
  for uid in $LEAVER_IDS; do
    "$DAOCTL_BIN" api POST "/api/v1/users/$uid/sessions" -d '{"client":"web"}' >/dev/null &
    pids+=($!)
    if ((${#pids[@]} == 10)); then wait "${pids[@]}"; pids=(); fi
  done
  ((${#pids[@]})) && wait "${pids[@]}"
  return 0
}
live_sessions() {
  local uid total=0 k
  for uid in $LEAVER_IDS; do
    k=$("$DAOCTL_BIN" api GET "/api/v1/users/$uid/sessions" | jq '.items | length')
    total=$((total + k))
  done
  echo "$total"
}

# blocked_ids: ids of the accounts blocked on the platform, but the administrator's.
blocked_ids() { users_json | jq -r --arg a "$ADMIN_BLOCKED" '[.[] | select(.active == false and .id != $a) | .id] | sort | .[]'; }
# on_record: ids with a ledger entry (any state) and an audit line (intent or outcome).
ledger_ids() { [ -f "$LEDGER" ] && jq -r '[.accounts[].id] | sort | .[]' "$LEDGER"; }
audit_ids() { [ -f "$AUDIT" ] && jq -rs '[.[] | select(.what == "block") | .id] | unique | sort | .[]' "$AUDIT"; }

# kill_during SIGNAL WHEN CMD...: starts CMD, waits until its intents are on
# disk and WHEN more seconds, sends SIGNAL; sets CODE to the exit status.
intents() { local n; n=$(grep -c '"result":"intent"' "$AUDIT" 2>/dev/null); echo "${n:-0}"; }
kill_during() {
  local sig=$1 when=$2 before pid i now
  shift 2
  before=$(intents)
  "$@" >>"$E2E_DIR/killed.out" 2>>"$E2E_DIR/killed.err" &
  pid=$!
  for ((i = 0; i < 600; i++)); do
    now=$(intents)
    ((now > before)) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  sleep "$when"
  kill -"$sig" "$pid" 2>/dev/null
  wait "$pid"
  CODE=$?
}

trial=0
for spec in KILL:0 TERM:0.3 INT:0.8 KILL:1.2 TERM:0 INT:0.05; do
  sig=${spec%%:*}
  when=${spec#*:}
  trial=$((trial + 1))
  # 30 leavers: rows 10..39 disappear from the HR export.
  open_sessions
  write_hr "$E2E_DIR/hr.csv" 10 39
  if ((trial % 2)); then cmd=(deprovision apply); else cmd=(sync apply); fi
  kill_during "$sig" "$when" "$DAOCTL_BIN" "${cmd[@]}" -f "$job" --today 2025-03-01 \
    --summary-file "$E2E_DIR/summary.json" --metrics-file "$E2E_DIR/metrics.prom"
  n_blocked=$(blocked_ids | wc -l)
  echo "# trial $trial: ${cmd[*]} got SIG$sig ${when}s after its intents: exit $CODE, $n_blocked blocked"
  if [ "$sig" = KILL ]; then expect_eq "trial $trial: killed by SIGKILL" "$CODE" "137"; else
    expect_eq "trial $trial: SIG$sig exits 130" "$CODE" "130"
    expect_eq "trial $trial: the summary says interrupted" "$(jq -r '.status + " " + (.exit_code | tostring)' "$E2E_DIR/summary.json")" "interrupted 130"
    expect_match "trial $trial: the metrics say the run failed" "$(cat "$E2E_DIR/metrics.prom")" 'daoctl_(deprovision|sync)_last_run_exit_code\{job="e2e-kill"\} 130'
  fi
  missing_ledger=$(comm -23 <(blocked_ids) <(ledger_ids))
  missing_audit=$(comm -23 <(blocked_ids) <(audit_ids))
  expect_eq "trial $trial: every blocked account is in the ledger right after the kill" "$missing_ledger" ""
  expect_eq "trial $trial: every blocked account is in the audit log right after the kill" "$missing_audit" ""
  run "$DAOCTL_BIN" sync status -f "$job"
  [ "$STATUS" -eq 0 ] || failed "trial $trial: sync status" "$ERR"

  # The rerun finishes the job and reconciles the intents.
  check "trial $trial: the rerun completes" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01
  expect_eq "trial $trial: the 30 leavers are blocked" "$(blocked_ids | wc -l)" "30"
  expect_eq "trial $trial: the ledger has exactly them, none left as an intent" \
    "$(jq -r '[.accounts[] | select(.state == "blocked")] | length' "$LEDGER"):$(comm -3 <(blocked_ids) <(ledger_ids) | wc -l)" "30:0"
  expect_eq "trial $trial: no leaver keeps a session (revocations redone for reconciled blocks)" "$(live_sessions)" "0"
  expect_eq "trial $trial: each has an ok block line in the audit log" \
    "$(comm -23 <(blocked_ids) <(jq -rs '[.[] | select(.what == "block" and .result == "ok") | .id] | unique | sort | .[]' "$AUDIT") | wc -l)" "0"

  # The rows come back: exactly daoctl's blocks are undone.
  write_hr "$E2E_DIR/hr.csv"
  check "trial $trial: restored sources" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-01
  expect_eq "trial $trial: every account daoctl blocked is active again" "$(blocked_ids | wc -l)" "0"
  expect_eq "trial $trial: the administrator's block stays" \
    "$(users_json | jq -r --arg a "$ADMIN_BLOCKED" '.[] | select(.id == $a) | .active')" "false"
  expect_eq "trial $trial: the ledger is empty again" "$(jq '.accounts | length' "$LEDGER")" "0"
done

# Files that name people and why they left are private.
expect_eq "the audit log is 0600" "$(stat -c %a "$AUDIT")" "600"
expect_eq "the results journal is 0600" "$(stat -c %a "$DAOCTL_STATE_DIR/e2e-kill.results.jsonl")" "600"
expect_eq "the summary is 0600" "$(stat -c %a "$E2E_DIR/summary.json")" "600"
check "an --audit-file copy" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 --audit-file "$E2E_DIR/audit-copy.jsonl"
write_hr "$E2E_DIR/hr.csv" 50 50
check "one leaver with --audit-file" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 --audit-file "$E2E_DIR/audit-copy.jsonl"
expect_eq "the --audit-file copy is 0600" "$(stat -c %a "$E2E_DIR/audit-copy.jsonl")" "600"
check "an own --results-file" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-02 --results-file "$E2E_DIR/results.jsonl"
write_hr "$E2E_DIR/hr.csv" 51 51
check "a sync with --results-file" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-02 --results-file "$E2E_DIR/results.jsonl"
expect_eq "the --results-file is 0600" "$(stat -c %a "$E2E_DIR/results.jsonl")" "600"

# sync status after a run killed before its first journal line (the
# journal is truncated when it is opened): it says so, no internal error.
: >"$DAOCTL_STATE_DIR/e2e-kill.results.jsonl"
expect_exit 0 "sync status on an empty journal" "$DAOCTL_BIN" sync status -f "$job"
expect_match "status says the run was interrupted before its first line" "$OUT" 'interrupted before it wrote its first journal line'
expect_exit 0 "sync status -o json on an empty journal" "$DAOCTL_BIN" sync status -f "$job" -o json
expect_eq "json: not started, not finished" "$(jq -c '.last_run | [.started, .finished]' <<<"$OUT")" "[false,false]"
expect_no_match "killed runs never printed the token" "$(cat "$E2E_DIR/killed.out" "$E2E_DIR/killed.err")" "$DAOCTL_SIM_TOKEN"
finish
