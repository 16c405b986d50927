#!/usr/bin/env bash
# Exit codes for a URL that is not a daoctl platform, and for invalid filters
# (issue 19). A web server's HTML 404 page, a JSON API that is not the
# platform, and a wrong base path on the real platform (daoctl-sim under
# /wrong/) are exit 2 "... does not look like a daoctl platform API ...;
# check --url", never exit 7 "not found", which stays for real lookups. A
# malformed --filter is exit 2 naming the column, before any request.
source "$(dirname "$0")/lib.sh"
D=$DAOCTL_BIN

# 1. Another web server: every path answers an HTML 404 page (nginx's default).
HTML_404='{"status": 404, "headers": {"Content-Type": "text/html"},
  "body": "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>"}'
start_http_peer HTML html serve --record "$E2E_DIR/html.rec" --unlisted "$HTML_404"
export DAOCTL_TOKEN=t0ken
for cmd in "users get jdoe" "users list" "groups list" "backup list" "api GET /api/v1/departments"; do
  # shellcheck disable=SC2086
  expect_exit 2 "HTML 404: '$cmd' is a configuration error (2), not 'not found' (7)" \
    env DAOCTL_URL="$HTML" "$D" $cmd
  expect_match "HTML 404: '$cmd' says the URL is not a platform and what answered" "$ERR" \
    "$HTML does not look like a daoctl platform API.*GET /(api/v1|scim/v2)/[^ ]* answered 404 Not Found with text/html"
  expect_match "HTML 404: '$cmd' says what to check" "$ERR" "check --url / the context's url"
done
expect_no_match "HTML 404: no 'not found' wording" "$ERR" "(does not exist|no such)"

# The same through a context's url with a path: the message names it.
mkdir -p "$XDG_CONFIG_HOME/daoctl"
cat >"$XDG_CONFIG_HOME/daoctl/config.yaml" <<YAML
current-context: portal
contexts:
  - name: portal
    url: $HTML/daoffice
YAML
chmod 600 "$XDG_CONFIG_HOME/daoctl/config.yaml"
expect_exit 2 "HTML 404 via a context: exit 2" env -u DAOCTL_URL "$D" users get jdoe
expect_match "HTML 404 via a context: names the context's URL and path" "$ERR" \
  "$HTML/daoffice does not look like a daoctl platform API.*GET /daoffice/scim/v2/"
rm -f "$XDG_CONFIG_HOME/daoctl/config.yaml"

# 1b. A login portal (or a captive proxy) in front: every path answers
# 200 OK with its sign-in page. Before, the first request's "cannot parse the
# JSON answer" (exit 1) was all one saw; a download would have written the
# page to the archive file.
PORTAL_200='{"status": 200, "headers": {"Content-Type": "text/html; charset=utf-8"},
  "body": "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=/login method=post></form></body></html>"}'
start_http_peer PORTAL portal serve --unlisted "$PORTAL_200"
for cmd in "users list" "users get jdoe" "stats export activity --since 1d" "backup list"; do
  # shellcheck disable=SC2086
  expect_exit 2 "portal 200 HTML: '$cmd' is a configuration error (2)" env DAOCTL_URL="$PORTAL" "$D" $cmd
  expect_match "portal 200 HTML: '$cmd' says the URL is not a platform and what answered" "$ERR" \
    "$PORTAL does not look like a daoctl platform API.*answered 200 OK with text/html \(a web page"
done
expect_exit 2 "portal 200 HTML: a download writes nothing" env DAOCTL_URL="$PORTAL" "$D" backup download 1 -O "$E2E_DIR/portal.tar.zst"
expect_eq "portal 200 HTML: no archive file" "$(ls "$E2E_DIR" | grep -c portal.tar)" "0"

# 2. A JSON API that is not the platform: its 404s are JSON, and so is the
# 404 of /scim/v2/ServiceProviderConfig, which every platform serves.
start_http_peer JSON json serve --record "$E2E_DIR/json.rec"
expect_exit 2 "JSON 404 elsewhere: users get is exit 2" env DAOCTL_URL="$JSON" "$D" users get jdoe
expect_match "JSON 404 elsewhere: says why" "$ERR" \
  "does not look like a daoctl platform API.*answered 404 Not Found with application/json; GET /scim/v2/ServiceProviderConfig answered 404 too"
