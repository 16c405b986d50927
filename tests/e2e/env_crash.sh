#!/usr/bin/env bash
# env_crash: apply killed with SIGKILL half way through a slow platform; the
# rerun converges (no duplicates: objects carry external ids), and the diff
# is empty afterwards.
source "$(dirname "$0")/lib.sh"
ENV="$E2E_DIR/env.yaml"
{
  echo "version: 1"
  echo "departments:"
  for i in $(seq 0 19); do echo "  - path: Company/Div$((i % 4))/Team$i"; done
  echo "communities:"
  for i in $(seq 0 59); do echo "  - {external_id: c$i, name: Community $i, owners: [u$((i % 10))]}"; done
  echo "badges:"
  for i in $(seq 0 59); do echo "  - {external_id: b$i, name: Badge $i}"; done
  echo "seed:"
  echo "  users:"
  for i in $(seq 0 9); do echo "    - {userName: u$i, email: u$i@corp.example, department: Company/Div$((i % 4))/Team$i}"; done
} >"$ENV"
start_sim --latency 20

"$DAOCTL_BIN" apply -f "$ENV" >"$E2E_DIR/first.out" 2>"$E2E_DIR/first.err" &
APPLY_PID=$!
sleep 1.5
kill -9 "$APPLY_PID" 2>/dev/null
wait "$APPLY_PID" 2>/dev/null
expect_exit 8 "the killed apply left changes pending" "$DAOCTL_BIN" diff -f "$ENV"
PENDING=$(printf '%s\n' "$OUT" | grep -c '^[+~-]')
expect_match "changes remain pending after the kill" "$PENDING" '^[1-9][0-9]*$'

check "the rerun converges" "$DAOCTL_BIN" apply -f "$ENV"
expect_exit 0 "nothing pending afterwards" "$DAOCTL_BIN" diff -f "$ENV"
check "badges" "$DAOCTL_BIN" api GET '/api/v1/badges?limit=1000'
expect_eq "no duplicate badges" "$(printf '%s' "$OUT" | jq '.items | length')" "60"
check "communities" "$DAOCTL_BIN" api GET '/api/v1/communities?limit=1000'
expect_eq "no duplicate communities" "$(printf '%s' "$OUT" | jq '.items | length')" "60"
check "departments" "$DAOCTL_BIN" departments list -o json
expect_eq "no duplicate departments (20 teams, 4 divisions, the root)" "$(printf '%s' "$OUT" | jq length)" "25"

finish
