#!/usr/bin/env bash
# hr_origins: an http_json source's API key stays with its origin. An HTTPS HR
# peer (tests/tools/http_peer) pages with next links (body and Link header)
# to another host name, another port, plain http and a non-http scheme; two
# more listeners (https and http on other ports) record every request they
# get and must get none. The sync stops (exit 5) naming the link. With the
# other origin listed in allowed_origins, the pages are followed and the key
# reaches it; a listed http origin after https is a job error.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { failed "openssl is installed (Debian package openssl)"; finish; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout "$E2E_DIR/hr.key" \
  -out "$E2E_DIR/hr.pem" -subj "/CN=hr" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>"$E2E_DIR/openssl.err" ||
  { failed "openssl makes a certificate" "$(cat "$E2E_DIR/openssl.err")"; finish; exit 1; }

echo '{}' >"$E2E_DIR/routes.json"
echo '{}' >"$E2E_DIR/none.json"
start_http_peer HR hr serve --routes "$E2E_DIR/routes.json" --record "$E2E_DIR/hr.rec" \
  --tls-cert "$E2E_DIR/hr.pem" --tls-key "$E2E_DIR/hr.key"
start_http_peer OTHER_TLS other-tls serve --routes "$E2E_DIR/routes.json" --record "$E2E_DIR/other-tls.rec" \
  --tls-cert "$E2E_DIR/hr.pem" --tls-key "$E2E_DIR/hr.key"
start_http_peer OTHER_HTTP other-http serve --routes "$E2E_DIR/routes.json" --record "$E2E_DIR/other-http.rec"
HR_PORT=${HR##*:}
OTHER_TLS_PORT=${OTHER_TLS##*:}
OTHER_HTTP_PORT=${OTHER_HTTP##*:}
touch "$E2E_DIR/other-tls.rec" "$E2E_DIR/other-http.rec"
start_sim

export HR_API_KEY="hr-api-key-$RANDOM$RANDOM"
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job() {  # job STYLE [EXTRA YAML LINES]
  cat >"$E2E_DIR/job.yaml" <<YAML
version: 1
name: hr-origins
sources:
  hr:
    type: http_json
    url: $HR/employees
    records: /data
    key: id
    ca_file: hr.pem
    auth_header: X-Api-Key
    auth_value_env: HR_API_KEY
    paging: {style: $1, next: /next}
${2:-}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
YAML
}
routes() {  # routes FIRST_PAGE_NEXT_LINK SECOND_PAGE_PATH [link-header]
  python3 - "$@" >"$E2E_DIR/routes.json" <<'PY'
import json, sys
link, second = sys.argv[1], sys.argv[2]
page1 = {"data": [{"id": "e1", "login": "anna", "first": "Anna", "last": "P"}]}
headers = {}
if len(sys.argv) > 3:
    headers["Link"] = f'<{link}>; rel="next"'
else:
    page1["next"] = link
print(json.dumps({
    "/employees": {"body": page1, "headers": headers},
    second: {"body": {"data": [{"id": "e2", "login": "boris", "first": "Boris", "last": "I"}]}},
}))
PY
}
no_key_left() {  # no_key_left NAME: neither other listener got anything, the HR peer got the key only as itself
  expect_eq "$1: the other https listener received nothing" "$(wc -l <"$E2E_DIR/other-tls.rec")" "0"
  expect_eq "$1: the plain http listener received nothing" "$(wc -l <"$E2E_DIR/other-http.rec")" "0"
  expect_eq "$1: the HR peer got one request, for 127.0.0.1" \
    "$(jq -r '.headers.host' "$E2E_DIR/hr.rec" | sort | uniq -c | awk '{print $1, $2}')" "1 127.0.0.1:$HR_PORT"
  : >"$E2E_DIR/hr.rec"
}

# The baseline: a same-origin relative link is followed, with the key.
job next_link
routes "/employees?page=2" "/employees?page=2"
check "same-origin paging works" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
expect_eq "both pages were read with the key" "$(jq -r 'select(.path | startswith("/employees")) | .headers["x-api-key"]' \
  "$E2E_DIR/hr.rec" | sort -u)" "$HR_API_KEY"
expect_eq "two requests" "$(wc -l <"$E2E_DIR/hr.rec")" "2"
: >"$E2E_DIR/hr.rec"

for style in next_link link_header; do
  hdr=""; [ "$style" = link_header ] && hdr=link
  job "$style"
  for c in "other host|https://localhost:$HR_PORT/employees?page=2|origin https://localhost:$HR_PORT is not the source's origin https://127.0.0.1:$HR_PORT" \
           "other port|https://127.0.0.1:$OTHER_TLS_PORT/employees?page=2|origin https://127.0.0.1:$OTHER_TLS_PORT is not" \
           "https to http|http://127.0.0.1:$OTHER_HTTP_PORT/employees?page=2|downgrades https://127.0.0.1:$HR_PORT to plain http" \
           "https to http on the same port|http://127.0.0.1:$HR_PORT/employees?page=2|downgrades" \
           "protocol-relative|//localhost:$OTHER_TLS_PORT/employees?page=2|origin https://localhost:$OTHER_TLS_PORT"; do
    IFS='|' read -r name link why <<<"$c"
    routes "$link" "/employees?page=2" $hdr
    expect_exit 5 "$style, $name: the sync stops" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
    expect_match "$style, $name: the error names the link" "$ERR" "leaves the source's origin"
    expect_match "$style, $name: ... and says why" "$ERR" "$(printf '%s' "$why" | sed 's/[.?]/\\&/g')"
    expect_no_match "$style, $name: the key is not in the error" "$ERR" "$HR_API_KEY"
    expect_eq "$style, $name: no plan on stdout" "$OUT" ""
    no_key_left "$style, $name"
  done
done

# The escape hatch: another origin listed explicitly.
job link_header "    allowed_origins: [\"https://127.0.0.1:$OTHER_TLS_PORT\"]"
routes "https://127.0.0.1:$OTHER_TLS_PORT/employees?page=2" "/employees?page=2" link
check "an allowed origin is followed" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
expect_eq "the plan creates both employees" "$(jq -r '[.. | objects | select(has("userName")) | .userName] | unique | join(",")' <<<"$OUT")" "anna,boris"
expect_eq "the allowed origin got page 2 with the key" \
  "$(jq -r '[.path, .headers["x-api-key"]] | join(" ")' "$E2E_DIR/other-tls.rec")" "/employees?page=2 $HR_API_KEY"
expect_eq "the plain http listener still got nothing" "$(wc -l <"$E2E_DIR/other-http.rec")" "0"
: >"$E2E_DIR/other-tls.rec"
: >"$E2E_DIR/hr.rec"

job link_header "    allowed_origins: [\"http://127.0.0.1:$OTHER_HTTP_PORT\"]"
expect_exit 5 "an http allowed origin after an https url is refused" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml"
expect_match "... as plain http" "$ERR" "allowed_origins: 'http://127.0.0.1:$OTHER_HTTP_PORT' is plain http while url is https"
expect_eq "... before any request" "$(cat "$E2E_DIR/hr.rec" "$E2E_DIR/other-http.rec" | wc -l)" "0"

job link_header "    allowed_origins: [\"https://127.0.0.1:$OTHER_TLS_PORT/api\"]"
expect_exit 2 "an allowed origin with a path is a job error" "$DAOCTL_BIN" sync validate -f "$E2E_DIR/job.yaml"
expect_match "... naming file:line:column" "$ERR" 'job\.yaml:[0-9]+:[0-9]+:.*allowed_origins'
finish
