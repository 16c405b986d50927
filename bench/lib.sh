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
  for p in "${BENCH_PIDS[@]}" "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
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
