#!/usr/bin/env bash
# daoctl doctor checks the whole chain and says what to fix: the platform's
# TLS certificate (trusted, expiring soon -> warn, within 7 days -> FAIL),
# and with --job a sync job's LDAP bind and base DN (a real slapd), its source
# files, and its state and report directories. Any failed check exits non-zero.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
ldapgen="$DAOCTL_BUILD_DIR/tests/ldapgen"
D=$DAOCTL_BIN

# --- TLS: a sim serving a certificate for 127.0.0.1 that expires in 3 days, then in 20, then in 400.
cert() {  # cert NAME DAYS
  openssl req -x509 -newkey rsa:2048 -nodes -days "$2" -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$E2E_DIR/$1.key" -out "$E2E_DIR/$1.pem" 2>/dev/null
}
for c in soon:3 warn:20 fine:400; do cert "${c%%:*}" "${c##*:}"; done

start_sim --tls-cert "$E2E_DIR/soon.pem" --tls-key "$E2E_DIR/soon.key"
expect_match "the sim serves https" "$SIM_URL" '^https://'
expect_exit 1 "doctor: a certificate expiring in 3 days fails" "$D" doctor --ca-file "$E2E_DIR/soon.pem"
expect_match "doctor: cert FAIL names the expiry" "$OUT" 'FAIL +cert +CN=127\.0\.0\.1 expires [0-9-]{10} \((2|3) days\)'
expect_match "doctor: cert FAIL says what to fix" "$OUT" 'fix: renew the platform.s TLS certificate'
expect_match "doctor: the other checks still run" "$OUT" 'ok +auth'
stop_sim

start_sim --tls-cert "$E2E_DIR/warn.pem" --tls-key "$E2E_DIR/warn.key"
check "doctor: a certificate expiring in 20 days only warns (exit 0)" "$D" doctor --ca-file "$E2E_DIR/warn.pem"
expect_match "doctor: cert warn" "$OUT" 'warn +cert +CN=127\.0\.0\.1 expires .*\((19|20) days\)'
expect_exit 1 "doctor: a certificate the CA file did not issue fails" \
  "$D" doctor --ca-file "$E2E_DIR/fine.pem" --cert-warn-days 10
expect_match "doctor: the untrusted certificate is named" "$OUT" 'FAIL +cert .*not trusted'
stop_sim

start_sim --tls-cert "$E2E_DIR/fine.pem" --tls-key "$E2E_DIR/fine.key"
check "doctor: a trusted certificate with 400 days is ok" "$D" doctor --ca-file "$E2E_DIR/fine.pem"
expect_match "doctor: cert ok" "$OUT" 'ok +cert +CN=127\.0\.0\.1 expires'
expect_match "doctor: tls ok" "$OUT" 'ok +tls +verification on'

# --- --job: LDAP bind and base DN, files, state directory.
"$ldapgen" --employees 20 --out "$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || exit 1
printf '%s' "$LDAP_BIND_PASSWORD" >"$E2E_DIR/ldap.pass"
printf 'wrong-password' >"$E2E_DIR/bad.pass"
chmod 600 "$E2E_DIR/ldap.pass" "$E2E_DIR/bad.pass"
printf 'id;name\n1;x\n' >"$E2E_DIR/hr.csv"
job() {  # job FILE PASSFILE BASE CSV
  cat >"$1" <<YAML
version: 1
name: doctor-e2e
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_BIND_DN"
    bind_password_file: $2
    base_dn: "$3"
  hr:
    type: csv
    path: $4
    delimiter: ";"
    key: id
join:
  - hr.id = ldap.employeeNumber
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first | lower}"
  active: "{not ldap.disabled}"
YAML
}
job "$E2E_DIR/good.yaml" ldap.pass "ou=People,$LDAP_BASE_DN" hr.csv
check "doctor --job: every link of the chain is ok" "$D" doctor --ca-file "$E2E_DIR/fine.pem" \
  --job "$E2E_DIR/good.yaml" --state-dir "$E2E_DIR/state"
expect_match "doctor --job: the job loads" "$OUT" 'ok +job .*job .doctor-e2e., 2 source'
expect_match "doctor --job: LDAP binds and finds its base" "$OUT" "ok +source ldap +ldap://.* bound as $LDAP_BIND_DN; base ou=People"
expect_match "doctor --job: the CSV is readable" "$OUT" 'ok +source hr +.*hr\.csv readable'
expect_match "doctor --job: the state directory is writable" "$OUT" 'ok +state'

job "$E2E_DIR/badpass.yaml" bad.pass "ou=People,$LDAP_BASE_DN" hr.csv
expect_exit 1 "doctor --job: a refused LDAP bind fails" "$D" doctor --ca-file "$E2E_DIR/fine.pem" --job "$E2E_DIR/badpass.yaml"
expect_match "doctor --job: the bind failure is named" "$OUT" 'FAIL +source ldap .*(nvalid credentials|bind)'
expect_match "doctor --job: and what to fix" "$OUT" 'fix: check bind_dn and the password of source ldap'
expect_no_match "doctor --job: the password never appears" "$OUT$ERR" "$LDAP_BIND_PASSWORD|wrong-password"

job "$E2E_DIR/badbase.yaml" ldap.pass "ou=Nowhere,$LDAP_BASE_DN" missing.csv
expect_exit 1 "doctor --job: a missing base DN and a missing file fail" "$D" doctor --ca-file "$E2E_DIR/fine.pem" \
  --job "$E2E_DIR/badbase.yaml"
expect_match "doctor --job: the missing base is named, with the fix" "$OUT" 'fix: fix base_dn of source ldap'
expect_match "doctor --job: the missing file is named, with the fix" "$OUT" 'FAIL +source hr .*missing\.csv'
expect_match "doctor --job: -o json lists every check" \
  "$("$D" doctor --ca-file "$E2E_DIR/fine.pem" --job "$E2E_DIR/badbase.yaml" -o json | jq -r '[.[].check] | join(",")')" \
  'config,tls,reachable,cert,auth,clock,api,job,source ldap,source hr,state'

expect_match "doctor: the clock is read from the server's Date header" \
  "$("$D" doctor --ca-file "$E2E_DIR/fine.pem" -o json | jq -r '.[] | select(.check == "clock") | .detail // .message // tostring')" \
  'Date header'

chmod 000 "$E2E_DIR/hr.csv"
if [ "$(id -u)" -ne 0 ]; then
  expect_exit 1 "doctor --job: an unreadable file fails" "$D" doctor --ca-file "$E2E_DIR/fine.pem" --job "$E2E_DIR/good.yaml"
  expect_match "doctor --job: unreadable says how to fix" "$OUT" 'FAIL +source hr .*not readable'
fi
chmod 600 "$E2E_DIR/hr.csv"

finish
