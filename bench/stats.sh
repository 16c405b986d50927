#!/usr/bin/env bash
# `daoctl stats export activity --group-by user` of about 1M (day, user) rows
# as CSV vs. a baseline of one curl process fetching the same API pages of
# 1000 rows to /dev/null over one kept-alive connection (the cursors are
# collected beforehand, so the baseline does no parsing at all).
# Goals: speed >= 0.8x the baseline (time ratio <= 1.25), peak RSS < 64 MB.
# Usage: bench/stats.sh [USERS] [DAYS]   (default 10000 x 200 ~ 1M rows)
source "$(dirname "$0")/lib.sh"
USERS=${1:-10000}
DAYS=${2:-200}
echo "seeding $USERS users with $DAYS days of activity..."
"$SIM" seed --data "$BENCH_DIR/data" --users "$USERS" --activity-days "$DAYS" 2>"$BENCH_DIR/seed.err" >/dev/null
grep 'seeded' "$BENCH_DIR/seed.err"
ROWS=$(grep -Eo ' rows=[0-9]+' "$BENCH_DIR/seed.err" | cut -d= -f2)
start_sim "$BENCH_DIR/data"

FROM=2025-01-01
TO=$(date -u -d "$FROM + $DAYS days" +%F)
QUERY="from=$FROM&to=$TO&granularity=day&group_by=user&limit=1000"
# The URLs of every page, found by following next_cursor once.
: >"$BENCH_DIR/urls"
cursor=""
while :; do
  url="$SIM_URL/api/v1/stats/activity?$QUERY${cursor:+&cursor=$cursor}"
  echo "url = \"$url\"" >>"$BENCH_DIR/urls"
  echo "output = \"/dev/null\"" >>"$BENCH_DIR/urls"
  cursor=$(curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$url" | jq -r '.next_cursor // empty')
  [ -n "$cursor" ] || break
done
echo "pages: $(grep -c '^url' "$BENCH_DIR/urls")"
curl_all() { curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" -K "$BENCH_DIR/urls"; }
ours() { "$DAOCTL" stats export activity --from "$FROM" --to "$TO" --group-by user --format csv --quiet; }

lines=$(ours | wc -l)
[ "$lines" -eq $((ROWS + 1)) ] || { echo "bench: daoctl exported $((lines - 1)) rows, the seed has $ROWS" >&2; exit 1; }
base=$(best_of 3 curl_all)
mine=$(best_of 3 ours)
report "stats export csv ($ROWS rows)" "$mine" "$base" '<=' 1.25
echo "speed: $(echo "scale=2; $base / $mine" | bc -l)x the baseline (goal >= 0.8x)"
echo "peak memory of daoctl: $(peak_rss_mb "$DAOCTL" stats export activity --from "$FROM" --to "$TO" --group-by user --format csv --quiet) MiB (goal < 64)"

# --- stats report (issue 21): one HTML page of the same seeded data, grouped
# by department per week, in the same run. The report reads activity per
# day/week/month for the period and the one before it, department x week,
# events, departments and communities, and keeps aggregates only.
# Goals: time <= 1.2x the CSV export above; peak RSS < 64 MiB. Also printed:
# the ratio to CSV exports of exactly the pages the report reads.
page() { "$DAOCTL" stats report --from "$FROM" --to "$TO" --group-by department --quiet -O "$BENCH_DIR/report.html"; }
same_pages_csv() {
  local prev_from g
  prev_from=$(date -u -d "$FROM - $DAYS days" +%F)
  for g in day week month; do
    "$DAOCTL" stats export activity --from "$FROM" --to "$TO" --granularity $g --format csv --quiet
    "$DAOCTL" stats export activity --from "$prev_from" --to "$FROM" --granularity $g --format csv --quiet
  done
  "$DAOCTL" stats export activity --from "$FROM" --to "$TO" --granularity week --group-by department --format csv --quiet
  "$DAOCTL" stats export events --from "$FROM" --to "$TO" --format csv --quiet
}
page
echo "report: $(stat -c %s "$BENCH_DIR/report.html") bytes, $(grep -o 'data-mark' "$BENCH_DIR/report.html" | wc -l) marks"
page_time=$(best_of 3 page)
report "stats report html" "$page_time" "$mine" '<=' 1.2
same=$(best_of 3 same_pages_csv)
echo "stats report vs csv exports of the same pages: $(echo "scale=2; $page_time / $same" | bc -l)x ($page_time s vs $same s)"
echo "peak memory of daoctl stats report: $(peak_rss_mb "$DAOCTL" stats report --from "$FROM" --to "$TO" --group-by department --quiet -O "$BENCH_DIR/report.html") MiB (goal < 64)"
