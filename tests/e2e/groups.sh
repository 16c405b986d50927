#!/usr/bin/env bash
# groups: create, membership changes (by id, userName and e-mail), delete.
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 50 >/dev/null 2>&1 || failed "seed"
start_sim

check "list seeded users" "$DAOCTL_BIN" users list -o json
U1=$(printf '%s' "$OUT" | jq -r '.[0].id')
U2=$(printf '%s' "$OUT" | jq -r '.[1].userName')
U3=$(printf '%s' "$OUT" | jq -r '.[2].emails[0].value')
U2_ID=$(printf '%s' "$OUT" | jq -r '.[1].id')
U3_ID=$(printf '%s' "$OUT" | jq -r '.[2].id')

check "create group" "$DAOCTL_BIN" groups create e2e-admins --external-id grp-1 -o json
GID=$(printf '%s' "$OUT" | jq -r .id)
expect_match "group id" "$GID" '^[0-9]+$'
expect_exit 1 "duplicate group name is a conflict" "$DAOCTL_BIN" groups create e2e-admins

check "add members by id, userName and e-mail" "$DAOCTL_BIN" groups add-member e2e-admins "$U1" "$U2" "$U3"
check "get group by name" "$DAOCTL_BIN" groups get e2e-admins -o json
expect_eq "three members" "$(printf '%s' "$OUT" | jq '.members | length')" "3"
expect_eq "members are the users" "$(printf '%s' "$OUT" | jq -r '[.members[].value] | sort | join(",")')" \
  "$(printf '%s\n' "$U1" "$U2_ID" "$U3_ID" | sort | paste -sd,)"

check "remove a member" "$DAOCTL_BIN" groups remove-member "$GID" "$U2"
check "get group by id" "$DAOCTL_BIN" groups get "$GID" -o json
expect_eq "two members left" "$(printf '%s' "$OUT" | jq '.members | length')" "2"

check "groups list" "$DAOCTL_BIN" groups list
expect_match "table lists the group with its member count" "$OUT" "$GID +e2e-admins +2 +grp-1"

expect_exit 7 "adding an unknown user is not found" "$DAOCTL_BIN" groups add-member e2e-admins no.such.user
expect_exit 5 "delete needs --yes off a terminal" "$DAOCTL_BIN" groups delete e2e-admins </dev/null
check "delete" "$DAOCTL_BIN" groups delete e2e-admins -y
expect_exit 7 "deleted group is gone" "$DAOCTL_BIN" groups get "$GID"

finish
