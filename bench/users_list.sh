#!/usr/bin/env bash
# `daoctl users list -o json` of N seeded users (default 100k) vs. a baseline
# of one curl process fetching the same SCIM pages of 1000 sequentially over
# one kept-alive connection. Goal: ours <= 1.2x the baseline's wall time, with
# memory flat (peak RSS about 30 MiB whatever N).
#
# The two run in turns (curl, daoctl, curl, daoctl...) RUNS times (default
# 3), so a busy machine slows both alike; prints the median and the spread
# (min-max) of each one's wall time, the median of the per-turn ratios, and
# each one's CPU time (user+sys) - the fairer measure of what daoctl costs on
# a shared machine: curl only copies the bodies to /dev/null, daoctl also
# checks every page (totalResults, sizes) and writes one line per user.
#
# Usage: bench/users_list.sh [N]
#   BUILD=path/to/build   the build to measure
#   RUNS=5                turns of each
#   FORMATS="json csv"    also time -o csv / -o yaml / -o table (not vs curl)
#   DATA=dir              reuse (or create once) the sim's data for N users
source "$(dirname "$0")/lib.sh"
N=${1:-100000}
RUNS=${RUNS:-3}
FORMATS=${FORMATS:-json}
DATA=${DATA:-$BENCH_DIR/data}
if [ ! -f "$DATA/.seeded-$N" ]; then
  echo "seeding $N users..."
  t0=$(date +%s.%N)
  rm -rf "$DATA"
  "$SIM" seed --data "$DATA" --users "$N" >/dev/null
  touch "$DATA/.seeded-$N"
  echo "seeded in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5)s"
fi
start_sim "$DATA"

pages=$(( (N + 999) / 1000 ))
{
  echo "header = \"Authorization: Bearer $DAOCTL_TOKEN\""
  for ((i = 0; i < pages; i++)); do
    echo "url = \"$SIM_URL/scim/v2/Users?startIndex=$((i * 1000 + 1))&count=1000\""
  done
} >"$BENCH_DIR/curl.cfg"
# -o json writes one user per line between "[" and "]": N + 2 lines (jq
# would take minutes over the 1.2 GB of a million users).
count=$("$DAOCTL" users list -o json | wc -l)
[ "$count" -eq $((N + 2)) ] || { echo "bench: daoctl listed $((count - 2)) users, expected $N" >&2; exit 1; }

# timed NAME CMD... -> appends "wall cpu rss" of one run to $BENCH_DIR/NAME
timed() {
  local name=$1
  shift
  /usr/bin/time -o "$BENCH_DIR/t" -f '%e %U %S %M' "$@" >/dev/null
  awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$BENCH_DIR/t" >>"$BENCH_DIR/$name"
}
# stats FILE COLUMN -> "median (min-max)"
stats() {
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}

for ((r = 1; r <= RUNS; r++)); do
  timed curl curl -sf -K "$BENCH_DIR/curl.cfg"
  for FMT in $FORMATS; do timed "ours-$FMT" "$DAOCTL" users list -o "$FMT"; done
done
paste "$BENCH_DIR/curl" "$BENCH_DIR/ours-json" | awk '{ print $4 / $1 }' >"$BENCH_DIR/ratios"
echo "users list ($N users, $RUNS turns; median (min-max))"
printf '  curl (pages of 1000)   wall %-20s cpu %-20s\n' "$(stats "$BENCH_DIR/curl" 1)" "$(stats "$BENCH_DIR/curl" 2)"
for FMT in $FORMATS; do
  printf '  daoctl -o %-12s wall %-20s cpu %-20s peak RSS %s MiB\n' "$FMT" "$(stats "$BENCH_DIR/ours-$FMT" 1)" \
    "$(stats "$BENCH_DIR/ours-$FMT" 2)" "$(stats "$BENCH_DIR/ours-$FMT" 3)"
done
ratio=$(stats "$BENCH_DIR/ratios" 1)
median=${ratio%% *}
printf '  wall ratio daoctl -o json / curl: %sx  goal <= 1.2x  %s\n' "$ratio" \
  "$([ "$(echo "$median <= 1.2" | bc -l)" = 1 ] && echo PASS || echo MISS)"
