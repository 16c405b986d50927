#!/usr/bin/env bash
# fault_proxy: sync apply, import apply and backup download run through
# injected faults -- daoctl-sim's own (--fail-rate, --reset-rate,
# --rate-limit) and a real haproxy in front of a clean sim (429 bursts with
# Retry-After, 503s, connections closed unanswered, tarpit stalls, and
# answers dropped after the server did the work) -- and end with exactly the
# state of a clean run; the retries are reported (sync summary http.retries,
# -v traces, the download's resume warnings).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_haproxy.sh"
source "$(dirname "$0")/lib_state.sh"

N=80    # employees
P=20    # posts, each with a comment, a reply and a reaction

write_workload faults "$N" "$P" 8 5 3
# The proxy's 429s and 503s come every few requests whatever the rate, so the
# adaptive pace (docs/PACING.md) would fall to its floor of 1 request/s and
# the proxied sync took 115 s of this test's 175. A floor of 20/s is what
# min_rate is for (refusals that are not about the rate): the pace still
# decreases (11 times) and every fault is still met (measured: 15 429s,
# 14 503s, 5 tarpit 500s, 7 lost answers), in 27 s.
sed -i 's/^apply: {concurrency: 4}$/apply: {concurrency: 4, pacing: {min_rate: 20}}/' "$E2E_DIR/sync.yaml"
grep -q 'min_rate: 20' "$E2E_DIR/sync.yaml" || failed "the job's pacing floor is set"

# Sync, then import, against $DAOCTL_URL; the author of the posts first.
# $1 names the run; extra daoctl flags in FLAGS.
FLAGS=()
workload() {
  local name=$1
  echo "# $name: workload starts at ${SECONDS}s"
  check "$name: create the posts' author" "$DAOCTL_BIN" "${FLAGS[@]}" users create --user-name author \
    --email author@corp.example --given-name Автор --family-name Постов
  DAOCTL_STATE_DIR="$E2E_DIR/state-$name" \
    check "$name: sync apply" "$DAOCTL_BIN" "${FLAGS[@]}" -v sync apply -f "$E2E_DIR/sync.yaml" \
    --summary-file "$E2E_DIR/$name.summary.json"
  SYNC_TRACE=$ERR
  check "$name: import apply" "$DAOCTL_BIN" "${FLAGS[@]}" -v import apply "$E2E_DIR/content.jsonl" -o json \
    --summary-file "$E2E_DIR/$name.import.json"
  IMPORT_OUT=$OUT
  IMPORT_TRACE=$ERR
}

# 1. The clean reference run.
start_sim --data "$E2E_DIR/clean"
workload clean
expect_eq "clean: no retries" "$(jq .http.retries "$E2E_DIR/clean.summary.json")" "0"
end_state >"$E2E_DIR/clean.state" || failed "clean: read the end state"
expect_eq "clean: every employee" "$(head -n1 "$E2E_DIR/clean.state" | jq '.users | length')" "$((N + 1))"
stop_sim

# 2. daoctl-sim's own faults: 8% 500/503 with Retry-After, 3% connections
#    reset before an answer, and a server rate limit of 150 requests/s.
start_sim --data "$E2E_DIR/simfaults" --fail-rate 0.08 --reset-rate 0.03 --rate-limit 150 --fault-seed 11
FLAGS=(--concurrency 8)
workload simfaults
summary="$E2E_DIR/simfaults.summary.json"
expect_eq "sim faults: sync result ok" "$(jq -r .result "$summary")" "ok"
expect_eq "sim faults: nothing failed" "$(jq .applied.failed "$summary")" "0"
expect_match "sim faults: the summary reports retries" "$(jq .http.retries "$summary")" '^[1-9][0-9]*$'
expect_match "sim faults: -v shows injected 5xx answers" "$SYNC_TRACE" '< (500|503) '
# (Resets before an answer are mostly reconnected by libcurl itself on a
# reused connection, so they need not appear as trace lines.)
expect_eq "sim faults: import failed nothing" "$(jq '[.[].failed] | add' <<<"$IMPORT_OUT")" "0"
expect_match "sim faults: the import summary reports retries" "$(jq .http.retries "$E2E_DIR/simfaults.import.json")" '^[1-9][0-9]*$'
end_state >"$E2E_DIR/simfaults.state" || failed "sim faults: read the end state"
if cmp -s "$E2E_DIR/clean.state" "$E2E_DIR/simfaults.state"; then pass "sim faults: same end state as the clean run"; else
  failed "sim faults: same end state as the clean run" "$(diff "$E2E_DIR/clean.state" "$E2E_DIR/simfaults.state" | head -20)"; fi
expect_exit 0 "sim faults: the plan is empty afterwards" env DAOCTL_STATE_DIR="$E2E_DIR/state-simfaults" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode

# Backup download through the same faults: the bytes are the server's.
check "sim faults: backup create" "$DAOCTL_BIN" backup create --wait -o json
BID=$(jq -r .id <<<"$OUT")
BSHA=$(jq -r .sha256 <<<"$OUT")
check "sim faults: backup download" "$DAOCTL_BIN" -v backup download "$BID" --dir "$E2E_DIR/dl1" -o json
expect_eq "sim faults: downloaded sha256 is the server's" "$(sha256sum "$(jq -r .path <<<"$OUT")" | cut -d' ' -f1)" "$BSHA"
stop_sim

