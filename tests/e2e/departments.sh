#!/usr/bin/env bash
# departments: list all pages and print the tree with member counts.
source "$(dirname "$0")/lib.sh"
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 400 --departments 12 >/dev/null 2>&1 || failed "seed"
start_sim

check "departments list" "$DAOCTL_BIN" departments list -o json
COUNT=$(printf '%s' "$OUT" | jq length)
expect_eq "every department listed" "$COUNT" "12"
TOTAL_MEMBERS=$(printf '%s' "$OUT" | jq '[.[].member_count] | add')

check "departments tree -o json" "$DAOCTL_BIN" departments tree -o json
expect_eq "tree holds every department" "$(printf '%s' "$OUT" | jq '[.. | objects | select(has("children"))] | length')" "12"
expect_eq "tree member counts add up" "$(printf '%s' "$OUT" | jq '[.. | objects | select(has("member_count")) | .member_count] | add')" "$TOTAL_MEMBERS"

check "departments tree (text)" "$DAOCTL_BIN" departments tree
expect_eq "one line per department" "$(printf '%s\n' "$OUT" | wc -l)" "12"
expect_match "roots are not indented" "$(printf '%s' "$OUT" | head -n1)" '^[^ ].* \([0-9]+\)$'
expect_match "children are indented two spaces" "$OUT" $'\n''  [^ ].* \([0-9]+\)'
expect_exit 2 "tree as csv is a usage error" "$DAOCTL_BIN" departments tree -o csv

finish
