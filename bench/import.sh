#!/usr/bin/env bash
# Import throughput: `daoctl import apply` of N generated posts with C comments
# each (a JSON Lines manifest) against daoctl-sim, versus a baseline of
# `curl --parallel` POSTing the same number of equivalent bodies at the same
# concurrency into a second, fresh daoctl-sim, with the same headers daoctl
# sends (Authorization, Content-Type, an Idempotency-Key per request). Prints requests/s of both, the
# ratio (goal >= 0.7) and daoctl's peak RSS.
# Usage: bench/import.sh [N=2000] [COMMENTS=2] [CONCURRENCY=8]
set -euo pipefail
N=${1:-2000}
COMMENTS=${2:-2}
CONC=${3:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DAOCTL=${DAOCTL_BIN:-$BUILD/cli/daoctl}
SIM=${DAOCTL_SIM_BIN:-$BUILD/sim/daoctl-sim}
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

python3 - "$WORK" "$N" "$COMMENTS" <<'PY'
import json, sys
work, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{work}/content.jsonl", "w") as m, open(f"{work}/curl.cfg", "w") as cfg:
    m.write(json.dumps({"kind": "header", "version": 1, "namespace": "bench"}) + "\n")
    m.write(json.dumps({"kind": "user", "key": "a", "email": "author@corp.example"}) + "\n")
    for i in range(n):
        body = f"Post number {i} " + "lorem ipsum " * 20
        comments = [{"id": f"c{i}-{j}", "author": "a", "body": f"comment {j} on {i}", "created_at": "2024-01-01T00:00:00Z"} for j in range(c)]
        m.write(json.dumps({"kind": "post", "id": f"p{i}", "author": "a", "body": body, "created_at": "2024-01-01T00:00:00Z", "comments": comments}) + "\n")
        # The baseline sends the same bodies the importer sends.
        bodies = [("/api/v1/posts", {"type": "post", "body": body, "body_format": "markdown", "author_id": "1", "created_at": "2024-01-01T00:00:00Z", "pinned": False, "attachments": [], "external_id": f"manifest:bench:post:p{i}"})]
        bodies += [("/api/v1/posts/1/comments", {"author_id": "1", "body": f"comment {j} on {i}", "created_at": "2024-01-01T00:00:00Z", "external_id": f"manifest:bench:comment:c{i}-{j}"}) for j in range(c)]
        for k, (path, b) in enumerate(bodies):
            # Every block carries its headers: "next" resets per-transfer options.
            # ... and, like daoctl, an Idempotency-Key (the server stores each one).
            cfg.write(f'next\nurl = "URL{path}"\nrequest = "POST"\nheader = "Authorization: Bearer TOKEN"\n'
                      f'header = "Content-Type: application/json"\nheader = "Idempotency-Key: bench-{i}-{k}"\n'
                      f'data = {json.dumps(json.dumps(b))}\n'
                      f'output = "/dev/null"\nwrite-out = "%{{http_code}}\\n"\n')
PY
REQUESTS=$((N * (COMMENTS + 1)))

start_sim "$WORK/sim-a"
export DAOCTL_URL=$URL DAOCTL_TOKEN=$DAOCTL_SIM_TOKEN
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$WORK/rss" "$DAOCTL" --concurrency "$CONC" -q import apply "$WORK/content.jsonl" -o json >/dev/null
t1=$(date +%s.%N)

start_sim "$WORK/sim-b"
# Post 1 must exist for the baseline's comments.
curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H 'Content-Type: application/json' \
  -d '{"type":"post","body":"anchor","author_id":"1"}' "$URL/api/v1/posts" >/dev/null
sed -i "s#URL/#$URL/#; s#Bearer TOKEN#Bearer $DAOCTL_SIM_TOKEN#" "$WORK/curl.cfg"
t2=$(date +%s.%N)
curl -s --parallel --parallel-max "$CONC" -K "$WORK/curl.cfg" >"$WORK/codes" 2>/dev/null
t3=$(date +%s.%N)

ok=$(grep -c '^201$' "$WORK/codes" || true)
[ "$ok" -eq "$REQUESTS" ] || { echo "baseline: only $ok of $REQUESTS requests answered 201" >&2; exit 1; }
python3 - "$REQUESTS" "$t0" "$t1" "$t2" "$t3" "$(cat "$WORK/rss")" "$N" <<'PY'
import sys
req, t0, t1, t2, t3, rss, n = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6]), int(sys.argv[7])
a, b = req / (t1 - t0), req / (t3 - t2)
print(f"posts={n} requests={req}")
print(f"daoctl import apply: {t1-t0:.2f} s, {a:.0f} req/s, peak RSS {rss/1024:.1f} MiB")
print(f"curl --parallel:     {t3-t2:.2f} s, {b:.0f} req/s")
print(f"ratio: {a/b:.2f} (goal >= 0.70)")
PY