# 3. A real proxy: haproxy in front of a clean sim. Request n (counted by
#    haproxy) meets, in every 40 requests: a burst of three 429s with
#    Retry-After (n mod 40 = 0, 1, 2), a 503 (9, 25), a connection closed
#    unanswered (14, 32), a 1 s tarpit stall then 500 (20), and an answer
#    dropped after the sim did the work (36; the client's --attempt-timeout ends
#    the wait; the retry must not duplicate what the first attempt created).
#    One period for every fault, so that no three faulted counts are followed
#    by a fourth, and the proxied runs send one request at a time
#    (--concurrency 1, which also overrides the job's 4 lanes): a request's
#    attempts then take consecutive counts, so it meets at most 3 faults in a
#    row and its 5 attempts always get through, whatever count the previous
#    commands left the proxy at. (A reconnect libcurl makes by itself after a
#    closed connection takes a count too, which only helps: an attempt fails
#    only if every count it took was faulted.) Before, with separate periods
#    (17, 23, 29, 37, 40) and 4-8 requests in flight, the faults lined up to 7
#    in a row somewhere in their common period, and the import's first POST
#    once met 5 (a lost answer, three 429s, a 503) and gave up. Retries of
#    concurrent requests are section 2's (--concurrency 8).
start_sim --data "$E2E_DIR/proxied"
SIM_DIRECT=$SIM_URL
start_haproxy "$SIM_URL" \
  "fe:http-request return status 429 content-type application/json string '{\"detail\":\"burst\"}' hdr Retry-After 1 if { var(txn.n),mod(40) lt 3 }" \
  "fe:http-request deny deny_status 503 if { var(txn.n),mod(40) -m int 9 25 }" \
  "fe:http-request reject if { var(txn.n),mod(40) -m int 14 32 }" \
  "fe:http-request tarpit if { var(txn.n),mod(40) -m int 20 }" \
  "be:http-response silent-drop if { var(txn.n),mod(40) -m int 36 }"
export DAOCTL_URL=$PROXY_URL
FLAGS=(--attempt-timeout 2 --concurrency 1)
workload proxy
summary="$E2E_DIR/proxy.summary.json"
expect_eq "proxy: sync result ok" "$(jq -r .result "$summary")" "ok"
expect_match "proxy: the summary reports retries" "$(jq .http.retries "$summary")" '^[1-9][0-9]*$'
TRACES="$SYNC_TRACE$IMPORT_TRACE"
expect_match "proxy: -v shows 429 bursts" "$TRACES" '< 429 '
expect_match "proxy: -v shows 503s" "$TRACES" '< 503 '
expect_match "proxy: -v shows the tarpit's 500" "$TRACES" '< 500 '
expect_match "proxy: -v shows closed connections and lost answers" "$TRACES" 'failed after'
expect_eq "proxy: import failed nothing" "$(jq '[.[].failed] | add' <<<"$IMPORT_OUT")" "0"
expect_match "proxy: the import summary reports retries" "$(jq .http.retries "$E2E_DIR/proxy.import.json")" '^[1-9][0-9]*$'
export DAOCTL_URL=$SIM_DIRECT
end_state >"$E2E_DIR/proxy.state" || failed "proxy: read the end state"
if cmp -s "$E2E_DIR/clean.state" "$E2E_DIR/proxy.state"; then pass "proxy: same end state as the clean run"; else
  failed "proxy: same end state as the clean run" "$(diff "$E2E_DIR/clean.state" "$E2E_DIR/proxy.state" | head -20)"; fi
expect_exit 0 "proxy: the plan is empty afterwards" env DAOCTL_STATE_DIR="$E2E_DIR/state-proxy" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
check "proxy: backup create" "$DAOCTL_BIN" backup create --wait -o json
BID=$(jq -r .id <<<"$OUT")
BSHA=$(jq -r .sha256 <<<"$OUT")
stop_haproxy

# The download GET itself meets a 503, a 429, a closed connection and a
# stall, in that order (a counter of download requests only), then passes.
start_haproxy "$SIM_DIRECT" \
  "fe:http-request sc-inc-gpc1(0) if { path_end /download }" \
  "fe:http-request set-var(txn.d) sc_get_gpc1(0) if { path_end /download }" \
  "fe:http-request deny deny_status 503 if { path_end /download } { var(txn.d) -m int 1 }" \
  "fe:http-request return status 429 hdr Retry-After 1 if { path_end /download } { var(txn.d) -m int 2 }" \
  "fe:http-request reject if { path_end /download } { var(txn.d) -m int 3 }" \
  "fe:http-request tarpit if { path_end /download } { var(txn.d) -m int 4 }"
export DAOCTL_URL=$PROXY_URL
check "proxy: backup download through 4 faults" "$DAOCTL_BIN" -v backup download "$BID" --dir "$E2E_DIR/dl2" -o json \
  --summary-file "$E2E_DIR/download.json"
FILE=$(jq -r .path <<<"$OUT")
expect_eq "proxy: downloaded sha256 is the server's" "$(sha256sum "$FILE" | cut -d' ' -f1)" "$BSHA"
expect_match "proxy: the download summary reports its retries" "$(jq .http.retries "$E2E_DIR/download.json")" '^[3-9]$'
expect_eq "proxy: no partial file is left" "$(find "$E2E_DIR/dl2" -name '*.part' | wc -l)" "0"
expect_match "proxy: -v shows the download's 503 and 429" "$ERR" '< 503 .*'
expect_match "proxy: -v shows the download's stall (500)" "$ERR" '< 500 .*'
# The closed connection is retried by libcurl itself (a reused connection
# that dies before any answer is reconnected once), so it is not a trace
# line of its own: 503, 429 and the stall are.
expect_match "proxy: the download GET was retried through the faults" \
  "$(grep -c '^> GET .*/download' <<<"$ERR")" '^[4-9]$'
finish
