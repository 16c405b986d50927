#!/usr/bin/env bash
# api_hardening: the token stays with the platform URL. Against a recording
# HTTP peer (tests/tools/http_peer) in place of the platform: `daoctl api`
# treats a 3xx as an error naming the Location and follows nothing; a token
# (DAOCTL_TOKEN, token_file, token_command) or an -H value with CR/LF is
# refused before any request is made.
source "$(dirname "$0")/lib.sh"
: >"$E2E_DIR/elsewhere.rec"
start_http_peer ELSEWHERE elsewhere serve --routes /dev/null --record "$E2E_DIR/elsewhere.rec"
cat >"$E2E_DIR/routes.json" <<JSON
{"/api/v1/me": {"status": 302, "body": "", "headers": {"Location": "$ELSEWHERE/api/v1/me?token=abc"}},
 "/api/v1/moved": {"status": 301, "body": "", "headers": {}},
 "/api/v1/ok": {"body": {"ok": true}}}
JSON
start_http_peer PLATFORM platform serve --routes "$E2E_DIR/routes.json" --record "$E2E_DIR/platform.rec"
export DAOCTL_URL="$PLATFORM" DAOCTL_TOKEN="api-token-$RANDOM$RANDOM"

check "a 200 works through the peer" "$DAOCTL_BIN" api GET /api/v1/ok
expect_eq "... and prints the body" "$(jq -c . <<<"$OUT")" '{"ok":true}'
expect_exit 1 "a 302 is an error" "$DAOCTL_BIN" api GET /api/v1/me
expect_match "... naming the status" "$ERR" "GET /api/v1/me answered 302 Found: a redirect, not followed"
expect_match "... and the Location, secrets redacted" "$ERR" "Location: $ELSEWHERE/api/v1/me\?token=REDACTED"
expect_eq "... with nothing on stdout" "$OUT" ""
expect_exit 1 "a 301 without Location is an error too" "$DAOCTL_BIN" api GET /api/v1/moved
expect_match "... saying so" "$ERR" "no Location header"
expect_eq "the other origin received nothing" "$(wc -l <"$E2E_DIR/elsewhere.rec")" "0"
expect_no_match "the token is in no message" "$ERR" "$DAOCTL_TOKEN"

: >"$E2E_DIR/platform.rec"
expect_exit 2 "an -H value with CR LF is refused" "$DAOCTL_BIN" api GET /api/v1/ok -H $'X-Trace: a\r\nX-Injected: 1'
expect_match "... naming the header, not the value" "$ERR" "invalid header: it contains a line break.*-H X-Trace"
expect_no_match "... without the value" "$ERR" "X-Injected"
expect_exit 2 "an -H value with a bare LF is refused" "$DAOCTL_BIN" api GET /api/v1/ok -H $'X-Trace: a\nb'
expect_exit 2 "a DAOCTL_TOKEN with a line break is refused" env DAOCTL_TOKEN=$'tok\r\nX-Injected: 1' "$DAOCTL_BIN" api GET /api/v1/ok
expect_match "... saying why" "$ERR" "the token contains a carriage return \(CR\)"
expect_no_match "... without the value" "$ERR" "X-Injected"
printf 'tok-1\nX-Injected: 1\n' >"$E2E_DIR/two-lines.token"
chmod 600 "$E2E_DIR/two-lines.token"
check "a context with a two-line token file" env -u DAOCTL_TOKEN -u DAOCTL_URL "$DAOCTL_BIN" config set-context twolines \
  --url "$PLATFORM" --token-file "$E2E_DIR/two-lines.token"
expect_exit 2 "a token file with two lines is refused" env -u DAOCTL_TOKEN -u DAOCTL_URL "$DAOCTL_BIN" --context twolines api GET /api/v1/ok
expect_match "... naming the file" "$ERR" "the token contains a line feed \(LF\).*two-lines\.token"
expect_eq "no request reached the platform" "$(wc -l <"$E2E_DIR/platform.rec")" "0"
finish
