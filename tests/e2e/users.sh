#!/usr/bin/env bash
# users: CRUD round trip against daoctl-sim, and `users list` over 5,000 seeded users.
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 5000 >/dev/null 2>&1 ||
  failed "seed 5000 users"
start_sim

check "users list -o json" "$DAOCTL_BIN" users list -o json
expect_eq "users list returns every seeded user" "$(printf '%s' "$OUT" | jq 'length')" "5000"
expect_eq "users list is an array of SCIM users" \
  "$(printf '%s' "$OUT" | jq -r '[.[] | select(.userName and .id)] | length')" "5000"

check "users list as csv" "$DAOCTL_BIN" users list -o csv --page-size 1000
expect_eq "csv has a header and one line per user" "$(printf '%s\n' "$OUT" | wc -l)" "5001"
expect_match "csv header" "$(printf '%s' "$OUT" | head -n1)" '^ID,USERNAME,NAME,EMAIL,ACTIVE,DEPARTMENT'

check "create" "$DAOCTL_BIN" users create --user-name e2e.kuznetsova --email kuznetsova@corp.example \
  --given-name Анна --family-name Кузнецова --title Analyst --external-id hr-777 -o json
ID=$(printf '%s' "$OUT" | jq -r .id)
expect_match "create returns an id" "$ID" '^[0-9]+$'
expect_eq "create keeps Cyrillic names" "$(printf '%s' "$OUT" | jq -r .name.familyName)" "Кузнецова"

expect_exit 1 "creating a duplicate userName is a conflict" "$DAOCTL_BIN" users create \
  --user-name e2e.kuznetsova --email other@corp.example --given-name A --family-name B
expect_match "conflict names the user" "$ERR" 'user e2e.kuznetsova'

check "get by id" "$DAOCTL_BIN" users get "$ID" -o json
expect_eq "get by id" "$(printf '%s' "$OUT" | jq -r .userName)" "e2e.kuznetsova"
check "get by userName" "$DAOCTL_BIN" users get E2E.Kuznetsova -o json
expect_eq "get by userName (case-insensitive)" "$(printf '%s' "$OUT" | jq -r .id)" "$ID"
check "get by e-mail" "$DAOCTL_BIN" users get kuznetsova@corp.example -o json
expect_eq "get by e-mail" "$(printf '%s' "$OUT" | jq -r .id)" "$ID"

check "update" "$DAOCTL_BIN" users update "$ID" --set title=Lead --set name.givenName=Анна-Мария -o json
expect_eq "update replaced title" "$(printf '%s' "$OUT" | jq -r .title)" "Lead"
expect_eq "update replaced givenName" "$(printf '%s' "$OUT" | jq -r .name.givenName)" "Анна-Мария"

check "deactivate --dry-run" "$DAOCTL_BIN" users deactivate e2e.kuznetsova --dry-run -o json
expect_eq "the dry run's machine form says so" "$(printf '%s' "$OUT" | jq -r .dry_run)" "true"
expect_eq "the dry run shows the account as it is" "$(printf '%s' "$OUT" | jq -r .user.active)" "true"
expect_eq "...and the real run's requests: PATCH, then revoke sessions and tokens" \
  "$(printf '%s' "$OUT" | jq -r '[.requests[].method] | join(" ")')" "PATCH DELETE DELETE"
expect_match "...and says what it would do" "$ERR" "dry run: would deactivate user e2e.kuznetsova \\(id [^)]+\\) and revoke"
check "still active after the dry run" "$DAOCTL_BIN" users get e2e.kuznetsova -o json
expect_eq "active" "$(printf '%s' "$OUT" | jq -r .active)" "true"
check "deactivate" "$DAOCTL_BIN" users deactivate e2e.kuznetsova -o json
expect_eq "deactivated" "$(printf '%s' "$OUT" | jq -r .active)" "false"
expect_match "deactivate revokes sessions" "$ERR" 'revoked [0-9]+ session'
check "reactivate" "$DAOCTL_BIN" users reactivate "$ID" -o json
expect_eq "reactivated" "$(printf '%s' "$OUT" | jq -r .active)" "true"

expect_exit 5 "delete without --yes off a terminal is a safety stop" "$DAOCTL_BIN" users delete "$ID" </dev/null
expect_match "safety stop says to pass --yes" "$ERR" 'pass --yes'
check "delete --dry-run" "$DAOCTL_BIN" users delete "$ID" --dry-run </dev/null
expect_match "the dry run names the account" "$ERR" "dry run: would delete user e2e.kuznetsova \\(id $ID\\)"
check "still there after the dry run" "$DAOCTL_BIN" users get "$ID"
check "delete --dry-run -o json" "$DAOCTL_BIN" users delete "$ID" --dry-run -o json </dev/null
expect_eq "the machine form names the request" "$(printf '%s' "$OUT" | jq -r '.request.method + " " + .request.path')" \
  "DELETE /scim/v2/Users/$ID"
expect_exit 2 "delete has no csv" "$DAOCTL_BIN" users delete "$ID" --yes -o csv
check "delete" "$DAOCTL_BIN" users delete "$ID" --yes -o json
expect_eq "delete -o json says what was deleted" "$(printf '%s' "$OUT" | jq -c .)" \
  "{\"deleted\":\"user\",\"id\":\"$ID\",\"userName\":\"e2e.kuznetsova\"}"
expect_exit 7 "get after delete is not found" "$DAOCTL_BIN" users get "$ID"
expect_match "not found names the user" "$ERR" "^daoctl: error: .*user $ID"
expect_exit 2 "a usage error exits 2" "$DAOCTL_BIN" users get
expect_exit 2 "an unknown output format exits 2" "$DAOCTL_BIN" users list -o xml

finish
