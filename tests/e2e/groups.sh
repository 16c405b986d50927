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
U3_NAME=$(printf '%s' "$OUT" | jq -r '.[2].userName')
U4=$(printf '%s' "$OUT" | jq -r '.[3].userName')

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
expect_match "remove says whom it removed" "$ERR" "removed 1 member\\(s\\) from group e2e-admins: $U2"
check "get group by id" "$DAOCTL_BIN" groups get "$GID" -o json
expect_eq "two members left" "$(printf '%s' "$OUT" | jq '.members | length')" "2"

# Removing someone who is not a member removes nobody and says so; the same
# user named twice counts once.
check "remove a non-member and a member (named twice)" "$DAOCTL_BIN" groups remove-member e2e-admins "$U2" "$U3" "$U3"
expect_match "the non-member is named as such" "$ERR" "$U2 was not a member of group e2e-admins; nothing to remove"
expect_match "only the real member is reported removed" "$ERR" "removed 1 member\\(s\\) from group e2e-admins: $U3_NAME"
expect_no_match "the non-member is not reported removed" "$ERR" "removed 2"
check "remove only non-members" "$DAOCTL_BIN" groups remove-member e2e-admins "$U4"
expect_no_match "nothing reported removed" "$ERR" "removed"
expect_match "...and said" "$ERR" "$U4 was not a member"
check "add back" "$DAOCTL_BIN" groups add-member e2e-admins "$U2" "$U3" "$U1"
expect_match "add names the already-member" "$ERR" "is already a member of group e2e-admins"
expect_match "add reports the two it added" "$ERR" "added 2 member\\(s\\) to group e2e-admins"
check "members now" "$DAOCTL_BIN" groups get "$GID" -o json
expect_eq "three members again" "$(printf '%s' "$OUT" | jq '.members | length')" "3"
check "remove the re-added member again" "$DAOCTL_BIN" groups remove-member e2e-admins "$U2"

# --dry-run says what it would do and changes nothing.
check "remove-member --dry-run" "$DAOCTL_BIN" groups remove-member e2e-admins "$U1" "$U2" --dry-run
expect_match "dry run names whom it would remove" "$ERR" "dry run: would remove 1 member\\(s\\) from group e2e-admins"
expect_match "dry run names the non-member" "$ERR" "dry run: $U2 is not a member"
check "members after the dry run" "$DAOCTL_BIN" groups get "$GID" -o json
expect_eq "the dry run removed nobody" "$(printf '%s' "$OUT" | jq '.members | length')" "2"
check "remove-member --dry-run -o json" "$DAOCTL_BIN" groups remove-member e2e-admins "$U1" "$U2" --dry-run -o json
expect_eq "the machine form: whom, who is not a member, one PATCH" \
  "$(printf '%s' "$OUT" | jq -c '[.dry_run, (.removing | length), .not_members, (.requests | length)]')" \
  "[true,1,[\"$U2\"],1]"

check "groups list" "$DAOCTL_BIN" groups list
expect_match "table lists the group with its member count" "$OUT" "$GID +e2e-admins +2 +grp-1"

expect_exit 7 "adding an unknown user is not found" "$DAOCTL_BIN" groups add-member e2e-admins no.such.user
check "delete --dry-run needs no confirmation" "$DAOCTL_BIN" groups delete e2e-admins --dry-run </dev/null
expect_match "...and says what it would delete" "$ERR" "dry run: would delete group e2e-admins \\(id $GID, 2 member\\(s\\)\\)"
check "the group is still there after the dry run" "$DAOCTL_BIN" groups get "$GID"
expect_exit 5 "delete needs --yes off a terminal" "$DAOCTL_BIN" groups delete e2e-admins </dev/null
expect_match "...and says how to confirm" "$ERR" "pass --yes"
expect_exit 2 "delete has no csv" "$DAOCTL_BIN" groups delete e2e-admins -y -o csv
check "still there after the refused -o" "$DAOCTL_BIN" groups get "$GID"
check "delete -o json" "$DAOCTL_BIN" groups delete e2e-admins -y -o json
expect_eq "delete -o json says what was deleted" "$(printf '%s' "$OUT" | jq -r '.deleted + " " + .id + " " + .displayName')" \
  "group $GID e2e-admins"
expect_exit 7 "deleted group is gone" "$DAOCTL_BIN" groups get "$GID"

finish
