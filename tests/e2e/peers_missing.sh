#!/usr/bin/env bash
# A missing test peer fails the test that needs it, naming the Debian package
# to install; it is never a skip (ARCHITECTURE.md, "Tests run real peers").
# Each start_* helper is run with its binary pointed at a path that does not
# exist, the way a machine without the package looks.
source "$(dirname "$0")/lib_samba.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
source "$(dirname "$0")/lib_haproxy.sh"

MISSING="$E2E_DIR/not-installed"
echo "dn: dc=example,dc=test" >"$E2E_DIR/one.ldif"

# Each helper runs in a subshell: start_haproxy exits the script it runs in.
peer_status() { # NAME PACKAGE-REGEX CMD...
  local name=$1 package=$2
  shift 2
  run bash -c "$(declare -f); $*"
  expect_eq "$name: a missing peer is a failure (not 0, not 77)" \
    "$([ "$STATUS" -ne 0 ] && [ "$STATUS" -ne 77 ] && echo failed || echo "exit $STATUS")" "failed"
  expect_match "$name: the message names the package" "$ERR" "$package"
}

export SLAPD_BIN="$MISSING/slapd" SLAPADD_BIN="$MISSING/slapadd" HAPROXY_BIN="$MISSING/haproxy"
export SAMBA_BIN="$MISSING/samba" SAMBA_TOOL_BIN="$MISSING/samba-tool" LDBADD_BIN="$MISSING/ldbadd"
export E2E_DIR
peer_status "slapd" "install the Debian packages slapd and ldap-utils" \
  "start_slapd '$E2E_DIR/slapd' '$E2E_DIR/one.ldif' || exit \$?"
peer_status "haproxy" "install the Debian package haproxy" \
  "start_haproxy http://127.0.0.1:9 || exit \$?"
peer_status "samba" "install the Debian packages samba and ldb-tools" \
  "start_samba '$E2E_DIR/samba' '$E2E_DIR/one.ldif' || exit \$?"

# And the tests that use them stop at that failure: every call of
# start_slapd / start_samba is followed by `|| exit` or `|| {` (start_haproxy
# exits by itself; a call continued on the next line ends there).
unchecked=$(grep -nE '^[[:space:]]*start_(slapd|samba)\b' "$DAOCTL_SOURCE_DIR"/tests/e2e/*.sh |
  grep -v '/lib[^/]*\.sh:' | grep -vE '\|\| *(exit|\{)|\\$' || true)
expect_eq "every start_slapd/start_samba call stops its test on failure" "$unchecked" ""
skips=$(grep -nE 'exit 77|SKIP_RETURN_CODE' "$DAOCTL_SOURCE_DIR"/tests/e2e/*.sh "$DAOCTL_SOURCE_DIR"/tests/CMakeLists.txt |
  grep -v '/peers_missing.sh:' || true)
expect_eq "no test skips (exit 77 / SKIP_RETURN_CODE)" "$skips" ""
finish