expect_eq "JSON 404 elsewhere: one confirming request, no retries" \
  "$(jq -r .path "$E2E_DIR/json.rec" | sed 's/?.*//' | tr '\n' ' ')" "/scim/v2/Users/jdoe /scim/v2/ServiceProviderConfig "

# 3. The real platform under a wrong base path.
start_sim
ID=$(mkuser e2e.exists)
for base in "$SIM_URL/wrong" "$SIM_URL/wrong/" "$SIM_URL/api/v1"; do
  expect_exit 2 "wrong base path $base: users get is exit 2" env DAOCTL_URL="$base" "$D" users get e2e.exists
  expect_match "wrong base path $base: names the URL and the request" "$ERR" \
    "does not look like a daoctl platform API: GET /[a-z/0-9]*scim/v2/Users/e2e.exists answered 404 Not Found with application/problem\+json; GET /[a-z/0-9]*scim/v2/ServiceProviderConfig answered 404 too"
  expect_exit 2 "wrong base path $base: backup show is exit 2" env DAOCTL_URL="$base" "$D" backup show 1
done
expect_exit 2 "wrong base path: users get by id is exit 2" env DAOCTL_URL="$SIM_URL/wrong" "$D" users get "$ID"

# Real lookups on the real platform stay exit 7.
expect_exit 7 "right URL: a missing user is 7" "$D" users get e2e.nobody
expect_match "right URL: the missing user is named" "$ERR" "e2e.nobody"
expect_exit 7 "right URL: a missing user id is 7" "$D" users get 999999
expect_exit 7 "right URL: a missing backup is 7" "$D" backup show 999999
expect_exit 7 "right URL: a missing API path is 7" "$D" api GET /api/v1/no-such-thing
check "right URL: an existing user is found" "$D" users get e2e.exists -o json
expect_exit 7 "right URL: after a confirmed 404, the next is still 7" "$D" users get 999998

# 4. Invalid filters: exit 2 naming the problem, before any request.
: >"$E2E_DIR/json.rec"
expect_exit 2 "filter: an unknown operator is exit 2" env DAOCTL_URL="$JSON" "$D" users list --filter 'active eqq false'
expect_match "filter: names the column and the operator" "$ERR" "invalid SCIM filter.*column 8: unknown operator 'eqq'"
expect_exit 2 "filter: single quotes are exit 2" env DAOCTL_URL="$JSON" "$D" users list --filter "userName eq 'jdoe'"
expect_match "filter: says strings are double-quoted" "$ERR" "column 13: strings are in double quotes"
expect_exit 2 "filter: an unclosed parenthesis is exit 2" env DAOCTL_URL="$JSON" "$D" groups list --filter '(displayName eq "hr"'
expect_match "filter: names the open parenthesis" "$ERR" "closing the '\(' at column 1"
expect_exit 2 "filter: a bare word is exit 2" env DAOCTL_URL="$JSON" "$D" users list --filter 'jdoe'
expect_match "filter: says an operator is missing" "$ERR" "expected an operator after 'jdoe'"
expect_exit 2 "filter: a dangling 'and' is exit 2" env DAOCTL_URL="$JSON" "$D" users list --filter 'active eq true and'
expect_eq "filter: nothing was sent for any invalid filter" "$(cat "$E2E_DIR/json.rec")" ""
# Valid filters pass the check; one the platform does not support ('or' on
# daoctl-sim) is its 400 invalidFilter, also exit 2.
mkuser e2e.other >/dev/null
check "filter: a valid filter lists" "$D" users list --filter 'userName eq "e2e.exists"' -o json
expect_eq "filter: the valid filter found the user" "$(jq -r '.[].userName' <<<"$OUT")" "e2e.exists"
check "filter: and, parentheses, a value path" "$D" users list \
  --filter '(userName eq "e2e.exists") and emails[value eq "e2e.exists@corp.example"]' -o json
expect_exit 2 "filter: one the platform refuses is exit 2" "$D" users list --filter 'userName eq "a" or userName eq "b"'
expect_match "filter: the platform's reason is shown" "$ERR" "or"

finish
