#!/usr/bin/env bash
# crash_points: sync apply and import apply killed with SIGKILL at a dozen
# scripted points each -- after the k-th request the platform has served in
# that run, k drawn from a seeded sequence (CRASH_SEED) -- then rerun: the
# platform ends in exactly the state of a clean, uninterrupted run (no
# duplicates, nothing lost) and a further plan/apply has nothing to do.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_state.sh"

SEED=${CRASH_SEED:-20261127}
echo "# kill points from CRASH_SEED=$SEED"
N=150   # employees
P=40    # posts, each with a comment, a reply and a reaction
KILLS=12

write_workload points "$N" "$P" 6 6 4
SYNC=("$DAOCTL_BIN" sync apply -f "$E2E_DIR/sync.yaml")
IMPORT=("$DAOCTL_BIN" --concurrency 4 import apply "$E2E_DIR/content.jsonl")
AUTHOR=("$DAOCTL_BIN" users create --user-name author --email author@corp.example --given-name Автор --family-name Постов)

# Requests the sim has answered so far: one line each in its --log-requests stderr.
served() { grep -c '^daoctl-sim: [0-9]' "/proc/$SIM_PID/fd/2" 2>/dev/null || echo 0; }

# kill_after K CMD...: runs CMD in the background and kill -9s it as soon as
# the sim has answered K more requests. Sets KILLED=1 and AT (requests
# served in this run when the kill landed), or KILLED=0 when CMD finished first.
kill_after() {
  local k=$1 base n pid
  shift
  base=$(served)
  "$@" >>"$E2E_DIR/killed.out" 2>>"$E2E_DIR/killed.err" &
  pid=$!
  KILLED=0
  while kill -0 "$pid" 2>/dev/null; do
    n=$(served)
    if ((n - base >= k)); then
      kill -9 "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      [ $? -eq 137 ] && KILLED=1
      AT=$((n - base))
      return
    fi
    sleep 0.005
  done
  wait "$pid" 2>/dev/null
}

# 1. The clean run, on its own sim: its end state and request counts.
start_sim --data "$E2E_DIR/clean" --log-requests
check "clean: author" "${AUTHOR[@]}"
export DAOCTL_STATE_DIR="$E2E_DIR/state-clean"
r0=$(served)
check "clean: sync apply" "${SYNC[@]}"
r1=$(served)
check "clean: import apply" "${IMPORT[@]}"
r2=$(served)
SYNC_REQS=$((r1 - r0))
IMPORT_REQS=$((r2 - r1))
echo "# a clean sync makes $SYNC_REQS requests, a clean import $IMPORT_REQS"
end_state >"$E2E_DIR/clean.state" || failed "clean: read the end state"
stop_sim

# 2. The same work, killed at KILLS points each. The platform is slow
#    (--latency 15) so a kill lands within a request or two of its point.
start_sim --data "$E2E_DIR/crashed" --log-requests --latency 15
check "crashed: author" "${AUTHOR[@]}"
export DAOCTL_STATE_DIR="$E2E_DIR/state-crashed"

# run_kills NAME TOTAL REMAINING CMD...: KILLS runs, killed at KILLS
# positions drawn from the seeded sequence and sorted, spread over the
# TOTAL units of work (the last 40 left out so a killed run still has work).
# Each rerun first re-reads the platform (about 4 requests) and then goes on
# where the previous run stopped, so run i is killed after the distance from
# the work already done to the next position, plus those reads. REMAINING is
# a command printing how many units are left (a fresh plan), or "" when the
# work done is taken to be the previous position: a sync rerun needs fewer
# requests than the clean run had left (managers go into creates), so its
# progress is measured; an import's is not (its plan cannot count comments).
run_kills() {
  local name=$1 total=$2 remaining=$3 i k done=0 kills=0 points=() positions left
  shift 3
  SEED=$((SEED + 1))
  positions=$(awk -v seed="$SEED" -v n="$KILLS" -v max=$((total - 40)) \
    'BEGIN { srand(seed); for (i = 0; i < n; i++) print 1 + int(rand() * max) }' | sort -n)
  for k in $positions; do
    if [ -n "$remaining" ]; then
      left=$($remaining)
      ((left < 3)) && break
      done=$((total - left))
    fi
    kill_after $((k > done ? k - done + 4 : 5)) "$@"
    [ -z "$remaining" ] && done=$k
    if [ "$KILLED" = 1 ]; then
      kills=$((kills + 1))
      points+=("$AT")
    else
      points+=("finished")
    fi
  done
  echo "# $name: positions $(echo $positions) of $total; runs killed after ${points[*]} requests"
  KILL_COUNT=$kills
}
# Units of work a sync plan has left: every change it would make.
sync_left() {
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" -o json |
    jq '[.summary | .departments.create, .departments.delete, .managers.set, .groups.add, .groups.create,
         .groups.remove, (.users | .create, .update, .link, .deactivate, .reactivate)] | add'
}

run_kills sync "$(sync_left)" sync_left "${SYNC[@]}"
expect_match "sync: at least 10 runs were killed mid-way" "$KILL_COUNT" '^(1[0-9]|[2-9][0-9])$'
check "sync: status after the kills" "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml"
expect_match "sync: status reports the interrupted run" "$OUT" 'did NOT finish'
check "sync: the rerun completes" "${SYNC[@]}"
check "sync: users" "$DAOCTL_BIN" users list -o json
expect_eq "sync: every employee exists exactly once" "$(jq '[.[] | select(.externalId != null)] | length' <<<"$OUT")" "$N"
expect_eq "sync: no userName twice" "$(jq '[.[].userName] | unique | length' <<<"$OUT")" "$(jq length <<<"$OUT")"
check "sync: departments" "$DAOCTL_BIN" departments list -o json
expect_eq "sync: no department twice" "$(jq '[.[].path] | unique | length' <<<"$OUT")" "$(jq length <<<"$OUT")"
expect_exit 0 "sync: nothing left to plan" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode

run_kills import "$IMPORT_REQS" "" "${IMPORT[@]}"
expect_match "import: at least 10 runs were killed mid-way" "$KILL_COUNT" '^(1[0-9]|[2-9][0-9])$'
check "import: the rerun completes" "${IMPORT[@]}" -o json
check "import: a third run" "${IMPORT[@]}" -o json
expect_eq "import: the third run creates nothing" "$(jq '[.[].created] | add' <<<"$OUT")" "0"
expect_eq "import: the third run fails nothing" "$(jq '[.[].failed] | add' <<<"$OUT")" "0"
check "import: posts" "$DAOCTL_BIN" api GET '/api/v1/posts?limit=1000'
expect_eq "import: every post exactly once" "$(jq '[.items[].external_id] | unique | length' <<<"$OUT"):$(jq '.items | length' <<<"$OUT")" "$P:$P"
check "import: communities" "$DAOCTL_BIN" api GET '/api/v1/communities?limit=1000'
expect_eq "import: one community" "$(jq '[.items[] | select(.name == "Workload points")] | length' <<<"$OUT")" "1"

end_state >"$E2E_DIR/crashed.state" || failed "crashed: read the end state"
if cmp -s "$E2E_DIR/clean.state" "$E2E_DIR/crashed.state"; then
  pass "after $((2 * KILLS)) kills the platform is in the clean run's state"
else
  failed "after the kills the platform is in the clean run's state" \
    "$(diff "$E2E_DIR/clean.state" "$E2E_DIR/crashed.state" | head -20)"
fi
expect_no_match "killed runs never printed the token" "$(cat "$E2E_DIR/killed.out" "$E2E_DIR/killed.err")" "$DAOCTL_SIM_TOKEN"
finish
