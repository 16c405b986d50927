# Shared by bench/*.sh: a throwaway daoctl-sim, timing and ratio printing.
set -euo pipefail
BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
DAOCTL="$BUILD/cli/daoctl"
SIM="$BUILD/sim/daoctl-sim"
for b in "$DAOCTL" "$SIM"; do
  [ -x "$b" ] || { echo "bench: $b missing (build first: cmake --preset dev && cmake --build --preset dev)" >&2; exit 1; }
done
BENCH_DIR=$(mktemp -d)
BENCH_PIDS=()
E2E_PIDS=()  # peers started by tests/e2e/lib_*.sh helpers register here
bench_cleanup() {
  local p
  # `|| true`: under set -e a wait that reports the killed peer's status
  # (143) ended this function at the first peer, leaving slapd running and
  # $BENCH_DIR behind after every bench that started one.
  for p in "${BENCH_PIDS[@]}" "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$BENCH_DIR"
}
trap bench_cleanup EXIT
export DAOCTL_SIM_TOKEN="bench-$RANDOM$RANDOM"

# start_sim DATA_DIR [flags] -> SIM_URL
start_sim() {
  local data=$1
  shift
  "$SIM" --listen 127.0.0.1:0 --data "$data" "$@" >"$BENCH_DIR/sim.out" 2>"$BENCH_DIR/sim.err" &
  BENCH_PIDS+=($!)
  SIM_URL=""
  for _ in $(seq 1 400); do
    SIM_URL=$(grep -Eo 'https?://127\.0\.0\.1:[0-9]+' "$BENCH_DIR/sim.out" | head -n1 || true)
    [ -n "$SIM_URL" ] && break
    sleep 0.05
  done
  [ -n "$SIM_URL" ] || { cat "$BENCH_DIR/sim.err" >&2; exit 1; }
  export SIM_URL DAOCTL_URL="$SIM_URL" DAOCTL_TOKEN="$DAOCTL_SIM_TOKEN"
}

# best_of N CMD... -> prints the best wall time in seconds (min of N runs)
best_of() {
  local n=$1 best="" t0 t1 t
  shift
  for _ in $(seq 1 "$n"); do
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  printf '%.3f\n' "$best"
}

# peak_rss_mb CMD... -> peak resident memory of CMD in MiB
peak_rss_mb() {
  /usr/bin/time -o "$BENCH_DIR/rss" -f '%M' "$@" >/dev/null 2>&1
  echo $(($(tail -n1 "$BENCH_DIR/rss") / 1024))
}

# report NAME OURS BASELINE GOAL_OP GOAL  (e.g. report users-list 1.2 1.0 '<=' 1.2)
report() {
  local name=$1 ours=$2 base=$3 op=$4 goal=$5 ratio ok
  ratio=$(echo "scale=3; $ours / $base" | bc -l)
  ok=$(echo "$ratio $op $goal" | bc -l)
  printf '%-28s ours %7.3fs  baseline %7.3fs  ratio %5.2fx  goal %s %sx  %s\n' \
    "$name" "$ours" "$base" "$ratio" "$op" "$goal" "$([ "$ok" = 1 ] && echo PASS || echo MISS)"
}

# cpu_best_of N PIDS CMD... -> "WALL CPU SERVER_CPU": the best (smallest) of N
# runs of CMD (a command or a shell function): wall seconds, CPU seconds
# (user+sys) of CMD and its children, and CPU seconds the processes PIDS
# (space-separated: the servers CMD talks to, e.g. slapd and daoctl-sim)
# spent meanwhile. On a shared machine CPU seconds are steadier than wall time.
cpu_best_of() {
  local n=$1 pids=$2 bw="" bc="" bs="" t0 t1 c0 c1 s0 s1 w c s
  shift 2
  for _ in $(seq 1 "$n"); do
    s0=$(proc_cpu_seconds $pids)
    times >"$BENCH_DIR/times0"  # in this shell: $(times) would ask a subshell
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    times >"$BENCH_DIR/times1"
    s1=$(proc_cpu_seconds $pids)
    w=$(echo "$t1 - $t0" | bc -l)
    c0=$(children_cpu_seconds "$BENCH_DIR/times0")
    c1=$(children_cpu_seconds "$BENCH_DIR/times1")
    c=$(echo "$c1 - $c0" | bc -l)
    s=$(echo "$s1 - $s0" | bc -l)
    [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ] && bw=$w
    [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ] && bc=$c
    [ -z "$bs" ] || [ "$(echo "$s < $bs" | bc -l)" = 1 ] && bs=$s
  done
  printf '%.3f %.3f %.3f\n' "$bw" "$bc" "$bs"
}

# children_cpu_seconds FILE -> user+sys seconds of finished children, from the
# output of bash `times` saved in FILE (its 2nd line)
children_cpu_seconds() {
  tail -n1 "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.3f\n", t }'
}

# proc_cpu_seconds PID... -> user+sys seconds those processes have used so far
proc_cpu_seconds() {
  local tck total=0 p
  tck=$(getconf CLK_TCK)
  for p in "$@"; do
    total=$(awk -v t="$tck" -v sum="$total" '{ printf "%.3f\n", sum + ($14 + $15) / t }' "/proc/$p/stat" 2>/dev/null || echo "$total")
  done
  echo "$total"
}

# peak_rss_kb CMD... -> peak resident memory of CMD in KiB
peak_rss_kb() {
  /usr/bin/time -o "$BENCH_DIR/rss" -f '%M' "$@" >/dev/null 2>&1 || true
  tail -n1 "$BENCH_DIR/rss"
}
