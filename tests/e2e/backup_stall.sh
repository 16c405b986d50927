#!/usr/bin/env bash
# backup_stall: no transfer hangs. A proxy (tests/tools/http_peer) in front of
# daoctl-sim sends the full Content-Length and half of a backup's body, then
# goes silent with the connection open. `backup download --attempt-timeout 5` gives
# that attempt up after 5 s without a byte, resumes with Range from where it
# was and verifies the sha256; a proxy that stalls every attempt ends the
# command in bounded time with an error naming the stall; `backup run`
# through it finishes, and its directory lock is free for the next run.
source "$(dirname "$0")/lib.sh"

SIMD="$E2E_DIR/simdata"
"$DAOCTL_SIM_BIN" seed --data "$SIMD" --users 50 >/dev/null 2>&1 || failed "seed 50 users"
mkdir -p "$SIMD/files"
head -c 2097152 /dev/urandom >"$SIMD/files/attachment.bin"
start_sim --data "$SIMD"
UPSTREAM=$SIM_URL

start_proxy() {  # start_proxy NAME ARGS... -> PROXY_URL, PROXY_PID
  start_http_peer PROXY_URL "$1" proxy --upstream "$UPSTREAM" "${@:2}"
  PROXY_PID=$PEER_PID
}
stop_proxy() { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; }

check "backup create --wait" "$DAOCTL_BIN" backup create --wait -o json
ID=$(jq -r .id <<<"$OUT")
SHA=$(jq -r .sha256 <<<"$OUT")
SIZE=$(jq -r .size <<<"$OUT")
expect_match "the archive is large enough to cut" "$SIZE" '^[0-9]{7,}$'

# One stall, then the proxy passes everything.
start_proxy p1 --stall-path /download --stall-count 1 --record "$E2E_DIR/p1.rec"
DL="$E2E_DIR/dl"
mkdir -p "$DL"
T0=$(date +%s)
check "download through a half-body stall" env DAOCTL_URL="$PROXY_URL" timeout 120 \
  "$DAOCTL_BIN" --attempt-timeout 5 backup download "$ID" --dir "$DL" -o json
T=$(($(date +%s) - T0))
expect_match "it took the stall limit, not hours (${T}s)" "$T" '^([5-9]|1[0-9]|2[0-9])$'
expect_match "the stall was named" "$ERR" "interrupted at byte [0-9]+ .*stalled.*resuming"
expect_eq "the proxy stalled once, halfway" "$(jq -r 'select(.stalled) | "\(.sent) \(.of)"' "$E2E_DIR/p1.rec")" \
  "$((SIZE / 2)) $SIZE"
expect_eq "the second attempt asked for the rest with Range" \
  "$(jq -r 'select(.method and (.path | endswith("/download"))) | .range // "none"' "$E2E_DIR/p1.rec" | tr '\n' ' ')" \
  "none bytes=$((SIZE / 2))- "
FILE=$(jq -r .path <<<"$OUT")
expect_eq "the download has the server's sha256" "$(sha256sum "$FILE" | cut -d' ' -f1)" "$SHA"
expect_eq "no partial file is left" "$(ls "$DL" | grep -c '\.part')" "0"
stop_proxy

# A peer that stalls every attempt, ranges too, each after half of what it sends.
start_proxy p2 --stall-path /download --stall-count 0 --stall-ranges --record "$E2E_DIR/p2.rec"
DL2="$E2E_DIR/dl2"
mkdir -p "$DL2"
T0=$(date +%s)
# --attempt-timeout 1, the shortest stall limit: all 20 attempts stall, and each costs
# the limit plus about a second (measured: 39 s in all; 60 s with --attempt-timeout 2).
expect_exit 1 "a peer that stalls every attempt ends the download" env DAOCTL_URL="$PROXY_URL" timeout 300 \
  "$DAOCTL_BIN" --attempt-timeout 1 backup download "$ID" --dir "$DL2"
T=$(($(date +%s) - T0))
expect_match "in bounded time: at most 20 attempts of about 2 s (${T}s)" "$T" '^([0-9]|[1-8][0-9])$'
expect_match "the error says the transfer stalled" "$ERR" "stalled"
expect_match "the later attempts asked for the rest with Range" \
  "$(jq -r 'select(.stalled) | .range // "none"' "$E2E_DIR/p2.rec" | sed -n 2p)" "^bytes=[1-9][0-9]*-$"
expect_match "a partial file is kept for the next run" "$(ls "$DL2")" '\.part'
stop_proxy

# backup run: the stall ends, the run succeeds, and the lock is free again.
start_proxy p3 --stall-path /download --stall-count 1
RUN="$E2E_DIR/run"
check "backup run through a stall" env DAOCTL_URL="$PROXY_URL" timeout 120 \
  "$DAOCTL_BIN" --attempt-timeout 5 backup run --dir "$RUN" --keep-last 5 -o json
expect_eq "the run succeeded" "$(jq -r .success <<<"$OUT")" "true"
check "the next backup run takes the lock" env DAOCTL_URL="$PROXY_URL" timeout 120 \
  "$DAOCTL_BIN" --attempt-timeout 5 backup run --dir "$RUN" --keep-last 5
expect_eq "two verified archives" "$(ls "$RUN" | grep -c '\.tar\.zst$')" "2"
stop_proxy
finish
