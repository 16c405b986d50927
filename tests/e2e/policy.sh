#!/usr/bin/env bash
# policy: password policy, registration and keyword rules — get/set/diff
# against daoctl-sim, validation before anything is sent, NIST warnings.
source "$(dirname "$0")/lib.sh"
start_sim

check "password get" "$DAOCTL_BIN" policy password get -o json
expect_eq "default min_length" "$(printf '%s' "$OUT" | jq .min_length)" "8"

expect_exit 8 "diff with a change exits 8" "$DAOCTL_BIN" policy password diff --min-length 15
expect_eq "diff shows the field" "$OUT" "~ password_policy: min_length 8 -> 15"
check "set min length and lockout" "$DAOCTL_BIN" policy password set --min-length 15 --lockout-threshold 10 --lockout-minutes 30
check "password get after set" "$DAOCTL_BIN" policy password get -o json
expect_eq "stored" "$(printf '%s' "$OUT" | jq -c '[.min_length, .lockout_threshold, .lockout_minutes]')" "[15,10,30]"
expect_exit 0 "diff without a change exits 0" "$DAOCTL_BIN" policy password diff --min-length 15
expect_exit 0 "set to the same value changes nothing" "$DAOCTL_BIN" policy password set --min-length 15
expect_match "and says so" "$ERR" "already matches"

expect_exit 2 "a tiny min length is refused before sending" "$DAOCTL_BIN" policy password set --min-length 4
expect_match "the flag and bound are named" "$ERR" -- '--min-length: min_length is 4; it must be between 8 and 128'
check "nothing was sent" "$DAOCTL_BIN" policy password get -o json
expect_eq "still 15" "$(printf '%s' "$OUT" | jq .min_length)" "15"
expect_exit 2 "a non-number is a usage error" "$DAOCTL_BIN" policy password set --min-length twelve
expect_exit 2 "lockout minutes without a threshold is a contradiction" "$DAOCTL_BIN" policy password set --lockout-threshold 0 --lockout-minutes 5
expect_match "the contradiction is explained" "$ERR" 'lockout_threshold is 0 or absent'

check "complexity and expiry are allowed with warnings" "$DAOCTL_BIN" policy password set --require-symbol true --max-age-days 90
expect_match "NIST composition warning" "$ERR" 'warning: --require-symbol: .*NIST SP 800-63B'
expect_match "NIST expiry warning" "$ERR" 'warning: --max-age-days: .*periodic changes'

printf 'min_length: 12\nhistory: 30\n' >"$E2E_DIR/password.yaml"
expect_exit 2 "a file with a bad value is refused" "$DAOCTL_BIN" policy password set -f "$E2E_DIR/password.yaml"
expect_match "file:line:column of the bad value" "$ERR" 'password\.yaml:2:10: history is 30'

check "registration domains" "$DAOCTL_BIN" policy registration set --mode domains --allowed-domain corp.example --allowed-domain corp-spb.example
check "registration get" "$DAOCTL_BIN" policy registration get -o json
expect_eq "domains stored" "$(printf '%s' "$OUT" | jq -c .)" '{"allowed_domains":["corp.example","corp-spb.example"],"mode":"domains"}'
expect_exit 2 "mode domains without a domain" "$DAOCTL_BIN" policy registration set -f /dev/stdin <<<'mode: domains'
check "back to directory_only clears the domains" "$DAOCTL_BIN" policy registration set --mode directory_only
check "registration get again" "$DAOCTL_BIN" policy registration get -o json
expect_eq "domains cleared" "$(printf '%s' "$OUT" | jq -c .allowed_domains)" "[]"

check "keyword rules from flags" "$DAOCTL_BIN" policy keywords set --flag 'паспорт\s*\d{4}' --hide casino
check "keyword rules table" "$DAOCTL_BIN" policy keywords get -o json
expect_eq "two rules with ids" "$(printf '%s' "$OUT" | jq -c '[.rules[] | [.id, .action, .scope]]')" '[["1","flag","all"],["2","hide","all"]]'
expect_exit 2 "an invalid regex is refused" "$DAOCTL_BIN" policy keywords set --flag '(unclosed'
expect_match "the pattern is named" "$ERR" 'pattern "\(unclosed" is not a valid regular expression'
printf 'rules:\n  - {pattern: spam, action: delete}\n' >"$E2E_DIR/rules.yaml"
expect_exit 2 "a bad action in a file" "$DAOCTL_BIN" policy keywords diff -f "$E2E_DIR/rules.yaml"
expect_match "at its line and column" "$ERR" 'rules\.yaml:2:[0-9]+: action "delete" is not flag or hide'

finish
