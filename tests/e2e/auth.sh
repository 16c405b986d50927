#!/usr/bin/env bash
# auth: a wrong token exits 4, names the problem, and never prints the token.
source "$(dirname "$0")/lib.sh"
start_sim

WRONG="wrong-token-$RANDOM$RANDOM"
expect_exit 4 "wrong token -> exit 4" env DAOCTL_TOKEN="$WRONG" "$DAOCTL_BIN" users list
expect_match "message says 401" "$ERR" '^daoctl: error: .*401'
expect_no_match "wrong token not printed" "$ERR$OUT" "$WRONG"
expect_exit 4 "wrong token with -v -> exit 4" env DAOCTL_TOKEN="$WRONG" "$DAOCTL_BIN" -v api GET /api/v1/me
expect_no_match "trace redacts the token" "$ERR$OUT" "$WRONG"
expect_match "trace shows the request" "$ERR" 'GET .*/api/v1/me'

expect_exit 4 "no token at all -> exit 4" env -u DAOCTL_TOKEN "$DAOCTL_BIN" users list
expect_match "missing token has a hint" "$ERR" 'hint: export DAOCTL_TOKEN'

expect_exit 4 "doctor with a wrong token exits 4" env DAOCTL_TOKEN="$WRONG" "$DAOCTL_BIN" doctor
expect_match "doctor marks auth FAIL" "$OUT" 'FAIL +auth'
expect_no_match "doctor does not print the token" "$ERR$OUT" "$WRONG"

check "doctor passes with the right token" "$DAOCTL_BIN" doctor
expect_match "doctor auth ok" "$OUT" 'ok +auth +token accepted'
expect_match "doctor clock ok" "$OUT" 'ok +clock'
check "version shows the server" "$DAOCTL_BIN" version
expect_match "server version" "$OUT" '^daoctl [0-9.]+'$'\n''server: [0-9]'

stop_sim
check "version with the server down still succeeds" "$DAOCTL_BIN" version
expect_match "says unreachable" "$OUT" 'server: unreachable'
expect_exit 1 "doctor with the server down fails" "$DAOCTL_BIN" doctor
expect_match "doctor reachable FAIL" "$OUT" 'FAIL +reachable'

finish
