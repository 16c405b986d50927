#!/usr/bin/env bash
# Adaptive pacing (issue 17): a sync of M changes (default 4000 new users)
# against daoctl-sim --rate-limit R (default 300 requests/s, a token bucket
# with one second of burst that answers 429 + Retry-After when empty).
# Baseline: the time the rate limit itself imposes, M / R seconds.
# Goals: 0 failed changes, <= 5% of requests retried, time <= 1.2x M/R.
# Run twice: with only Retry-After to learn from, and with the sim stating
# its limit in RateLimit-Policy headers (--rate-limit-headers).
# Usage: bench/sync_rate_limit.sh [M] [R]
source "$(dirname "$0")/lib.sh"
M=${1:-4000}
R=${2:-300}
export DAOCTL_STATE_DIR="$BENCH_DIR/state"

awk -v n="$M" 'BEGIN { print "id,login,first,last,title";
  for (i = 0; i < n; i++) printf "e%d,user%06d,Иван%d,Петров%d,Engineer\n", i, i, i, i }' >"$BENCH_DIR/m.csv"

run_case() {  # run_case NAME SIM_FLAGS...
  local name=$1
  shift
  cat >"$BENCH_DIR/$name.yaml" <<YAML
version: 1
name: $name
sources:
  hr: {type: csv, path: $BENCH_DIR/m.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
  displayName: "{hr.first} {hr.last}"
  title: "{hr.title}"
safety: {min_source_records: {hr: 1}}
YAML
  start_sim "$BENCH_DIR/sim-$name" "$@"
  local t0 t status=0
  t0=$(date +%s.%N)
  "$DAOCTL" -q sync apply -f "$BENCH_DIR/$name.yaml" --concurrency 16 \
    --summary-file "$BENCH_DIR/$name.summary.json" >/dev/null 2>"$BENCH_DIR/$name.err" || status=$?
  t=$(echo "$(date +%s.%N) - $t0" | bc -l)
  kill "${BENCH_PIDS[-1]}"
  wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
  local s="$BENCH_DIR/$name.summary.json" requests retries failed limit ratio share ok
  requests=$(jq .http.requests "$s")
  retries=$(jq .http.retries "$s")
  failed=$(jq .applied.failed "$s")
  limit=$(echo "scale=3; $M / $R" | bc -l)
  ratio=$(echo "scale=3; $t / $limit" | bc -l)
  share=$(echo "scale=2; 100 * $retries / $requests" | bc -l)
  ok=$(echo "$status == 0 && $failed == 0 && $retries * 20 <= $requests && $ratio <= 1.2" | bc -l)
  printf '%-22s exit %d  %6.2fs vs limit %6.2fs  ratio %5.2fx (goal <= 1.2x)  requests %5d  retried %4d (%5.2f%%, goal <= 5%%)  failed %d  %s\n' \
    "$name" "$status" "$t" "$limit" "$ratio" "$requests" "$retries" "$share" "$failed" \
    "$([ "$ok" = 1 ] && echo PASS || echo MISS)"
  # What the client says it did (docs/PACING.md, "Reported").
  jq -r '"  \(.http.throttled) answers 429/503; pace learned \(.http.pacing.rate)/s (lowest \(.http.pacing.lowest_rate)/s, stated \(.http.pacing.advertised_rate)/s, \(.http.pacing.decreases) decreases); waited \(.http.retry_wait_seconds) s for Retry-After, \(.http.pacing.wait_seconds) s for the pace (summed over requests)"' "$s"
}

echo "== sync apply of $M new users against daoctl-sim --rate-limit $R"
run_case retry-after-only --rate-limit "$R"
run_case ratelimit-headers --rate-limit "$R" --rate-limit-headers
