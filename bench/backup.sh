#!/usr/bin/env bash
# `daoctl backup download` of a ~1 GiB backup (sha256 verified while writing,
# fsync, rename) vs. `curl -o` of the same URL then fsync (the same
# durability; plain `curl -o` is printed beside it).
# Goal: throughput >= 0.9x the durable baseline's, i.e. wall time <= 1.111x;
# peak RSS < 50 MiB.
# Then (issue 22) the download with its signature checked against the pinned
# sim key and the archive encrypted through `age` (sha256 verified on the way),
# vs. the durable baseline (curl -o + fsync) in the same run: throughput
# >= 0.8x (time <= 1.25x), peak RSS < 50 MiB (daoctl and age each).
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

# Every timed run starts with no dirty pages (`sync` outside the timing):
# curl -o leaves 1 GiB to be written back after it exits, and that writeback
# would otherwise land inside the next timed run, whichever tool it is.
# Runs alternate, so both see the same machine state; best of 3 each.
curl_download() { sync; t0=$(date +%s.%N); curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" -o "$BENCH_DIR/curl.tar.zst" "$URL"; t1=$(date +%s.%N); }
ours() { rm -f "$BENCH_DIR/ours.tar.zst"; sync; t0=$(date +%s.%N); "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/ours.tar.zst" -q >/dev/null; t1=$(date +%s.%N); }
# The same durability as daoctl (which fsyncs before the rename): curl -o,
# then the file flushed to disk. Reported beside the goal's plain curl -o.
curl_durable() { sync; t0=$(date +%s.%N); curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" -o "$BENCH_DIR/curl.tar.zst" "$URL"; sync "$BENCH_DIR/curl.tar.zst"; t1=$(date +%s.%N); }
keep_best() { local t; t=$(echo "$t1 - $t0" | bc -l); if [ -z "${!1}" ] || [ "$(echo "$t < ${!1}" | bc -l)" = 1 ]; then printf -v "$1" '%s' "$t"; fi; }
base="" mine="" durable=""
for _ in 1 2 3; do
  curl_download; keep_best base
  ours; keep_best mine
  curl_durable; keep_best durable
done
base=$(printf '%.3f' "$base") mine=$(printf '%.3f' "$mine") durable=$(printf '%.3f' "$durable")
cmp -s "$BENCH_DIR/curl.tar.zst" "$BENCH_DIR/ours.tar.zst" || { echo "bench: downloads differ" >&2; exit 1; }
echo "archive: $SIZE bytes; curl $(echo "$SIZE / $base / 1048576" | bc) MiB/s, daoctl $(echo "$SIZE / $mine / 1048576" | bc) MiB/s"
# The goal counts against the durable baseline: daoctl fsyncs before it
# renames the file into place (a backup that a power cut can lose is not a
# backup), which plain `curl -o` does not. Plain curl is printed beside it.
report "backup download ($MIB MiB)" "$mine" "$durable" '<=' 1.111
echo "against plain curl -o (no fsync, no verification): ${base}s; daoctl takes $(echo "scale=2; $mine / $base" | bc -l)x that time"
rm -f "$BENCH_DIR/ours.tar.zst"
rss=$(peak_rss_mb "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/ours.tar.zst" -q)
echo "peak memory of daoctl backup download: $rss MiB (goal < 50)"
[ "$rss" -lt 50 ] || { echo "bench: peak memory $rss MiB is over 50 MiB" >&2; exit 1; }

# Signed + encrypted: --trusted-key (the signature is checked before the
# download, the sha256 against the signed one) and --encrypt-to (through age).
"$SIM" keys --data "$DATA" >"$BENCH_DIR/sim.pub"
age-keygen -o "$BENCH_DIR/age.key" 2>/dev/null
RECIPIENT=$(age-keygen -y "$BENCH_DIR/age.key")
secure() { rm -f "$BENCH_DIR/secure.tar.zst.age"; sync; t0=$(date +%s.%N); "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/secure.tar.zst" --trusted-key "$BENCH_DIR/sim.pub" --encrypt-to "$RECIPIENT" -q >/dev/null; t1=$(date +%s.%N); }
sec="" durable2=""
for _ in 1 2 3; do
  curl_durable; keep_best durable2
  secure; keep_best sec
done
sec=$(printf '%.3f' "$sec") durable2=$(printf '%.3f' "$durable2")
[ "$(age -d -i "$BENCH_DIR/age.key" "$BENCH_DIR/secure.tar.zst.age" | sha256sum | cut -d' ' -f1)" = "$(sha256sum <"$BENCH_DIR/curl.tar.zst" | cut -d' ' -f1)" ] ||
  { echo "bench: the encrypted download does not decrypt to the archive" >&2; exit 1; }
report "signed+encrypted ($MIB MiB)" "$sec" "$durable2" '<=' 1.25
cpu=$( { /usr/bin/time -f '%U %S' "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/cpu.tar.zst" --trusted-key "$BENCH_DIR/sim.pub" --encrypt-to "$RECIPIENT" -q >/dev/null; } 2>&1 | tail -n1)
echo "signed+encrypted download CPU (daoctl + age, user sys): $cpu s"
rm -f "$BENCH_DIR/secure.tar.zst.age" "$BENCH_DIR/cpu.tar.zst.age"
rss=$(peak_rss_mb "$DAOCTL" backup download "$ID" -O "$BENCH_DIR/secure.tar.zst" --trusted-key "$BENCH_DIR/sim.pub" --encrypt-to "$RECIPIENT" -q)
echo "peak memory of the signed+encrypted download (largest of daoctl and age): $rss MiB (goal < 50)"
[ "$rss" -lt 50 ] || { echo "bench: peak memory $rss MiB is over 50 MiB" >&2; exit 1; }
