#!/usr/bin/env bash
# Import memory of a Mattermost bulk export: `daoctl import plan` (and, with
# `apply`, `daoctl import apply`) of a generated export with N posts of R
# replies each against daoctl-sim. Posts come out of time order (as exports
# do), several per second, in 4 channels by 50 users, with a mention and a
# reaction. Prints wall time, daoctl's CPU time and peak RSS (/usr/bin/time
# -v) of each command. Run it with the binary of two trees to compare (DAOCTL_BIN).
# Usage: bench/import_mattermost.sh [N=100000] [REPLIES=2] [plan|apply] [CONCURRENCY=8]
set -euo pipefail
N=${1:-100000}
REPLIES=${2:-2}
MODE=${3:-plan}
CONC=${4:-8}
case "$MODE" in plan | apply) ;; *) echo "usage: $0 [N] [REPLIES] [plan|apply] [CONCURRENCY]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DAOCTL=${DAOCTL_BIN:-$BUILD/cli/daoctl}
SIM=${DAOCTL_SIM_BIN:-$BUILD/sim/daoctl-sim}
for b in "$DAOCTL" "$SIM"; do
  [ -x "$b" ] || { echo "bench: $b missing (build first, or set DAOCTL_BIN / DAOCTL_SIM_BIN)" >&2; exit 1; }
done
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
export DAOCTL_SIM_TOKEN="bench-$RANDOM$RANDOM"

start_sim() {  # $1 = data dir; sets URL
  "$SIM" --listen 127.0.0.1:0 --data "$1" >"$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do URL=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$1.log" | head -n1 || true); [ -n "$URL" ] && break; sleep 0.1; done
  curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"author","emails":[{"value":"author@corp.example"}]}' \
    "$URL/scim/v2/Users" >/dev/null
}

python3 - "$WORK/export.jsonl" "$N" "$REPLIES" <<'PY'
import json, sys
path, n, replies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
channels = [f"channel-{c}" for c in range(4)]
users = [f"user{u}" for u in range(50)]
base = 1_600_000_000_000  # ms
with open(path, "w") as f:
    w = lambda obj: f.write(json.dumps(obj, separators=(",", ":")) + "\n")
    w({"type": "version", "version": 1})
    w({"type": "team", "team": {"name": "bench", "display_name": "Bench", "type": "O"}})
    for c in channels:
        w({"type": "channel", "channel": {"team": "bench", "name": c, "display_name": c.title(), "type": "O",
                                          "purpose": f"A place for {c}"}})
    for u in users:
        w({"type": "user", "user": {"username": u, "email": f"{u}@corp.example", "first_name": u.title(),
                                    "last_name": "Bench", "roles": "system_user"}})
    for i in range(n):
        # A permutation of 0..n-1 (n and 7919 coprime unless 7919 divides n):
        # time order differs from file order; 3 posts share each second.
        slot = (i * 7919) % n if n % 7919 else i
        at = base + (slot // 3) * 1000 + slot % 3
        user = users[i % len(users)]
        post = {"team": "bench", "channel": channels[i % len(channels)], "user": user,
                "message": f"Post number {i} for @{users[(i + 1) % len(users)]} " + "lorem ipsum " * 20,
                "create_at": at,
                "reactions": [{"user": users[(i + 2) % len(users)], "emoji_name": "tada", "create_at": at + 500}],
                "replies": [{"user": users[(i + r + 3) % len(users)], "message": f"reply {r} to post {i}",
                             "create_at": at + 100 * (r + 1)} for r in range(replies)]}
        w({"type": "post", "post": post})
PY
SIZE=$(stat -c %s "$WORK/export.jsonl")

start_sim "$WORK/sim"
export DAOCTL_URL=$URL DAOCTL_TOKEN=$DAOCTL_SIM_TOKEN
run() {  # $1 = plan|apply; sets SECS, CPU (user + system s) and MIB
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/time.$1" "$DAOCTL" --concurrency "$CONC" -q import "$1" "$WORK/export.jsonl" \
    --fallback-author author -o json >"$WORK/out.$1" 2>"$WORK/err.$1" ||
    { echo "bench: daoctl import $1 failed" >&2; tail -5 "$WORK/err.$1" >&2; exit 1; }
  t1=$(date +%s.%N)
  SECS=$(echo "$t1 - $t0" | bc -l)
  MIB=$(echo "$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time.$1") / 1024" | bc -l)
  CPU=$(echo "$(sed -n 's/.*User time (seconds): *//p' "$WORK/time.$1") + $(sed -n 's/.*System time (seconds): *//p' "$WORK/time.$1")" | bc -l)
}
echo "posts=$N replies=$REPLIES export=$((SIZE / 1048576)) MiB daoctl=$DAOCTL"
# Baseline, the raw tool: jq parsing every line of the export once (a plan
# parses each post twice: to validate, then to plan).
t0=$(date +%s.%N)
/usr/bin/time -v -o "$WORK/time.jq" jq -c 'select(.type == "post") | .post.create_at' "$WORK/export.jsonl" >/dev/null
JQ_SECS=$(echo "$(date +%s.%N) - $t0" | bc -l)
JQ_MIB=$(echo "$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time.jq") / 1024" | bc -l)
printf 'baseline jq (every line): %6.2f s, peak RSS %6.1f MiB\n' "$JQ_SECS" "$JQ_MIB"
run plan
printf 'daoctl import plan:  %6.2f s (cpu %6.2f s), peak RSS %6.1f MiB (%s)\n' "$SECS" "$CPU" "$MIB" \
  "$(jq -r '[.kinds[] | select(.count > 0) | "\(.kind)=\(.count)"] | join(" ")' "$WORK/out.plan")"
printf 'plan vs jq: time %.2fx, peak RSS %.2fx\n' "$(echo "$SECS / $JQ_SECS" | bc -l)" "$(echo "$MIB / $JQ_MIB" | bc -l)"
if [ "$MODE" = apply ]; then
  run apply
  printf 'daoctl import apply: %6.2f s (cpu %6.2f s), peak RSS %6.1f MiB (%s)\n' "$SECS" "$CPU" "$MIB" \
    "$(jq -r '[.[] | select(.created > 0) | "\(.kind)=\(.created)"] | join(" ")' "$WORK/out.apply")"
fi
