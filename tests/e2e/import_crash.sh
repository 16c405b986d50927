#!/usr/bin/env bash
# Crash recovery of import apply: kill -9 at several points of a slow apply
# (daoctl-sim --latency), rerun, and check that the platform ends with
# exactly the source's content: every post and comment once, no duplicates.
source "$(dirname "$0")/lib.sh"
N=60
start_sim --latency 20
curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"author","emails":[{"value":"a@corp.example"}]}' \
  "$SIM_URL/scim/v2/Users" >/dev/null
{
  echo '{"kind":"header","version":1,"namespace":"crash"}'
  echo '{"kind":"user","key":"a","email":"a@corp.example"}'
  echo '{"kind":"community","id":"c","name":"Crash test"}'
  for ((i = 0; i < N; i++)); do
    printf '{"kind":"post","id":"p%d","author":"a","community":"c","body":"post %d","created_at":"2021-01-01T00:%02d:00Z","comments":[{"id":"c%d","author":"a","body":"first","created_at":"2021-01-02T00:00:00Z","replies":[{"id":"r%d","author":"a","body":"reply","created_at":"2021-01-03T00:00:00Z"}]}],"reactions":[{"user":"a","kind":"like"}]}\n' "$i" "$i" "$((i % 60))" "$i" "$i"
  done
} >"$E2E_DIR/content.jsonl"
for delay in 0.2 0.6 1.0 1.5; do
  "$DAOCTL_BIN" --concurrency 4 import apply "$E2E_DIR/content.jsonl" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
check "rerun after the kills completes" "$DAOCTL_BIN" import apply "$E2E_DIR/content.jsonl" -o json
api() { curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" "$SIM_URL$1"; }
posts=$(api "/api/v1/posts?limit=1000")
expect_eq "exactly N posts" "$(jq '.items | length' <<<"$posts")" "$N"
expect_eq "no duplicate external ids" "$(jq '[.items[].external_id] | unique | length' <<<"$posts")" "$N"
expect_eq "every post has its comment and reply once" "$(jq '[.items[].comment_count] | unique' -c <<<"$posts")" "[2]"
expect_eq "one reaction per post" "$(jq '[.items[].reaction_counts.like] | unique' -c <<<"$posts")" "[1]"
expect_eq "one community" "$(api '/api/v1/communities?limit=1000' | jq '[.items[] | select(.name=="Crash test")] | length')" "1"
p0=$(jq -r '.items[] | select(.external_id=="manifest:crash:post:p0") | .id' <<<"$posts")
expect_eq "the reply answers the comment" \
  "$(api "/api/v1/posts/$p0/comments" | jq -c '[.items[0].parent_id == null, .items[1].parent_id == .items[0].id]')" "[true,true]"
check "a third run changes nothing" "$DAOCTL_BIN" import apply "$E2E_DIR/content.jsonl" -o json
expect_eq "third run creates nothing" "$(jq '[.[].created] | add' <<<"$OUT")" "0"
finish
