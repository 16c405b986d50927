#!/usr/bin/env bash
# retry: listing survives injected 5xx (with Retry-After) and 429 rate limiting.
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 500 >/dev/null 2>&1 || failed "seed"
start_sim --fail-rate 0.3 --fault-seed 7
check "list 500 users through 30% failures" "$DAOCTL_BIN" -v users list --page-size 10 -o json
expect_eq "all 500 users" "$(printf '%s' "$OUT" | jq length)" "500"
expect_match "-v shows failed attempts that were retried" "$ERR" '< (500|503)'
expect_no_match "-v never shows the token" "$ERR" "$DAOCTL_SIM_TOKEN"
stop_sim

start_sim --rate-limit 20
check "list 500 users under a 20 req/s server limit" "$DAOCTL_BIN" -v users list --page-size 10 -o json --concurrency 8
expect_eq "all 500 users under rate limit" "$(printf '%s' "$OUT" | jq length)" "500"
expect_match "-v shows 429 answers" "$ERR" '< 429'
check "client-side rate limit avoids 429" "$DAOCTL_BIN" -v users list --page-size 25 -o json --rate-limit 10
expect_eq "all 500 users with client limit" "$(printf '%s' "$OUT" | jq length)" "500"

finish
