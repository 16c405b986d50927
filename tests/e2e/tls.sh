#!/usr/bin/env bash
# tls: certificate verification is on by default. daoctl-sim serves HTTPS
# with a self-signed certificate made here with openssl: daoctl refuses it
# without --ca-file (and changes nothing), accepts it with --ca-file, a
# context's ca_file or DAOCTL_CA_FILE-free config; refuses a CA that did not
# sign it and a certificate for another host name; --insecure works but says
# it is dangerous, and doctor fails it.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { failed "openssl is installed (Debian package openssl)"; finish; exit 1; }
cert() {  # cert NAME SAN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -keyout "$E2E_DIR/$1.key" -out "$E2E_DIR/$1.pem" -subj "/CN=$1" -addext "subjectAltName=$2" 2>"$E2E_DIR/openssl.err" ||
    { failed "openssl makes the $1 certificate" "$(cat "$E2E_DIR/openssl.err")"; finish; exit 1; }
}
cert platform "IP:127.0.0.1,DNS:localhost"
cert other-ca "IP:127.0.0.1"
cert wrong-host "DNS:intranet.example.com"

start_sim --data "$E2E_DIR/sim" --tls-cert "$E2E_DIR/platform.pem" --tls-key "$E2E_DIR/platform.key"
expect_match "the sim serves https" "$SIM_URL" '^https://127\.0\.0\.1:[0-9]+$'
check "curl with the CA reaches it" curl -sf --cacert "$E2E_DIR/platform.pem" "$SIM_URL/api/v1/health"

# Default: verification on, the self-signed certificate is refused.
expect_exit 1 "users list without --ca-file fails" "$DAOCTL_BIN" users list -o json
expect_match "the error says the certificate could not be verified" "$ERR" '[Cc]ertificate|TLS|SSL'
expect_eq "nothing on stdout" "$OUT" ""
cat >"$E2E_DIR/users.csv" <<'CSV'
id,login,first,last
e1,anna,Анна,Петрова
e2,boris,Борис,Иванов
CSV
cat >"$E2E_DIR/sync.yaml" <<'YAML'
version: 1
name: tls
sources:
  hr: {type: csv, path: users.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
run "$DAOCTL_BIN" sync apply -f "$E2E_DIR/sync.yaml"
expect_match "sync apply without the CA fails" "$STATUS" '^[1-9][0-9]*$'
expect_eq "and created nobody" "$(curl -sf --cacert "$E2E_DIR/platform.pem" -H "Authorization: Bearer $DAOCTL_TOKEN" \
  "$SIM_URL/scim/v2/Users" | jq .totalResults)" "0"

# With the CA: flag, then a context's ca_file.
check "users list with --ca-file works" "$DAOCTL_BIN" --ca-file "$E2E_DIR/platform.pem" users list -o json
expect_eq "an empty platform answers []" "$OUT" "[]"
check "sync apply with --ca-file works" "$DAOCTL_BIN" --ca-file "$E2E_DIR/platform.pem" sync apply -f "$E2E_DIR/sync.yaml"
expect_eq "two users were created over TLS" "$("$DAOCTL_BIN" --ca-file "$E2E_DIR/platform.pem" users list -o json | jq length)" "2"
printf '%s\n' "$DAOCTL_TOKEN" >"$E2E_DIR/token"
chmod 600 "$E2E_DIR/token"
check "a context with ca_file" "$DAOCTL_BIN" config set-context tls --url "$SIM_URL" --token-file "$E2E_DIR/token" \
  --ca-file "$E2E_DIR/platform.pem"
check "the context's ca_file is used" env -u DAOCTL_URL -u DAOCTL_TOKEN "$DAOCTL_BIN" --context tls users list -o json
expect_eq "the context sees both users" "$(jq length <<<"$OUT")" "2"
check "doctor with the CA" env -u DAOCTL_URL -u DAOCTL_TOKEN "$DAOCTL_BIN" --context tls doctor
expect_match "doctor says verification is on" "$OUT$ERR" 'verification on'

# A CA that did not sign the certificate, and a certificate for another name.
expect_exit 1 "a CA that did not sign the certificate is refused" \
  "$DAOCTL_BIN" --ca-file "$E2E_DIR/other-ca.pem" users list
expect_match "it says why" "$ERR" '[Cc]ertificate|TLS|SSL'
stop_sim
start_sim --data "$E2E_DIR/sim" --tls-cert "$E2E_DIR/wrong-host.pem" --tls-key "$E2E_DIR/wrong-host.key"
expect_exit 1 "a certificate for another host name is refused even with its CA" \
  "$DAOCTL_BIN" --ca-file "$E2E_DIR/wrong-host.pem" users list
expect_match "it says why (name mismatch)" "$ERR" '[Cc]ertificate|name|host'

# --insecure: works, warns, and doctor flags it.
check "--insecure skips verification" "$DAOCTL_BIN" --insecure users list -o json
expect_eq "--insecure still reads the data" "$(jq length <<<"$OUT")" "2"
run "$DAOCTL_BIN" --insecure doctor
expect_match "doctor fails a run with verification off" "$OUT$ERR" 'verification is OFF'
expect_match "doctor exits non-zero then" "$STATUS" '^[1-9]'

# Plain http to the TLS port is not silently accepted either.
expect_exit 1 "http:// to an https port fails" "$DAOCTL_BIN" --timeout 3 --url "${SIM_URL/https:/http:}" users list
finish
