#!/usr/bin/env bash
# ldap_tls: a TLS failure to an LDAP source names its cause and the fix. A
# throwaway slapd (lib_ldap.sh) serves ldaps:// and StartTLS with
# certificates made here by openssl: one from a private CA for 127.0.0.1, one
# for another host name, one expired. Without ca_file, with another CA's
# file, for the wrong name and when expired, `sync plan` stops (exit 5)
# saying why (untrusted issuer, the names the certificate carries, the expiry
# date) and what to change (ca_file, the host name); with the CA it works;
# insecure: true works and warns on every run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"

command -v openssl >/dev/null || { failed "openssl is installed (Debian package openssl)"; finish; exit 1; }
P="$E2E_DIR/pki"
mkdir -p "$P/new"
ossl() { openssl "$@" 2>>"$P/openssl.err" || { failed "openssl $1" "$(tail -5 "$P/openssl.err")"; finish; exit 1; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout "$P/ca.key" -out "$P/ca.pem" \
  -subj "/CN=daoctl test CA"
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout "$P/other-ca.key" \
  -out "$P/other-ca.pem" -subj "/CN=some other CA"
: >"$P/index.txt"
echo 01 >"$P/serial"
cat >"$P/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = $P
database = $P/index.txt
new_certs_dir = $P/new
serial = $P/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
server_cert() {  # server_cert NAME SAN START END
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" \
    -subj "/CN=$1" -addext "subjectAltName=$2"
  ossl ca -batch -config "$P/ca.cnf" -cert "$P/ca.pem" -keyfile "$P/ca.key" -startdate "$3" -enddate "$4" \
    -in "$P/$1.csr" -out "$P/$1.pem" -notext
}
NOW_MINUS=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
NEXT_MONTH=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)
server_cert good "IP:127.0.0.1,DNS:localhost" "$NOW_MINUS" "$NEXT_MONTH"
server_cert wronghost "DNS:ldap.corp.example" "$NOW_MINUS" "$NEXT_MONTH"
server_cert expired "IP:127.0.0.1" 20200101000000Z 20200201000000Z

cat >"$E2E_DIR/people.ldif" <<'LDIF'
dn: dc=corp,dc=example
objectClass: dcObject
objectClass: organization
dc: corp
o: Corp

dn: ou=People,dc=corp,dc=example
objectClass: organizationalUnit
ou: People

dn: uid=anna,ou=People,dc=corp,dc=example
objectClass: inetOrgPerson
uid: anna
cn: Anna P
sn: P
givenName: Anna
LDIF
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || { failed "slapd starts"; finish; exit 1; }
stop_slapd
# The same database, served with TLS: ldap:// (StartTLS) and ldaps:// on free ports.
LDAP_PORT=$(ldap_free_port)
LDAPS_PORT=$(ldap_free_port)
serve() {  # serve CERT: (re)starts slapd with that certificate
  [ -n "${TLS_SLAPD:-}" ] && { kill "$TLS_SLAPD" 2>/dev/null; wait "$TLS_SLAPD" 2>/dev/null; }
  { printf 'TLSCertificateFile %s\nTLSCertificateKeyFile %s\n' "$P/$1.pem" "$P/$1.key"
    cat "$E2E_DIR/slapd/slapd.conf"; } >"$E2E_DIR/slapd/tls.conf"
  "$SLAPD_BIN" -d 0 -f "$E2E_DIR/slapd/tls.conf" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/" \
    >"$E2E_DIR/slapd/tls.log" 2>&1 &
  TLS_SLAPD=$!
  E2E_PIDS+=("$TLS_SLAPD")
  local i
  for ((i = 0; i < 200; i++)); do
    ldapsearch -x -H "ldap://127.0.0.1:$LDAP_PORT" -b "" -s base >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  failed "slapd serves TLS with the $1 certificate" "$(tail -5 "$E2E_DIR/slapd/tls.log")"
  finish
  exit 1
}
start_sim
export LDAP_PW="$LDAP_BIND_PASSWORD" DAOCTL_STATE_DIR="$E2E_DIR/state"
job() {  # job URL STARTTLS [EXTRA LINE]
  cat >"$E2E_DIR/job.yaml" <<YAML
version: 1
name: ldap-tls
sources:
  dir:
    type: ldap
    url: $1
    starttls: $2
    bind_dn: "$LDAP_BIND_DN"
    bind_password_env: LDAP_PW
    base_dn: "ou=People,$LDAP_BASE_DN"
    filter: "(objectClass=inetOrgPerson)"
    key: uid
${3:-}
mapping:
  externalId: "{dir.uid}"
  userName: "{dir.uid}"
  name.givenName: "{dir.givenName}"
  name.familyName: "{dir.sn}"
YAML
}
LDAPS="ldaps://127.0.0.1:$LDAPS_PORT"
PLAIN="ldap://127.0.0.1:$LDAP_PORT"

serve good
for mode in ldaps starttls; do
  if [ $mode = ldaps ]; then url=$LDAPS; st=false; else url=$PLAIN; st=true; fi
  job "$url" "$st" "    ca_file: $P/ca.pem"
  check "$mode: the CA's certificate for 127.0.0.1 is accepted with ca_file" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
  expect_no_match "$mode: ... and no warning" "$ERR" "DISABLED"

  job "$url" "$st"
  expect_exit 5 "$mode: without ca_file the sync stops" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml"
  expect_match "$mode: ... saying the certificate is not trusted" "$ERR" "TLS certificate was refused"
  expect_match "$mode: ... naming OpenSSL's reason and the issuer" "$ERR" "not trusted: unable to get local issuer certificate \(issuer CN=daoctl test CA\), checked against the system CA store"
  expect_match "$mode: ... and the fix" "$ERR" "set the source's ca_file to the PEM certificate of the CA that issued it"
  expect_no_match "$mode: ... instead of the generic hint" "$ERR" "check the URL, that the server is running"

  job "$url" "$st" "    ca_file: $P/other-ca.pem"
  expect_exit 5 "$mode: another CA's file is refused" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml"
  expect_match "$mode: ... checked against that file" "$ERR" "checked against ca_file $P/other-ca.pem"

  job "$url" "$st" "    insecure: true"
  check "$mode: insecure: true connects" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
  expect_match "$mode: ... and warns" "$ERR" "source dir: TLS certificate verification is DISABLED \(insecure: true\)"
  check "$mode: a second run" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml" -o json
  expect_match "$mode: ... warns again" "$ERR" "DISABLED"
done
expect_no_match "the bind password never shows" "$ERR" "$LDAP_BIND_PASSWORD"

serve wronghost
for mode in ldaps starttls; do
  if [ $mode = ldaps ]; then url=$LDAPS; st=false; port=$LDAPS_PORT; else url=$PLAIN; st=true; port=$LDAP_PORT; fi
  job "$url" "$st" "    ca_file: $P/ca.pem"
  expect_exit 5 "$mode: a certificate for another host name is refused" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml"
  expect_match "$mode: ... naming the host and the names it carries" "$ERR" \
    "the host name 127\.0\.0\.1 is not among the certificate's names \(DNS:ldap\.corp\.example\)"
  expect_no_match "$mode: ... the chain itself is fine" "$ERR" "not trusted"
  expect_match "$mode: ... and the URL to use" "$ERR" "use the host name the certificate carries in the url \(ldaps?://ldap\.corp\.example:$port\)"
done

serve expired
job "$LDAPS" false "    ca_file: $P/ca.pem"
expect_exit 5 "an expired certificate is refused" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/job.yaml"
expect_match "... naming the date" "$ERR" "the certificate expired on 2020-02-01 00:00:00 UTC"
expect_match "... and the fix" "$ERR" "renew the server's certificate"
finish
