#!/usr/bin/env bash
# api: raw calls, bodies from flags/files/stdin, status -> exit code, pagination.
source "$(dirname "$0")/lib.sh"
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 1200 >/dev/null 2>&1 || failed "seed"
start_sim

check "GET /api/v1/me" "$DAOCTL_BIN" api GET /api/v1/me
expect_eq "pretty JSON body" "$(printf '%s' "$OUT" | jq -r .subject)" "admin"
expect_match "indented two spaces" "$OUT" '^\{'$'\n''  "'
check "lower-case method and path without slash" "$DAOCTL_BIN" api get 'scim/v2/Users?count=3'
expect_eq "three users" "$(printf '%s' "$OUT" | jq '.Resources | length')" "3"

check "POST with inline JSON" "$DAOCTL_BIN" api POST /scim/v2/Groups \
  --data '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"api-grp"}'
GID=$(printf '%s' "$OUT" | jq -r .id)
printf '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"api-grp-2"}]}' >"$E2E_DIR/patch.json"
check "PATCH with @file" "$DAOCTL_BIN" api PATCH "/scim/v2/Groups/$GID" --data "@$E2E_DIR/patch.json"
expect_eq "patched" "$(printf '%s' "$OUT" | jq -r .displayName)" "api-grp-2"
check "PATCH with stdin" sh -c "printf '%s' '{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"api-grp-3\"}]}' | \"\$0\" api PATCH /scim/v2/Groups/$GID --data -" "$DAOCTL_BIN"
expect_eq "patched from stdin" "$(printf '%s' "$OUT" | jq -r .displayName)" "api-grp-3"
check "extra header" "$DAOCTL_BIN" api GET "/scim/v2/Groups/$GID" -H 'Accept: application/scim+json'

expect_exit 7 "404 -> exit 7" "$DAOCTL_BIN" api GET /scim/v2/Users/999999999
expect_match "404 names the request" "$ERR" 'GET /scim/v2/Users/999999999'
# A filter the platform refuses (400 scimType invalidFilter) came from the
# user: exit 2 like a malformed --filter (issue 19), with the platform's reason.
expect_exit 2 "400 invalid filter -> exit 2" "$DAOCTL_BIN" api GET '/scim/v2/Users?filter=nickName%20sw%20%22a%22'
expect_match "400 invalid filter: the platform's reason" "$ERR" 'invalidFilter'
expect_match "400 invalid filter: fix the filter" "$ERR" 'hint: fix the --filter expression'
expect_exit 2 "invalid JSON body is a usage error" "$DAOCTL_BIN" api POST /scim/v2/Groups --data '{nope'
expect_exit 2 "a full URL is refused" "$DAOCTL_BIN" api GET http://evil.example/x
expect_exit 2 "an Authorization header is refused" "$DAOCTL_BIN" api GET /api/v1/me -H 'Authorization: Bearer x'

check "--paginate over SCIM" "$DAOCTL_BIN" api GET /scim/v2/Users --paginate
expect_eq "all users in one array" "$(printf '%s' "$OUT" | jq length)" "1200"
check "--paginate over a native cursor" "$DAOCTL_BIN" api GET /api/v1/departments --paginate
expect_match "departments array" "$(printf '%s' "$OUT" | jq -r 'type')" '^array$'
# A binary body is written byte for byte: no newline added, nothing decoded.
# The PNG ends in bytes that are not UTF-8 and contains NUL and CR LF.
UID1=$("$DAOCTL_BIN" api GET '/scim/v2/Users?count=1' | jq -r '.Resources[0].id')
photo="$DAOCTL_SOURCE_DIR/tests/fixtures/branding/logo.png"
check "photo upload" curl -fsS -X PUT -H "Authorization: Bearer $DAOCTL_TOKEN" -H 'Content-Type: image/png' \
  --data-binary "@$photo" "$SIM_URL/api/v1/users/$UID1/photo"
"$DAOCTL_BIN" api GET "/api/v1/users/$UID1/photo" >"$E2E_DIR/photo.out" 2>"$E2E_DIR/photo.err"
expect_eq "binary GET exits 0" "$?" "0"
check "binary body byte for byte" cmp "$photo" "$E2E_DIR/photo.out"
expect_eq "same size, no newline added" "$(stat -c %s "$E2E_DIR/photo.out")" "$(stat -c %s "$photo")"
check "DELETE" "$DAOCTL_BIN" api DELETE "/scim/v2/Groups/$GID"
expect_exit 7 "deleted" "$DAOCTL_BIN" api GET "/scim/v2/Groups/$GID"

finish
