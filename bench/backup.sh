#!/usr/bin/env bash
# `daoctl backup download` of a ~1 GiB backup (sha256 verified while writing,
# fsync, rename) vs. `curl -o` of the same URL (no verification).
# Goal: throughput >= 0.9x curl's, i.e. wall time <= 1.111x; peak RSS < 50 MiB.
# Usage: bench/backup.sh [MiB]   (default 1024; BUILD=path/to/build to pick a build)
source "$(dirname "$0")/lib.sh"
MIB=${1:-1024}
DATA="$BENCH_DIR/data"
mkdir -p "$DATA/files"
echo "writing $MIB MiB of stored files..."
head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$DATA/files/large.bin"
start_sim "$DATA"
t0=$(date +%s.%N)
ID=$("$DAOCTL" backup create --wait --include files -o json -q | jq -r .id)
echo "server backup $ID created in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5)s"
SIZE=$("$DAOCTL" backup show "$ID" -o json | jq -r .size)
URL="$SIM_URL/api/v1/backups/$ID/download"

curl_download() { curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" -o "$BENCH_DIR/curl.tar.zst" "$URL"; }
ours() { rm -f "$BENCH_DIR/ours.tar.zst"; "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/ours.tar.zst" -q; }

base=$(best_of 3 curl_download)
mine=$(best_of 3 ours)
cmp -s "$BENCH_DIR/curl.tar.zst" "$BENCH_DIR/ours.tar.zst" || { echo "bench: downloads differ" >&2; exit 1; }
echo "archive: $SIZE bytes; curl $(echo "$SIZE / $base / 1048576" | bc) MiB/s, daoctl $(echo "$SIZE / $mine / 1048576" | bc) MiB/s"
report "backup download ($MIB MiB)" "$mine" "$base" '<=' 1.111
rm -f "$BENCH_DIR/ours.tar.zst"
rss=$(peak_rss_mb "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/ours.tar.zst" -q)
echo "peak memory of daoctl backup download: $rss MiB (goal < 50)"
[ "$rss" -lt 50 ] || { echo "bench: peak memory $rss MiB is over 50 MiB" >&2; exit 1; }
