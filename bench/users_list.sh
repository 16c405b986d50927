#!/usr/bin/env bash
# `daoctl users list -o json` of N seeded users (default 100k) vs. a baseline
# of one curl process fetching the same SCIM pages of 1000 sequentially over
# one kept-alive connection. Goal: ours <= 1.2x the baseline's wall time.
# Usage: bench/users_list.sh [N]   (BUILD=path/to/build to pick a build)
source "$(dirname "$0")/lib.sh"
N=${1:-100000}
echo "seeding $N users..."
t0=$(date +%s.%N)
"$SIM" seed --data "$BENCH_DIR/data" --users "$N" >/dev/null
echo "seeded in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5)s"
start_sim "$BENCH_DIR/data"

pages=$(( (N + 999) / 1000 ))
urls=()
for ((i = 0; i < pages; i++)); do
  urls+=("$SIM_URL/scim/v2/Users?startIndex=$((i * 1000 + 1))&count=1000")
done
curl_all() { curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "${urls[@]}"; }
ours() { "$DAOCTL" users list -o json; }

count=$(ours | jq length)
[ "$count" -eq "$N" ] || { echo "bench: daoctl listed $count users, expected $N" >&2; exit 1; }
base=$(best_of 3 curl_all)
mine=$(best_of 3 ours)
report "users list ($N)" "$mine" "$base" '<=' 1.2
echo "peak memory of daoctl: $(peak_rss_mb "$DAOCTL" users list -o json) MiB"
