#!/usr/bin/env bash
# Crash recovery of sync apply: kill -9 at several points of a slow apply
# (daoctl-sim --latency), rerun, and check that the platform converges to
# exactly the plan's end state with no duplicate accounts.
source "$(dirname "$0")/lib.sh"
N=200
start_sim --latency 30

{
  echo "id,login,first,last,dept,boss"
  for ((i = 0; i < N; i++)); do
    boss=""
    ((i > 0)) && boss="emp-$(((i - 1) / 10))"
    printf 'emp-%d,user%03d,Имя%d,Фамилия%d,Company/D%d,%s\n' "$i" "$i" "$i" "$i" $((i % 7)) "$boss"
  done
} >"$E2E_DIR/hr.csv"
cat >"$E2E_DIR/sync.yaml" <<'YAML'
version: 1
name: crash
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
  displayName: "{hr.first} {hr.last}"
  department: "{hr.dept}"
  manager: "{hr.boss}"
apply: {concurrency: 2}
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

# Kill at growing points of the run: during departments/creates, later
# during creates, during manager updates.
for delay in 0.3 0.8 1.3 1.8; do
  "$DAOCTL_BIN" sync apply -f "$job" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  users=$("$DAOCTL_BIN" users list -o json | jq length)
  echo "killed after ${delay}s: $users users on the platform"
done
run "$DAOCTL_BIN" sync status -f "$job"
expect_match "status reports the interrupted run" "$OUT" 'did NOT finish'

check "the rerun completes" "$DAOCTL_BIN" sync apply -f "$job"
run "$DAOCTL_BIN" users list -o json
expect_eq "every employee exists exactly once" "$(jq length <<<"$OUT")" "$N"
expect_eq "no userName appears twice" "$(jq '[.[].userName] | unique | length' <<<"$OUT")" "$N"
m=$(jq -r '.[] | select(.userName == "user015") | .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value' <<<"$OUT")
expect_eq "managers converge" "$(jq -r --arg m "$m" '.[] | select(.id == $m) | .externalId' <<<"$OUT")" "emp-1"
run "$DAOCTL_BIN" departments list -o json
expect_eq "each department exists once" "$(jq '[.[].path] | length' <<<"$OUT")" "$(jq '[.[].path] | unique | length' <<<"$OUT")"
expect_exit 0 "after convergence the plan is empty" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
finish
