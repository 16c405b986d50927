#!/usr/bin/env bash
# import_reactions: reactions by several unmapped authors land on the
# --fallback-author account, which holds one reaction per post; which one it
# holds is fixed by a rule, not by which request arrived last: the account's
# own reaction, else the earliest created_at, then the smallest author key.
# Five fresh platforms and concurrency 16 must agree; the others are reported
# as skipped with the reason; a rerun changes nothing.
source "$(dirname "$0")/lib.sh"

cat >"$E2E_DIR/manifest.yaml" <<'YAML'
version: 1
namespace: reactions
users:
  - {key: owner, userName: import-admin}
  - {key: zed}
  - {key: amy}
  - {key: bob}
  - {key: cat}
posts:
  - id: p1
    author: owner
    body: unmapped authors react
    created_at: "2026-01-01T10:00:00Z"
    reactions:
      - {user: zed, kind: love, created_at: "2026-01-01T10:05:00Z"}
      - {user: amy, kind: wow, created_at: "2026-01-01T10:03:00Z"}
      - {user: bob, kind: sad}
      - {user: cat, kind: laugh, created_at: "2026-01-01T10:03:00Z"}
  - id: p2
    author: owner
    body: the fallback account reacts itself too
    created_at: "2026-01-01T11:00:00Z"
    reactions:
      - {user: amy, kind: wow, created_at: "2026-01-01T11:01:00Z"}
      - {user: owner, kind: celebrate, created_at: "2026-01-01T11:30:00Z"}
      - {user: zed, kind: love}
YAML

api() { curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" "$SIM_URL$1"; }
reactions_of() {  # the kinds on the post whose body starts with $1, with who reacted
  local id
  id=$(api "/api/v1/posts?limit=100" | jq -r --arg b "$1" '.items[] | select(.body | startswith($b)) | .id')
  api "/api/v1/posts/$id/reactions" | jq -r '[.items[] | "\(.user_id):\(.kind)"] | sort | join(",")'
}

for run in 1 2 3 4 5; do
  start_sim --data "$E2E_DIR/sim$run"
  ADMIN=$(curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"import-admin"}' \
    "$SIM_URL/scim/v2/Users" | jq -r .id)
  check "run $run: apply with a fallback author" "$DAOCTL_BIN" --concurrency 16 import apply "$E2E_DIR/manifest.yaml" \
    --fallback-author import-admin -o json
  expect_eq "run $run: p1 keeps the earliest reaction (amy 10:03 before cat 10:03 by key)" \
    "$(reactions_of 'unmapped authors')" "$ADMIN:wow"
  expect_eq "run $run: p2 keeps the account's own reaction" "$(reactions_of 'the fallback account')" "$ADMIN:celebrate"
  if [ "$run" = 1 ]; then
    expect_match "the skipped reactions say why" "$ERR$OUT" "react as the same platform account"
    check "a rerun succeeds" "$DAOCTL_BIN" --concurrency 16 import apply "$E2E_DIR/manifest.yaml" \
      --fallback-author import-admin -o json
    expect_eq "a rerun keeps the same reaction" "$(reactions_of 'unmapped authors')" "$ADMIN:wow"
  fi
  stop_sim
done
finish
