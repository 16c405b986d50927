#!/usr/bin/env bash
# An idle `sync watch` poll of an unchanged HR HTTP API (conditional
# requests: every page 304, no platform read) vs a full `sync apply` of the
# same job (every page read, the whole platform read, an empty plan), in one
# run (issue 20). N employees (default 10000) served by the e2e HR peer
# (tests/tools/http_peer, --etag honour) in pages of 1000, the same N users in
# daoctl-sim. Printed: CPU seconds of daoctl (user+sys; the steadier number
# on a shared machine) and wall seconds per operation, and the ratios.
# The full apply is the best of ROUNDS (default 3); the idle poll is the
# watcher's CPU over SECONDS (default 10) of polls at --interval 0.2 divided
# by the polls it logged, and its wall an upper bound: SECONDS / polls minus
# the interval.   goals: idle poll CPU <= 1/20 of a full apply's, wall (an upper
# bound, with the wait's overshoot) <= 1/10
# Usage: bench/watch_http.sh [N]
source "$(dirname "$0")/lib.sh"
N=${1:-10000}
ROUNDS=${ROUNDS:-3}
SECONDS_IDLE=${SECONDS_IDLE:-10}
INTERVAL=0.2
export DAOCTL_STATE_DIR="$BENCH_DIR/state"
start_sim "$BENCH_DIR/sim" --log-requests
python3 - "$BENCH_DIR/routes.json" "$N" <<'PY'
import json, sys
n = int(sys.argv[2])
people = [{"id": str(100000 + i), "login": f"user{i}", "name": f"User {i}", "email": f"user{i}@corp.test",
           "department": f"Dept {i % 40}"} for i in range(n)]
pages = [people[i:i + 1000] for i in range(0, n, 1000)] + [[]]
json.dump({f"/staff?page={k}": {"body": {"items": p}} for k, p in enumerate(pages, 1)}, open(sys.argv[1], "w"))
PY
python3 "$(dirname "$0")/../tests/tools/http_peer/server.py" serve --routes "$BENCH_DIR/routes.json" --etag honour \
  >"$BENCH_DIR/hr.out" 2>"$BENCH_DIR/hr.err" &
BENCH_PIDS+=($!)
HR=""
for _ in $(seq 1 200); do
  HR=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$BENCH_DIR/hr.out" | head -n1 || true)
  [ -n "$HR" ] && break
  sleep 0.05
done
[ -n "$HR" ] || { cat "$BENCH_DIR/hr.err" >&2; exit 1; }
cat >"$BENCH_DIR/job.yaml" <<YAML
version: 1
name: watchhttp
sources:
  hr:
    type: http_json
    url: $HR/staff
    records: /items
    key: id
    paging: {style: page_number, param: page}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  displayName: "{hr.name}"
  email: "{hr.email}"
  department: "{hr.department}"
deprovision:
  dismissed_when: [missing_from_sources]
YAML
"$DAOCTL" sync apply -f "$BENCH_DIR/job.yaml" >/dev/null 2>"$BENCH_DIR/seed.err"
full_apply() { "$DAOCTL" sync apply -f "$BENCH_DIR/job.yaml" 2>>"$BENCH_DIR/full.err"; }
read -r full_wall full_cpu _ < <(cpu_best_of "$ROUNDS" "" full_apply)

"$DAOCTL" sync watch -f "$BENCH_DIR/job.yaml" --interval "$INTERVAL" >/dev/null 2>"$BENCH_DIR/watch.err" &
WATCH=$!
BENCH_PIDS+=("$WATCH")
unchanged() { grep -c 'unchanged since the last applied run (HTTP 304)' "$BENCH_DIR/watch.err" || true; }
for _ in $(seq 1 600); do [ "$(unchanged)" -ge 1 ] && break; sleep 0.1; done
[ "$(unchanged)" -ge 1 ] || { echo "bench: the watcher never reported an unchanged source" >&2; tail "$BENCH_DIR/watch.err" >&2; exit 1; }
sim0=$(grep -c "^daoctl-sim: " "$BENCH_DIR/sim.err" || true)
p0=$(unchanged) c0=$(proc_cpu_seconds "$WATCH") t0=$(date +%s.%N)
sleep "$SECONDS_IDLE"
sim1=$(grep -c "^daoctl-sim: " "$BENCH_DIR/sim.err" || true)
p1=$(unchanged) c1=$(proc_cpu_seconds "$WATCH") t1=$(date +%s.%N)
polls=$((p1 - p0))
idle_cpu=$(echo "scale=6; ($c1 - $c0) / $polls" | bc -l)
idle_wall=$(echo "scale=6; ($t1 - $t0) / $polls - $INTERVAL" | bc -l)
kill -TERM "$WATCH"
wait "$WATCH" || true
printf 'N=%s employees, %s pages; %s idle polls in %ss\n' "$N" "$(( (N + 999) / 1000 + 1 ))" "$polls" "$SECONDS_IDLE"
printf 'full sync apply (no-op)   wall %7.3fs  cpu %7.3fs (best of %s)\n' "$full_wall" "$full_cpu" "$ROUNDS"
printf 'platform requests during the idle polls: %s\n' "$((sim1 - sim0))"
printf 'idle poll (all 304)       wall <=%6.3fs  cpu %7.4fs (watcher CPU / polls)\n' "$idle_wall" "$idle_cpu"
report "idle poll cpu vs full apply" "$idle_cpu" "$full_cpu" '<=' 0.05
report "idle poll wall vs full apply" "$(echo "if ($idle_wall < 0.001) 0.001 else $idle_wall" | bc -l)" "$full_wall" '<=' 0.1
